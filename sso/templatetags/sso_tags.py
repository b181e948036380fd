from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.urls import reverse

from ..choices import Provider
from ..conf import enabled_providers, is_enabled, provider_label
from ..forms import IdentityForm

register = template.Library()

_LOGIN_URL_NAMES = {
    Provider.OIDC: "sso:oidc_authenticate",
    Provider.CAS: "sso:cas_login",
    Provider.WECOM: "sso:wecom_login",
    Provider.DINGTALK: "sso:dingtalk_login",
}
_ICONS = {
    Provider.OIDC: "bi-shield-lock",
    Provider.CAS: "bi-building-lock",
    Provider.WECOM: "bi-wechat",
    Provider.DINGTALK: "bi-chat-dots",
}


@register.inclusion_tag("sso/_buttons.html", takes_context=True)
def sso_login_buttons(context):
    """One button per configured provider (none at all when nothing is configured), each
    carrying the login page's `next`."""
    request = context.get("request")
    target = request.GET.get("next") if request is not None else None
    query = "?" + urlencode({"next": target}) if target else ""
    buttons = [
        {
            "url": reverse(_LOGIN_URL_NAMES[provider]) + query,
            "label": provider_label(provider),
            "icon": _ICONS[provider],
            "provider": provider.value,
        }
        for provider in enabled_providers()
    ]
    return {"buttons": buttons}


@register.simple_tag
def sso_self_binding() -> bool:
    """Whether users can bind an account themselves (WeCom or DingTalk switched on)."""
    return is_enabled(Provider.WECOM) or is_enabled(Provider.DINGTALK)


@register.inclusion_tag("sso/_user_identities.html", takes_context=True)
def sso_user_identities(context, target):
    """The "bound identities" section of an administrator's user page."""
    identities = list(target.external_identities.all())
    return {
        # Nothing to see where SSO is not used at all: no provider on and nothing bound.
        "show": bool(identities or enabled_providers()),
        "target": target,
        "identities": identities,
        "form": IdentityForm(),
        "csrf_token": context.get("csrf_token"),
    }
