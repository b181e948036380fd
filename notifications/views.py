from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.choices import Role
from core.errors import DomainError
from core.pagination import paginate
from core.permissions import role_required
from core.views_helpers import apply_domain_error

from . import services, webhooks
from .channels import DeliveryError
from .choices import DELIVERY_STATUS_BADGES, DeliveryStatus, EventKind
from .filters import DeliveryFilter
from .forms import PreferenceForm, RobotForm, WebhookForm
from .models import Delivery, Notification, Robot, WebhookEndpoint

PAGE_SIZE = 20


def notification_list(request):
    state = request.GET.get("state", "")
    queryset = Notification.objects.visible_to(request.user)
    if state == "unread":
        queryset = queryset.filter(read_at__isnull=True)
    elif state == "read":
        queryset = queryset.filter(read_at__isnull=False)
    else:
        state = ""
    page = paginate(request, queryset.order_by("-created_at", "-pk"), per_page=PAGE_SIZE)
    return render(
        request,
        "notifications/notification_list.html",
        {
            "page_obj": page,
            "state": state,
            "states": [("", _("全部")), ("unread", _("未读")), ("read", _("已读"))],
        },
    )


def _safe_next(request, url: str) -> str | None:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


@require_POST
def notification_open(request, pk: int):
    """Follow a notification's link, marking it read on the way (a POST: reading the list or
    following a link with GET never changes a row)."""
    notification = get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)
    services.notification_mark_read(notification=notification, by=request.user)
    return redirect(_safe_next(request, notification.url) or "notifications:list")


@require_POST
def notification_mark_read(request, pk: int):
    notification = get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)
    services.notification_mark_read(notification=notification, by=request.user)
    return redirect(_safe_next(request, request.POST.get("next", "")) or "notifications:list")


@require_POST
def notification_mark_all_read(request):
    count = services.notifications_mark_all_read(by=request.user)
    messages.success(request, _("已将 %(count)s 条消息标记为已读。") % {"count": count})
    return redirect(_safe_next(request, request.POST.get("next", "")) or "notifications:list")


def preferences(request):
    pref = services.preference_for(request.user)
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            services.preference_update(
                user=request.user,
                email_enabled=form.cleaned_data["email_enabled"],
                email_events=form.cleaned_data["email_events"],
            )
            messages.success(request, _("通知设置已保存。"))
            return redirect("notifications:preferences")
    else:
        form = PreferenceForm(
            initial={
                "email_enabled": pref.email_enabled,
                "email_events": [e for e in EventKind.values if e not in pref.email_muted_events],
            }
        )
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "has_email": bool(request.user.email)},
    )


# --- Robots (administrators, scoped to their region) ------------------------------------------


def _robots(request):
    return Robot.objects.visible_to(request.user).select_related("region", "hospital")


@role_required(Role.ADMIN)
def robot_list(request):
    page = paginate(request, _robots(request).order_by("name", "pk"), per_page=PAGE_SIZE)
    return render(request, "notifications/robot_list.html", {"page_obj": page})


@role_required(Role.ADMIN)
def robot_create(request):
    form = RobotForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        robot = form.save(commit=False)
        robot.created_by = request.user
        robot.save()
        messages.success(request, _("群机器人“%(name)s”已保存。") % {"name": robot.name})
        return redirect("notifications:robot_list")
    return render(request, "notifications/robot_form.html", {"form": form, "robot": None})


@role_required(Role.ADMIN)
def robot_edit(request, pk: int):
    robot = get_object_or_404(_robots(request), pk=pk)
    form = RobotForm(request.POST or None, instance=robot, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("群机器人“%(name)s”已保存。") % {"name": robot.name})
        return redirect("notifications:robot_list")
    return render(request, "notifications/robot_form.html", {"form": form, "robot": robot})


@role_required(Role.ADMIN)
@require_POST
def robot_delete(request, pk: int):
    robot = get_object_or_404(_robots(request), pk=pk)
    name = robot.name
    with transaction.atomic():
        robot.delete()
    messages.success(request, _("群机器人“%(name)s”已删除。") % {"name": name})
    return redirect("notifications:robot_list")


@role_required(Role.ADMIN)
@require_POST
def robot_test(request, pk: int):
    robot = get_object_or_404(_robots(request), pk=pk)
    try:
        services.send_robot_test_message(robot=robot, by=request.user)
    except DeliveryError as exc:
        messages.error(request, _("测试消息发送失败:%(error)s") % {"error": exc})
    else:
        messages.success(request, _("测试消息已发送到“%(name)s”。") % {"name": robot.name})
    return redirect("notifications:robot_list")


# --- Deliveries (administrators) ---------------------------------------------------------------


@role_required(Role.ADMIN)
def delivery_list(request):
    queryset = Delivery.objects.visible_to(request.user).select_related(
        "recipient", "robot", "webhook"
    )
    filterset = DeliveryFilter(request.GET or None, queryset=queryset)
    rows = filterset.qs if filterset.is_bound else queryset
    if not request.GET.get("ordering"):
        rows = rows.order_by("-created_at", "-pk")
    page = paginate(request, rows, per_page=50)
    return render(
        request,
        "notifications/delivery_list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "badges": DELIVERY_STATUS_BADGES,
        },
    )


