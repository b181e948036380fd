"""The default: no provider configured → no buttons, every SSO URL 404, nothing called."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

SSO_URLS = [
    "sso:oidc_authenticate",
    "sso:oidc_callback",
    "sso:cas_login",
    "sso:wecom_login",
    "sso:wecom_callback",
    "sso:dingtalk_login",
    "sso:dingtalk_callback",
]


def test_default_settings_switch_every_provider_off(settings):
    assert not settings.SSO_OIDC_ENABLED
    assert not settings.SSO_CAS_ENABLED
    assert not settings.SSO_WECOM_ENABLED
    assert not settings.SSO_DINGTALK_ENABLED
    assert "sso.backends.OIDCBackend" not in settings.AUTHENTICATION_BACKENDS
    assert "sso.backends.CASBackend" not in settings.AUTHENTICATION_BACKENDS
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"


@pytest.mark.parametrize("name", SSO_URLS)
def test_sso_urls_answer_404_and_call_nothing(client, no_outbound, name):
    response = client.get(reverse(name), {"code": "c", "state": "s", "ticket": "ST-1"})
    assert response.status_code == 404
    assert no_outbound == []


def test_login_page_has_no_sso_buttons(client, no_outbound):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "data-sso-buttons" not in response.content.decode()


def test_in_app_browser_gets_the_password_page(client, no_outbound):
    response = client.get(reverse("login"), HTTP_USER_AGENT="Mozilla/5.0 wxwork/4.1 DingTalk/7")
    assert response.status_code == 200


def test_login_page_shows_only_configured_providers(client, wecom, dingtalk):
    body = client.get(reverse("login") + "?next=/hazards/").content.decode()
    assert "data-sso-buttons" in body
    assert 'data-sso-provider="wecom"' in body and 'data-sso-provider="dingtalk"' in body
    assert 'data-sso-provider="oidc"' not in body and 'data-sso-provider="cas"' not in body
    assert reverse("sso:wecom_login") + "?next=%2Fhazards%2F" in body
