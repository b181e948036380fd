from __future__ import annotations

from sso.checks import provider_settings


def test_nothing_configured_is_fine(settings):
    assert provider_settings() == []


def test_half_configured_wecom_fails_the_check(settings):
    settings.SSO_WECOM_ENABLED = True
    settings.WECOM_CORP_ID = "ww1"
    (error,) = provider_settings()
    assert error.id == "sso.E001" and "WECOM_AGENT_ID, WECOM_SECRET" in error.msg


def test_oidc_rs256_without_jwks_fails_the_check(settings):
    settings.SSO_OIDC_ENABLED = True
    for name in (
        "OIDC_RP_CLIENT_ID",
        "OIDC_RP_CLIENT_SECRET",
        "OIDC_OP_AUTHORIZATION_ENDPOINT",
        "OIDC_OP_TOKEN_ENDPOINT",
        "OIDC_OP_USER_ENDPOINT",
    ):
        setattr(settings, name, "https://idp.example.org/x")
    settings.OIDC_OP_JWKS_ENDPOINT = None
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "sso.backends.OIDCBackend",
    ]
    assert [error.id for error in provider_settings()] == ["sso.E002"]
