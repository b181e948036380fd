"""The one HTTP client of the WeCom and DingTalk logins: timeouts, no redirects, JSON only,
and every failure turned into a ProviderError with a translated message."""

from __future__ import annotations

import logging

import requests
from django.conf import settings
from django.utils.translation import gettext as _

logger = logging.getLogger("safehospital.sso")


class ProviderError(Exception):
    """The provider refused or could not be reached; `message` is translated for the page."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


def _request(method: str, url: str, provider_name: str, **kwargs) -> dict:
    try:
        response = requests.request(
            method, url, timeout=settings.SSO_HTTP_TIMEOUT, allow_redirects=False, **kwargs
        )
    except requests.RequestException as exc:
        logger.warning("%s unreachable: %s %s", provider_name, url, exc)
        raise ProviderError(
            _("暂时无法连接%(provider)s,请稍后再试。") % {"provider": provider_name}, str(exc)
        ) from exc
    try:
        data = response.json()
    except ValueError as exc:
        logger.warning("%s answered %s without JSON: %s", provider_name, response.status_code, url)
        raise ProviderError(
            _("%(provider)s返回了无法识别的应答,请稍后再试。") % {"provider": provider_name},
            f"HTTP {response.status_code}",
        ) from exc
    if not isinstance(data, dict):
        raise ProviderError(
            _("%(provider)s返回了无法识别的应答,请稍后再试。") % {"provider": provider_name}
        )
    data["_http_status"] = response.status_code
    return data


class _TimeoutSession(requests.Session):
    def request(self, method, url, **kwargs):
        kwargs.setdefault("timeout", settings.SSO_HTTP_TIMEOUT)
        return super().request(method, url, **kwargs)


def timeout_session() -> requests.Session:
    """A requests session whose every call times out after SSO_HTTP_TIMEOUT seconds (for
    clients such as python-cas that take a session and set no timeout themselves)."""
    return _TimeoutSession()


def get_json(url: str, provider_name: str, **kwargs) -> dict:
    return _request("GET", url, provider_name, **kwargs)


def post_json(url: str, provider_name: str, **kwargs) -> dict:
    return _request("POST", url, provider_name, **kwargs)