@role_required(Role.ADMIN)
@require_POST
def delivery_retry(request, pk: int):
    delivery = get_object_or_404(Delivery.objects.visible_to(request.user), pk=pk)
    if services.delivery_retry(delivery=delivery, by=request.user):
        messages.success(request, _("已重新加入发送队列。"))
    else:
        messages.error(request, _("只有发送失败的记录可以重试。"))
    return redirect("notifications:delivery_list")


# --- Integration webhooks (administrators, scoped to their region) -----------------------------

_SECRET_SESSION_KEY = "webhook_secret_{pk}"


def _webhook_endpoints(request):
    return WebhookEndpoint.objects.visible_to(request.user).select_related("owner")


def _show_secret_once(request, endpoint: WebhookEndpoint, secret: str) -> None:
    """The secret goes to the next page view of the endpoint, then is gone from the session."""
    request.session[_SECRET_SESSION_KEY.format(pk=endpoint.pk)] = secret


def _webhook_fields(form) -> dict:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "url": data["url"],
        "owner": data["owner"],
        "events": data["events"],
        "is_active": data["is_active"],
    }


@role_required(Role.ADMIN)
def webhook_list(request):
    rows = _webhook_endpoints(request).annotate(
        failed=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED))
    )
    page = paginate(request, rows.order_by("name", "pk"), per_page=PAGE_SIZE)
    return render(request, "notifications/webhook_list.html", {"page_obj": page})


@role_required(Role.ADMIN)
def webhook_create(request):
    form = WebhookForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = webhooks.webhook_create(by=request.user, **_webhook_fields(form))
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            _show_secret_once(request, endpoint, secret)
            messages.success(request, _("Webhook 推送“%(name)s”已创建。") % {"name": endpoint.name})
            return redirect("notifications:webhook_detail", pk=endpoint.pk)
    return render(request, "notifications/webhook_form.html", {"form": form, "endpoint": None})


@role_required(Role.ADMIN)
def webhook_detail(request, pk: int):
    endpoint = get_object_or_404(_webhook_endpoints(request), pk=pk)
    secret = request.session.pop(_SECRET_SESSION_KEY.format(pk=endpoint.pk), None)
    return render(
        request,
        "notifications/webhook_detail.html",
        {
            "endpoint": endpoint,
            "secret": secret,
            "deliveries": webhooks.recent_deliveries(endpoint),
            "badges": DELIVERY_STATUS_BADGES,
        },
    )


@role_required(Role.ADMIN)
def webhook_edit(request, pk: int):
    endpoint = get_object_or_404(_webhook_endpoints(request), pk=pk)
    initial = {
        "name": endpoint.name,
        "url": endpoint.url,
        "owner": endpoint.owner,
        "events": endpoint.events,
        "is_active": endpoint.is_active,
    }
    form = WebhookForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            webhooks.webhook_update(endpoint=endpoint, by=request.user, **_webhook_fields(form))
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Webhook 推送“%(name)s”已保存。") % {"name": endpoint.name})
            return redirect("notifications:webhook_detail", pk=endpoint.pk)
    return render(request, "notifications/webhook_form.html", {"form": form, "endpoint": endpoint})


@role_required(Role.ADMIN)
@require_POST
def webhook_toggle(request, pk: int):
    endpoint = get_object_or_404(_webhook_endpoints(request), pk=pk)
    endpoint = webhooks.webhook_set_active(
        endpoint=endpoint, by=request.user, active=not endpoint.is_active
    )
    if endpoint.is_active:
        messages.success(request, _("Webhook 推送“%(name)s”已启用。") % {"name": endpoint.name})
    else:
        messages.success(request, _("Webhook 推送“%(name)s”已停用。") % {"name": endpoint.name})
    return redirect("notifications:webhook_detail", pk=endpoint.pk)


@role_required(Role.ADMIN)
@require_POST
def webhook_rotate(request, pk: int):
    endpoint = get_object_or_404(_webhook_endpoints(request), pk=pk)
    secret = webhooks.webhook_rotate_secret(endpoint=endpoint, by=request.user)
    _show_secret_once(request, endpoint, secret)
    messages.success(request, _("已生成新的签名密钥,原密钥立即失效。"))
    return redirect("notifications:webhook_detail", pk=endpoint.pk)


@role_required(Role.ADMIN)
@require_POST
def webhook_ping(request, pk: int):
    endpoint = get_object_or_404(_webhook_endpoints(request), pk=pk)
    try:
        delivery = webhooks.webhook_ping(endpoint=endpoint, by=request.user)
    except DomainError as exc:
        apply_domain_error(request, exc)
    else:
        if delivery.status == DeliveryStatus.SENT:
            messages.success(request, _("测试推送已送达“%(name)s”。") % {"name": endpoint.name})
        else:
            messages.error(request, _("测试推送失败:%(error)s") % {"error": delivery.last_error})
    return redirect("notifications:webhook_detail", pk=endpoint.pk)


@role_required(Role.ADMIN)
@require_POST
def webhook_delivery_retry(request, pk: int, delivery_pk: int):
    endpoint = get_object_or_404(_webhook_endpoints(request), pk=pk)
    delivery = get_object_or_404(endpoint.deliveries, pk=delivery_pk)
    if services.delivery_retry(delivery=delivery, by=request.user):
        messages.success(request, _("已重新加入发送队列。"))
    else:
        messages.error(request, _("只有发送失败的记录可以重试。"))
    return redirect("notifications:webhook_detail", pk=endpoint.pk)
