"""钉钉 (DingTalk) login: QR login on the desktop and in-app login inside DingTalk.

Flow: our login URL → login.dingtalk.com/oauth2/auth (a QR page on the desktop; inside the
DingTalk client the same URL logs the member in without a QR) → our callback with `authCode`
and `state` → /v1.0/oauth2/userAccessToken → /v1.0/contact/users/me (the member's unionId).
政务钉钉 and private deployments differ only by the base URLs (settings)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.utils.translation import gettext as _

from .http import ProviderError, get_json, post_json

NAME = "dingtalk"
IN_APP_MARKER = "dingtalk"
CODE_PARAM = "authCode"


def _label() -> str:
    return _("钉钉")


def authorize_url(redirect_uri: str, state: str, *, in_app: bool) -> str:
    params = {
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "client_id": settings.DINGTALK_CLIENT_ID,
        "scope": "openid",
        "state": state,
        "prompt": "consent",
    }
    return f"{settings.DINGTALK_LOGIN_BASE}/oauth2/auth?{urlencode(params)}"


def _error(data: dict) -> ProviderError:
    return ProviderError(
        _("钉钉返回错误:%(message)s(错误码 %(code)s)")
        % {"message": data.get("message") or "-", "code": data.get("code") or "-"},
        str(data),
    )


def subject_for_code(code: str) -> str:
    """The DingTalk unionId of the member who logged in (stable across the organisation's
    apps)."""
    token = post_json(
        f"{settings.DINGTALK_API_BASE}/v1.0/oauth2/userAccessToken",
        _label(),
        json={
            "clientId": settings.DINGTALK_CLIENT_ID,
            "clientSecret": settings.DINGTALK_CLIENT_SECRET,
            "code": code,
            "grantType": "authorization_code",
        },
    )
    if token["_http_status"] != 200 or not token.get("accessToken"):
        raise _error(token)
    me = get_json(
        f"{settings.DINGTALK_API_BASE}/v1.0/contact/users/me",
        _label(),
        headers={"x-acs-dingtalk-access-token": str(token["accessToken"])},
    )
    if me["_http_status"] != 200:
        raise _error(me)
    union_id = me.get("unionId")
    if not union_id:
        raise ProviderError(_("钉钉未返回用户标识,请联系管理员检查应用权限。"), str(me))
    return str(union_id)
