"""企业微信 (WeCom) login: QR login on the desktop, silent snsapi_base login inside the app.

Flow: our login URL → WeCom (QR page, or the in-app authorize URL) → our callback with
`code` and `state` → gettoken (the app's access token, cached) → auth/getuserinfo (the
member's UserId). 政务微信 and private deployments differ only by the base URLs (settings)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from .http import ProviderError, get_json

NAME = "wecom"
IN_APP_MARKER = "wxwork"
CODE_PARAM = "code"
TOKEN_CACHE_KEY = "sso:wecom:access_token"
# Token errors after which a fresh access token is fetched once (invalid / expired).
_TOKEN_ERRORS = {40014, 42001}


def _label() -> str:
    return _("企业微信")


def authorize_url(redirect_uri: str, state: str, *, in_app: bool) -> str:
    if in_app:
        query = urlencode(
            {
                "appid": settings.WECOM_CORP_ID,
                "redirect_uri": redirect_uri,
                "response_type": "code",
                "scope": "snsapi_base",
                "state": state,
                "agentid": settings.WECOM_AGENT_ID,
            }
        )
        return f"{settings.WECOM_OAUTH_BASE}/connect/oauth2/authorize?{query}#wechat_redirect"
    query = urlencode(
        {
            "login_type": "CorpApp",
            "appid": settings.WECOM_CORP_ID,
            "agentid": settings.WECOM_AGENT_ID,
            "redirect_uri": redirect_uri,
            "state": state,
        }
    )
    return f"{settings.WECOM_LOGIN_BASE}/wwlogin/sso/login?{query}"


def _error(data: dict) -> ProviderError:
    return ProviderError(
        _("企业微信返回错误:%(message)s(错误码 %(code)s)")
        % {"message": data.get("errmsg") or "-", "code": data.get("errcode")},
        str(data),
    )


def _access_token(*, fresh: bool = False) -> str:
    token = None if fresh else cache.get(TOKEN_CACHE_KEY)
    if token:
        return token
    data = get_json(
        f"{settings.WECOM_API_BASE}/cgi-bin/gettoken",
        _label(),
        params={"corpid": settings.WECOM_CORP_ID, "corpsecret": settings.WECOM_SECRET},
    )
    if data.get("errcode", 0) != 0 or not data.get("access_token"):
        raise _error(data)
    token = str(data["access_token"])
    # WeCom tokens live 7200 s and gettoken is rate-limited: reuse it, renewing a bit early.
    cache.set(TOKEN_CACHE_KEY, token, max(int(data.get("expires_in") or 7200) - 300, 60))
    return token


def subject_for_code(code: str) -> str:
    """The WeCom UserId of the member who logged in."""
    for attempt in (0, 1):
        data = get_json(
            f"{settings.WECOM_API_BASE}/cgi-bin/auth/getuserinfo",
            _label(),
            params={"access_token": _access_token(fresh=attempt == 1), "code": code},
        )
        if data.get("errcode") in _TOKEN_ERRORS and attempt == 0:
            cache.delete(TOKEN_CACHE_KEY)
            continue
        break
    if data.get("errcode", 0) != 0:
        raise _error(data)
    user_id = data.get("userid") or data.get("UserId")
    if not user_id:
        # Non-members get an openid / external_userid only: they are nobody here.
        raise ProviderError(_("该企业微信账号不是本单位成员,不能登录。"), str(data))
    return str(user_id)
