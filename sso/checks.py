"""`manage.py check` (and every server start) fails loudly on a half-configured provider,
rather than a login failing with a 500 later."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register

# provider switch → settings it cannot work without
REQUIRED = {
    "SSO_OIDC_ENABLED": (
        "OIDC_RP_CLIENT_ID",
        "OIDC_RP_CLIENT_SECRET",
        "OIDC_OP_AUTHORIZATION_ENDPOINT",
        "OIDC_OP_TOKEN_ENDPOINT",
        "OIDC_OP_USER_ENDPOINT",
    ),
    "SSO_CAS_ENABLED": ("CAS_SERVER_URL",),
    "SSO_WECOM_ENABLED": ("WECOM_CORP_ID", "WECOM_AGENT_ID", "WECOM_SECRET"),
    "SSO_DINGTALK_ENABLED": ("DINGTALK_CLIENT_ID", "DINGTALK_CLIENT_SECRET"),
}


@register()
def provider_settings(app_configs=None, **kwargs) -> list[Error]:
    errors = []
    for switch, names in REQUIRED.items():
        if not getattr(settings, switch, False):
            continue
        missing = [name for name in names if not getattr(settings, name, None)]
        if missing:
            errors.append(
                Error(
                    f"{switch} is on but {', '.join(missing)} is not set.",
                    hint="Set the missing variables, or switch the provider off.",
                    id="sso.E001",
                )
            )
    if getattr(settings, "SSO_OIDC_ENABLED", False):
        algo = settings.OIDC_RP_SIGN_ALGO
        if algo.startswith(("RS", "ES")) and not (
            settings.OIDC_OP_JWKS_ENDPOINT or getattr(settings, "OIDC_RP_IDP_SIGN_KEY", None)
        ):
            errors.append(
                Error(
                    f"OIDC_RP_SIGN_ALGO={algo} needs OIDC_OP_JWKS_ENDPOINT.",
                    hint="Set the provider's JWKS endpoint, or use HS256.",
                    id="sso.E002",
                )
            )
        backend = "sso.backends.OIDCBackend"
        if backend not in settings.AUTHENTICATION_BACKENDS:
            errors.append(
                Error(f"{backend} is missing from AUTHENTICATION_BACKENDS.", id="sso.E003")
            )
    if getattr(settings, "SSO_CAS_ENABLED", False):
        backend = "sso.backends.CASBackend"
        if backend not in settings.AUTHENTICATION_BACKENDS:
            errors.append(
                Error(f"{backend} is missing from AUTHENTICATION_BACKENDS.", id="sso.E003")
            )
    return errors
