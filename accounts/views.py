"""User management for administrators: users of their own region only (others → 404)."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.roles import SUPERUSER_GRANTS
from core.views_helpers import apply_domain_error
from hospitals.models import within

from .forms import AdminSetPasswordForm, UserCreateForm, UserFilterForm, UserForm
from .models import User
from .services import (
    UserManagementError,
    user_is_locked_out,
    user_save,
    user_set_active,
    user_set_password,
    user_unlock,
)
from .sessions import expired_message
from .throttle import address_is_throttled

PAGE_SIZES = (20, 50, 100)


def user_manager_required(view):
    """The security administrator (and, with ADMIN_DUTIES_SEPARATED off, the system
    administrator) manages accounts; everybody else gets 403."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not (user.is_authenticated and user.can_manage_users):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def manageable_users(actor):
    """The users an administrator may manage: their region's, never a superuser's account,
    and never another security or audit administrator's (only the superuser manages those:
    whoever could reset an auditor's password could read the log as the auditor)."""
    users = User.objects.visible_to(actor)
    if not actor.is_superuser:
        users = users.exclude(is_superuser=True).exclude(
            Q(role__in=SUPERUSER_GRANTS) & ~Q(pk=actor.pk)
        )
    return users


@user_manager_required
def user_list(request):
    users = manageable_users(request.user).select_related("region", "hospital", "department")
    form = UserFilterForm(request.GET or None, actor=request.user)
    if form.is_valid():
        q = form.cleaned_data["q"].strip()
        if q:
            users = users.filter(
                Q(username__icontains=q)
                | Q(full_name__icontains=q)
                | Q(phone__icontains=q)
                | Q(email__icontains=q)
                | Q(hospital__name__icontains=q)
            )
        if form.cleaned_data["role"]:
            users = users.filter(role=form.cleaned_data["role"])
        region = form.cleaned_data["region"]
        if region:
            users = users.filter(within(region, "region") | within(region, "hospital__region"))
        if form.cleaned_data["active"]:
            users = users.filter(is_active=form.cleaned_data["active"] == "1")
    users = users.order_by("-is_active", "role", "username")
    try:
        per_page = int(request.GET.get("per_page", PAGE_SIZES[0]))
    except ValueError:
        per_page = PAGE_SIZES[0]
    if per_page not in PAGE_SIZES:
        per_page = PAGE_SIZES[0]
    page = Paginator(users, per_page).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "accounts/user_list.html",
        {"form": form, "page": page, "query_without_page": params.urlencode()},
    )


@user_manager_required
def user_create(request):
    form = UserCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_save(
                user=form.save(commit=False),
                by=request.user,
                password=form.cleaned_data["password2"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("已创建账号“%(username)s”。") % {"username": user.username})
            return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "title": _("新建用户")})


@user_manager_required
def user_edit(request, pk: int):
    target = get_object_or_404(manageable_users(request.user), pk=pk)
    form = UserForm(request.POST or None, instance=target, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            user_save(user=form.save(commit=False), by=request.user)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request, _("已保存账号“%(username)s”。") % {"username": target.username}
            )
            return redirect("accounts:user_list")
    history = target.history.select_related("history_user")[:10]
    return render(
        request,
        "accounts/user_form.html",
        {
            "form": form,
            "target": target,
            "history": history,
            "locked_out": user_is_locked_out(target),
            "title": _("编辑用户"),
        },
    )


@user_manager_required
@require_POST
def user_toggle_active(request, pk: int):
    target = get_object_or_404(manageable_users(request.user), pk=pk)
    active = request.POST.get("active") == "1"
    try:
        user_set_active(user=target, active=active, by=request.user)
    except UserManagementError as exc:
        apply_domain_error(request, exc)
    else:
        if active:
            messages.success(
                request, _("已启用账号“%(username)s”。") % {"username": target.username}
            )
        else:
            messages.success(
                request,
                _("已停用账号“%(username)s”,该用户将无法登录。") % {"username": target.username},
            )
    return redirect("accounts:user_edit", pk=target.pk)


@user_manager_required
@require_POST
def user_unlock_view(request, pk: int):
    target = get_object_or_404(manageable_users(request.user), pk=pk)
    user_unlock(user=target, by=request.user)
    messages.success(request, _("已解除“%(username)s”的登录锁定。") % {"username": target.username})
    return redirect("accounts:user_edit", pk=target.pk)


@user_manager_required
def user_password(request, pk: int):
    target = get_object_or_404(manageable_users(request.user), pk=pk)
    form = AdminSetPasswordForm(target, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user_set_password(user=target, password=form.cleaned_data["new_password1"], by=request.user)
        messages.success(
            request,
            _("已重置“%(username)s”的密码,请通过安全渠道告知本人。")
            % {"username": target.username},
        )
        return redirect("accounts:user_edit", pk=target.pk)
    return render(request, "accounts/user_password.html", {"form": form, "target": target})


class ThrottledLoginView(auth_views.LoginView):
    """The login page; an address with too many failed logins gets 429 and is told to wait.
    After an idle or over-age logout it says why (`?expired=idle|lifetime`)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["expired_message"] = expired_message(self.request.GET.get("expired"))
        return context

    def post(self, request, *args, **kwargs):
        if address_is_throttled(request):
            minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
            return render(
                request,
                "registration/throttled.html",
                {"minutes": minutes},
                status=429,
            )
        return super().post(request, *args, **kwargs)


@require_POST
def session_keepalive(request):
    """ "继续使用" on the idle warning: the request itself refreshes the session."""
    return HttpResponse(status=204)
