"""Silent login inside the WeCom / DingTalk apps: the login page, opened in their built-in
browser, goes straight to the provider's in-app authorisation (no password, no QR code)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpResponseRedirect
from django.urls import reverse

from .choices import Provider
from .conf import is_enabled

# (User-Agent marker, provider): WeCom's browser says "wxwork", DingTalk's "DingTalk".
_IN_APP = ((("wxwork",), Provider.WECOM), (("dingtalk",), Provider.DINGTALK))


class InAppLoginMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method == "GET"
            and request.path == reverse("login")
            and "local" not in request.GET
            and not request.user.is_authenticated
        ):
            agent = request.headers.get("User-Agent", "").lower()
            for markers, provider in _IN_APP:
                if any(marker in agent for marker in markers) and is_enabled(provider):
                    target = reverse(f"sso:{provider}_login")
                    if request.GET.get("next"):
                        target += "?" + urlencode({"next": request.GET["next"]})
                    return HttpResponseRedirect(target)
        return self.get_response(request)
