"""Which single sign-on providers are switched on, and what they are called on the page.

Every provider is off unless its settings say otherwise (config/settings.py): with nothing
configured no button is shown, every SSO URL answers 404 and nothing external is called."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from .choices import Provider

_ENABLED_SETTING = {
    Provider.OIDC: "SSO_OIDC_ENABLED",
    Provider.CAS: "SSO_CAS_ENABLED",
    Provider.WECOM: "SSO_WECOM_ENABLED",
    Provider.DINGTALK: "SSO_DINGTALK_ENABLED",
}


def is_enabled(provider: str) -> bool:
    name = _ENABLED_SETTING.get(provider)
    return bool(name and getattr(settings, name, False))


def enabled_providers() -> list[Provider]:
    return [provider for provider in Provider if is_enabled(provider)]


def provider_label(provider: str) -> str:
    """The button text: the configured display names of OIDC and CAS, else the brand."""
    if provider == Provider.OIDC:
        return _(settings.SSO_OIDC_NAME) if settings.SSO_OIDC_NAME else str(Provider.OIDC.label)
    if provider == Provider.CAS:
        return _(settings.SSO_CAS_NAME) if settings.SSO_CAS_NAME else str(Provider.CAS.label)
    return str(Provider(provider).label)
