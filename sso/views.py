"""Single sign-on pages: the providers' login and callback URLs (no login needed; 404 while a
provider is not configured), and the administrators' binding of identities to users."""

from __future__ import annotations

import logging
import secrets
import time

import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_cas_ng.utils import get_cas_client, get_service_url
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from accounts.models import User
from accounts.views import user_manager_required
from core.errors import DomainError
from core.views_helpers import apply_domain_error

from . import dingtalk, wecom
from .backends import unbound_message
from .choices import Provider
from .conf import is_enabled, provider_label
from .forms import IdentityForm
from .http import ProviderError
from .models import ExternalIdentity
from .services import identity_bind, identity_unbind

logger = logging.getLogger("safehospital.sso")

OAUTH_MODULES = {Provider.WECOM: wecom, Provider.DINGTALK: dingtalk}
STATE_SESSION_KEY = "sso_oauth_state"
STATE_MAX_AGE = 600  # seconds between leaving for the provider and coming back


def _require_enabled(provider: str) -> None:
    if not is_enabled(provider):
        raise Http404


def _safe_next(request) -> str:
    target = request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _error_page(request, provider: str, message: str, *, status: int = 400):
    return render(
        request,
        "sso/error.html",
        {"provider_label": provider_label(provider), "message": message},
        status=status,
    )


def _refused_page(request, provider: str, message: str | None = None):
    return render(
        request,
        "sso/refused.html",
        {
            "provider_label": provider_label(provider),
            "message": message or unbound_message(),
            "password_login_url": reverse("login") + "?local=1",
        },
        status=403,
    )


# --- WeCom and DingTalk ----------------------------------------------------------------------


def _user_agent(request) -> str:
    return request.headers.get("User-Agent", "").lower()


def _leave_for_provider(request, provider: str, *, next_url: str, bind_user=None):
    """Remember a fresh state (and what the round trip is for) in the session and redirect to
    the provider: its desktop QR page, or the in-app authorize URL when the page is opened
    inside the WeCom / DingTalk client (silent login there)."""
    module = OAUTH_MODULES[provider]
    state = secrets.token_urlsafe(24)
    request.session[STATE_SESSION_KEY] = {
        "provider": provider,
        "state": state,
        "next": next_url,
        "at": int(time.time()),
        "bind_user": bind_user.pk if bind_user is not None else None,
    }
    redirect_uri = request.build_absolute_uri(reverse(f"sso:{provider}_callback"))
    in_app = module.IN_APP_MARKER in _user_agent(request)
    return HttpResponseRedirect(module.authorize_url(redirect_uri, state, in_app=in_app))


@login_not_required
def oauth_login(request, provider: str):
    _require_enabled(provider)
    return _leave_for_provider(request, provider, next_url=_safe_next(request))


@require_GET
def oauth_bind(request, provider: str):
    """ "绑定企业微信 / 钉钉" on one's own page: the same round trip, bound to the signed-in
    user instead of logging in. A link, not a form: the CSP's form-action 'self' would stop a
    form whose answer redirects to the provider. Nothing is bound by this request; only the
    callback binds, and only with the provider's answer for this session's own state."""
    _require_enabled(provider)
    return _leave_for_provider(
        request, provider, next_url=reverse("sso:my_identities"), bind_user=request.user
    )


def _bind_to_signed_in_user(request, provider: str, subject: str, stored: dict):
    user = request.user
    if not user.is_authenticated or user.pk != stored.get("bind_user"):
        return _error_page(request, provider, _("登录请求已失效或与本次登录不符,请重新登录。"))
    try:
        identity = identity_bind(user=user, provider=provider, subject=subject, by=user)
    except DomainError as exc:
        apply_domain_error(request, exc)
    else:
        messages.success(
            request,
            _("已绑定%(provider)s账号“%(subject)s”,以后可以用它登录。")
            % {"provider": identity.get_provider_display(), "subject": identity.subject},
        )
    return redirect("sso:my_identities")


@login_not_required
def oauth_callback(request, provider: str):
    _require_enabled(provider)
    module = OAUTH_MODULES[provider]
    stored = request.session.pop(STATE_SESSION_KEY, None) or {}
    state = request.GET.get("state", "")
    if not (
        stored.get("provider") == provider
        and state
        and constant_time_compare(str(stored.get("state", "")), state)
        and time.time() - stored.get("at", 0) <= STATE_MAX_AGE
    ):
        logger.warning("SSO callback with a missing or wrong state: %s", provider)
        return _error_page(request, provider, _("登录请求已失效或与本次登录不符,请重新登录。"))
    code = request.GET.get(module.CODE_PARAM) or request.GET.get("code")
    if not code:
        return _error_page(request, provider, _("您已取消登录,或登录方未返回授权码。"))
    try:
        subject = module.subject_for_code(code)
    except ProviderError as exc:
        logger.warning("SSO %s failed: %s", provider, exc.detail)
        return _error_page(request, provider, exc.message, status=502)
    if stored.get("bind_user"):
        return _bind_to_signed_in_user(request, provider, subject, stored)
    user = authenticate(request, sso_provider=provider, sso_subject=subject)
    if user is None:
        return _refused_page(request, provider, getattr(request, "login_refusal", None))
    login(request, user)
    return HttpResponseRedirect(stored.get("next") or resolve_url(settings.LOGIN_REDIRECT_URL))


