import logging
from collections.abc import Callable

from django.contrib.auth.middleware import LoginRequiredMiddleware as _DjangoLoginRequired
from django.http import HttpRequest, HttpResponseBase

from .http import client_ip
from .uploads import upload_budget

access_log = logging.getLogger("safehospital.access")


class LoginRequiredMiddleware(_DjangoLoginRequired):
    """Every page needs a login unless its view is marked with @login_not_required."""


class DefaultLanguageMiddleware:
    """Chinese is the default whatever the browser asks for; English only when a user picks it.

    Bureau PCs and phones often carry an English browser locale; LocaleMiddleware would follow
    Accept-Language, so drop it and let the language cookie (set by the switcher) decide.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class UploadBudgetMiddleware:
    """Each request gets its own allowance of files and pixels to decode (core.uploads)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        with upload_budget():
            return self.get_response(request)


class RefusalLogMiddleware:
    """Logs every refusal (403) and not-found (404) with who asked and from where, so probing
    another hospital's records leaves a trace: user id and name, client address (the real one
    behind the proxy, core.http.client_ip), method and path."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if response.status_code in (403, 404):
            user = getattr(request, "user", None)
            if user is not None and not user.is_authenticated:
                user = None
            access_log.warning(
                "refused status=%s user_id=%s user=%s ip=%s method=%s path=%s",
                response.status_code,
                user.pk if user is not None else "-",
                user.get_username() if user is not None else "anonymous",
                client_ip(request) or "-",
                request.method,
                request.path,
            )
        return response


PERMISSIONS_POLICY = ", ".join(
    [
        "camera=(self)",  # photographing a hazard on site
        "microphone=()",
        "geolocation=()",
        "payment=()",
        "usb=()",
        "serial=()",
        "bluetooth=()",
        "midi=()",
        "magnetometer=()",
        "gyroscope=()",
        "accelerometer=()",
        "display-capture=()",
        "fullscreen=(self)",
    ]
)


class PrivacyHeadersMiddleware:
    """Permissions-Policy on every response; pages and files served to a logged-in user are
    never stored by the browser or a proxy (a shared bureau PC's back button shows nothing)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "private, no-store"
        return response
