"""The login controls that stand between a signed-in session and the site (等保 8.1.4.1).

Both act on session logins only: a request authenticated by an API token has no session user
here (DRF authenticates inside the view) and is not affected. Both let through the pages a
user needs to get out or to satisfy them (EXEMPT_URL_NAMES); static files never reach Django
in production (whitenoise answers them first).

- TwoFactorMiddleware: a user with an authenticator must enter a code after the password;
  a user who must use two-factor login and has none is sent to set it up.
- PasswordPolicyMiddleware: a user whose password an administrator set, or whose password is
  older than PASSWORD_MAX_AGE_DAYS, is sent to the change page until they change it.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from .passwords import password_change_reason
from .twofactor import requires_two_factor, session_has_device

# Ways out and the language/translation plumbing every page loads.
ALWAYS_OPEN = {
    "login",
    "logout",
    "set_language",
    "javascript-catalog",
    "service_worker",
    "healthz",
    "csp_report",
    "accounts:session_keepalive",
}
TWO_FACTOR_STEPS = {"accounts:two_factor_verify", "accounts:two_factor_setup"}
PASSWORD_STEPS = {"password_change", "password_change_done"}


def _url_name(request) -> str:
    match = request.resolver_match
    return match.view_name if match else ""


def _session_user(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not hasattr(request, "session"):
        return None
    return user


def _go(request, name: str):
    query = urlencode({"next": request.get_full_path()})
    return redirect(f"{reverse(name)}?{query}")


class TwoFactorMiddleware:
    """After django_otp's OTPMiddleware (which tells whether the session is verified)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = _session_user(request)
        if user is None or user.is_verified():
            return None
        name = _url_name(request)
        if name in ALWAYS_OPEN or name in TWO_FACTOR_STEPS:
            return None
        if session_has_device(request):
            return _go(request, "accounts:two_factor_verify")
        if requires_two_factor(user):
            return _go(request, "accounts:two_factor_setup")
        return None


class PasswordPolicyMiddleware:
    """After TwoFactorMiddleware: the password is changed by a fully signed-in user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = _session_user(request)
        if user is None:
            return None
        name = _url_name(request)
        if name in ALWAYS_OPEN or name in TWO_FACTOR_STEPS or name in PASSWORD_STEPS:
            return None
        reason = password_change_reason(user)
        if reason is None:
            return None
        messages.warning(request, reason)
        return redirect("password_change")
