"""Accounts pages: user management for administrators (users of their own region only, others
→ 404), and the login controls every user meets — the login page with its lockout warning, the
two-factor steps (accounts.twofactor), the password change and the account security page."""

from __future__ import annotations

import math
from functools import wraps

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from core.errors import DomainError
from core.http import client_ip
from core.pagination import paginate
from core.views_helpers import apply_domain_error
from hospitals.models import within

from . import twofactor
from .forms import (
    AdminSetPasswordForm,
    OwnPasswordChangeForm,
    TwoFactorCodeForm,
    UserCreateForm,
    UserFilterForm,
    UserForm,
)
from .models import User
from .passwords import password_change_reason, password_expires_at
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
# The authenticator key being set up, kept in the session until it is confirmed.
SETUP_KEY = "two_factor_setup_key"


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


@user_manager_required
def user_list(request):
    users = User.objects.manageable_by(request.user).select_related(
        "region", "hospital", "department"
    )
    form = UserFilterForm(request.GET or None, actor=request.user)
    if form.is_valid():
        q = form.cleaned_data["q"].strip()
        if q:
            users = users.filter(
                Q(username__icontains=q)
                | Q(full_name__icontains=q)
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
    page = paginate(request, users, per_page=PAGE_SIZES)
    return render(request, "accounts/user_list.html", {"form": form, "page": page})


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
    target = get_object_or_404(User.objects.manageable_by(request.user), pk=pk)
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
            "has_two_factor": twofactor.has_device(target),
            "title": _("编辑用户"),
        },
    )


@user_manager_required
@require_POST
def user_toggle_active(request, pk: int):
    target = get_object_or_404(User.objects.manageable_by(request.user), pk=pk)
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
    target = get_object_or_404(User.objects.manageable_by(request.user), pk=pk)
    user_unlock(user=target, by=request.user)
    messages.success(request, _("已解除“%(username)s”的登录锁定。") % {"username": target.username})
    return redirect("accounts:user_edit", pk=target.pk)


@user_manager_required
def user_password(request, pk: int):
    target = get_object_or_404(User.objects.manageable_by(request.user), pk=pk)
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

    def form_invalid(self, form):
        # A backend that recognised the password but refused the login (sso: the region
        # requires single sign-on) says why on the request: show that, not "wrong password"
        # and no count of attempts left.
        refusal = getattr(self.request, "login_refusal", None)
        if refusal:
            form.errors[NON_FIELD_ERRORS] = form.error_class([refusal])
            return self.render_to_response(self.get_context_data(form=form))
        username = form.data.get("username", "").strip()
        return self.render_to_response(
            self.get_context_data(
                form=form, lockout_warning=lockout_warning(self.request, username)
            )
        )

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


def _lock_state(request, username: str) -> tuple[int, int] | None:
    """(failures so far, minutes of the lock or left of it) for this username at this address
    within the cool-off, from django-axes' records; None when there is none."""
    if not username:
        return None
    cooloff = settings.AXES_COOLOFF_TIME
    attempt = (
        AccessAttempt.objects.filter(
            username=username,
            ip_address=client_ip(request),
            attempt_time__gte=timezone.now() - cooloff,
        )
        .order_by("-attempt_time")
        .first()
    )
    if attempt is None:
        return None
    left = attempt.attempt_time + cooloff - timezone.now()
    return attempt.failures_since_start, max(1, math.ceil(left.total_seconds() / 60))


def lockout_warning(request, username: str) -> str:
    """ "还可尝试 N 次…" after a failed login (django-axes counts per username + address)."""
    state = _lock_state(request, username)
    if state is None:
        return ""
    failures, _minutes = state
    left = settings.AXES_FAILURE_LIMIT - failures
    if left <= 0:
        return ""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return ngettext(
        "还可尝试 %(left)d 次,之后账号将被锁定 %(minutes)d 分钟。",
        "还可尝试 %(left)d 次,之后账号将被锁定 %(minutes)d 分钟。",
        left,
    ) % {"left": left, "minutes": minutes}


def locked_out(request, response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the lockout page, with the time left of the lock."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    state = _lock_state(request, username)
    cooloff_minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "registration/locked_out.html",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "cooloff_minutes": cooloff_minutes,
            "minutes_left": state[1] if state else cooloff_minutes,
        },
        status=429,
    )


class OwnPasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password; says why when the password policy sent the user here."""

    form_class = OwnPasswordChangeForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["reason"] = password_change_reason(self.request.user)
        context["expires_at"] = password_expires_at(self.request.user)
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("密码已修改。"))
        return response


def _next_url(request, default: str = "my_work") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


def two_factor_verify(request):
    """The second step of the login: a code from the authenticator, or a recovery code."""
    user = request.user
    if user.is_verified():
        return redirect(_next_url(request))
    if not twofactor.has_device(user):
        twofactor.remember_device(request, False)
        return redirect(_next_url(request))
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = twofactor.verify(user=user, token=form.cleaned_data["code"])
        except twofactor.TwoFactorError as exc:
            form.add_error("code", str(exc))
        else:
            otp_login(request, device)
            twofactor.remember_device(request, True)
            if isinstance(device, StaticDevice):
                messages.warning(
                    request,
                    _("您使用了一个恢复码,还剩 %(count)d 个。可在“账号安全”页面重新生成。")
                    % {"count": twofactor.recovery_codes_left(user)},
                )
            return redirect(_next_url(request))
    return render(
        request,
        "registration/two_factor_verify.html",
        {"form": form, "next": _next_url(request)},
    )


def two_factor_setup(request):
    """Set up the authenticator: scan the QR code (or type the key), confirm with a code, and
    take the recovery codes, shown once. Only for a user with no authenticator yet: changing
    one is a reset on the account security page first (with a code)."""
    user = request.user
    if twofactor.has_device(user):
        if user.is_verified():
            return redirect("accounts:security")
        return redirect("accounts:two_factor_verify")
    key = request.session.get(SETUP_KEY)
    if not key:
        key = request.session[SETUP_KEY] = twofactor.new_key()
    form = TwoFactorCodeForm(request.POST or None, recovery=False)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = twofactor.two_factor_confirm(
                user=user, key_hex=key, token=form.cleaned_data["code"]
            )
        except twofactor.TwoFactorError as exc:
            form.add_error("code", str(exc))
        else:
            del request.session[SETUP_KEY]
            otp_login(request, device)
            twofactor.remember_device(request, True)
            return render(
                request,
                "registration/two_factor_codes.html",
                {"codes": codes, "next": _next_url(request)},
            )
    url = twofactor.otpauth_url(key, user)
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "qr_code": twofactor.qr_code_data_uri(url),
            "secret": twofactor.secret_text(key),
            "required": twofactor.requires_two_factor(user),
            "next": _next_url(request),
        },
    )


def account_security(request):
    """The user's own login security: two-factor status, reset it or renew the recovery
    codes (each after a fresh code), and the password's age."""
    user = request.user
    has_device = twofactor.has_device(user)
    form = TwoFactorCodeForm(request.POST or None)
    codes = None
    if request.method == "POST" and has_device and form.is_valid():
        action = request.POST.get("action")
        try:
            twofactor.verify(user=user, token=form.cleaned_data["code"])
        except twofactor.TwoFactorError as exc:
            form.add_error("code", str(exc))
        else:
            if action == "reset":
                twofactor.two_factor_remove(user=user)
                twofactor.remember_device(request, False)
                messages.success(request, _("已删除两步验证设置,请重新绑定验证器。"))
                return redirect("accounts:two_factor_setup")
            if action == "renew":
                codes = twofactor.recovery_codes_renew(user=user)
            else:
                form.add_error(None, _("未知的操作。"))
    return render(
        request,
        "accounts/security.html",
        {
            "form": form if has_device else None,
            "has_device": has_device,
            "required": twofactor.requires_two_factor(user),
            "codes_left": twofactor.recovery_codes_left(user) if has_device else 0,
            "codes": codes,
            "password_changed_at": user.password_changed_at,
            "password_expires_at": password_expires_at(user),
        },
    )


@user_manager_required
@require_POST
def user_two_factor_reset_view(request, pk: int):
    target = get_object_or_404(User.objects.manageable_by(request.user), pk=pk)
    try:
        twofactor.user_two_factor_reset(user=target, by=request.user)
    except twofactor.TwoFactorError as exc:
        apply_domain_error(request, exc)
    else:
        messages.success(
            request,
            _("已重置“%(username)s”的两步验证,其下次登录时需重新绑定验证器。")
            % {"username": target.username},
        )
    return redirect("accounts:user_edit", pk=target.pk)