# --- OpenID Connect (mozilla-django-oidc) ----------------------------------------------------


@login_not_required
def oidc_authenticate(request):
    _require_enabled(Provider.OIDC)
    return OIDCAuthenticationRequestView.as_view()(request)


class OIDCCallbackView(OIDCAuthenticationCallbackView):
    """mozilla-django-oidc's callback, with translated pages instead of a bare redirect, a
    400 or a 500 when the provider says no, the state does not match or it cannot be reached."""

    def get(self, request):
        try:
            return super().get(request)
        except SuspiciousOperation as exc:
            logger.warning("OIDC callback refused: %s", exc)
            return _error_page(
                request, Provider.OIDC, _("登录请求已失效或与本次登录不符,请重新登录。")
            )
        except (requests.RequestException, ValueError, KeyError) as exc:
            logger.warning("OIDC provider failed: %s", exc)
            return _error_page(
                request,
                Provider.OIDC,
                _("暂时无法完成%(provider)s登录,请稍后再试。")
                % {"provider": provider_label(Provider.OIDC)},
                status=502,
            )

    def login_failure(self):
        request = self.request
        refusal = getattr(request, "login_refusal", None)
        if refusal:
            return _refused_page(request, Provider.OIDC, refusal)
        error = request.GET.get("error")
        if error:
            message = (
                _("您已取消登录。")
                if error == "access_denied"
                else _("登录方返回错误:%(error)s") % {"error": error[:100]}
            )
            return _error_page(request, Provider.OIDC, message)
        return _error_page(request, Provider.OIDC, _("登录请求已失效或与本次登录不符,请重新登录。"))


@login_not_required
def oidc_callback(request):
    _require_enabled(Provider.OIDC)
    return OIDCCallbackView.as_view()(request)


# --- CAS (django-cas-ng) -----------------------------------------------------------------------


@login_not_required
def cas_login(request):
    """Without a ticket: off to the CAS server. With one (CAS sends the browser back here):
    validate it, map the CAS user through its bound identity and log in."""
    _require_enabled(Provider.CAS)
    next_page = _safe_next(request)
    service_url = get_service_url(request, next_page)
    ticket = request.GET.get("ticket")
    if not ticket:
        client = get_cas_client(service_url=service_url, request=request)
        return HttpResponseRedirect(client.get_login_url())
    try:
        user = authenticate(request, ticket=ticket, service=service_url)
    except ProviderError as exc:
        return _error_page(request, Provider.CAS, exc.message, status=502)
    if user is None:
        return _refused_page(request, Provider.CAS, getattr(request, "login_refusal", None))
    login(request, user)
    return HttpResponseRedirect(next_page)


# --- binding identities (administrators) -----------------------------------------------------


@user_manager_required
@require_POST
def identity_add(request, pk: int):
    target = get_object_or_404(User.objects.manageable_by(request.user), pk=pk)
    form = IdentityForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("accounts:user_edit", pk=target.pk)
    try:
        identity = identity_bind(
            user=target,
            provider=form.cleaned_data["provider"],
            subject=form.cleaned_data["subject"],
            by=request.user,
        )
    except DomainError as exc:
        apply_domain_error(request, exc)
    else:
        messages.success(
            request,
            _("已为“%(username)s”绑定%(provider)s账号“%(subject)s”。")
            % {
                "username": target.username,
                "provider": identity.get_provider_display(),
                "subject": identity.subject,
            },
        )
    return redirect("accounts:user_edit", pk=target.pk)


@user_manager_required
@require_POST
def identity_remove(request, pk: int):
    identity = get_object_or_404(ExternalIdentity.objects.visible_to(request.user), pk=pk)
    user_pk = identity.user_id
    try:
        identity_unbind(identity=identity, by=request.user)
    except DomainError as exc:
        apply_domain_error(request, exc)
    else:
        messages.success(
            request,
            _("已解除%(provider)s账号“%(subject)s”的绑定。")
            % {"provider": identity.get_provider_display(), "subject": identity.subject},
        )
    return redirect("accounts:user_edit", pk=user_pk)


# --- one's own identities ------------------------------------------------------------------


@require_GET
def my_identities(request):
    """The signed-in user's bound identities, and "绑定企业微信 / 钉钉" for the providers that
    can be bound by the user themselves (a QR scan or, inside the app, one tap)."""
    identities = ExternalIdentity.objects.filter(user=request.user)
    bindable = [
        {"provider": provider.value, "label": provider_label(provider)}
        for provider in OAUTH_MODULES
        if is_enabled(provider)
    ]
    return render(
        request, "sso/my_identities.html", {"identities": identities, "bindable": bindable}
    )
