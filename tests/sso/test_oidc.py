"""OpenID Connect against the fake provider: the whole round trip through the test client."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.urls import reverse

from accounts.models import User
from sso.choices import Provider
from sso.models import ExternalIdentity

from .conftest import bind, logged_in_as

pytestmark = pytest.mark.django_db


def _round_trip(client, next_url: str = ""):
    """/sso/oidc/authenticate/ → the provider's authorize endpoint (a real HTTP request to
    127.0.0.1) → the callback, as a browser would. Returns the callback's response."""
    start = reverse("sso:oidc_authenticate") + (f"?next={next_url}" if next_url else "")
    response = client.get(start)
    assert response.status_code == 302
    at_provider = requests.get(response["Location"], allow_redirects=False, timeout=5)
    assert at_provider.status_code == 302
    back = urlsplit(at_provider.headers["Location"])
    assert back.path == reverse("sso:oidc_callback")
    return client.get(f"{back.path}?{back.query}")


def test_bound_subject_logs_in_as_its_user(client, oidc, officer_a):
    bind(officer_a, Provider.OIDC, oidc.subject)
    response = _round_trip(client, next_url="/hazards/")
    assert response.status_code == 302
    assert response["Location"] == "/hazards/"
    assert logged_in_as(client) == officer_a
    identity = ExternalIdentity.objects.get(user=officer_a)
    assert identity.last_login_at is not None


def test_hs256_id_token_signed_with_the_client_secret(client, oidc, officer_a, settings):
    settings.OIDC_RP_SIGN_ALGO = "HS256"
    oidc.algorithm = "HS256"
    bind(officer_a, Provider.OIDC, oidc.subject)
    response = _round_trip(client)
    assert response.status_code == 302
    assert logged_in_as(client) == officer_a
    assert "/jwks" not in oidc.server.paths()


def test_token_signed_with_another_algorithm_is_refused(client, oidc, officer_a, settings):
    settings.OIDC_RP_SIGN_ALGO = "HS256"  # the provider still signs RS256
    bind(officer_a, Provider.OIDC, oidc.subject)
    response = _round_trip(client)
    assert response.status_code == 400
    assert logged_in_as(client) is None


def test_authorize_request_carries_state_nonce_and_pkce(client, oidc):
    response = client.get(reverse("sso:oidc_authenticate"))
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["client_id"] == ["safe-hospital"]
    assert query["redirect_uri"] == ["http://testserver/sso/oidc/callback/"]
    assert query["state"][0] and query["nonce"][0]
    assert query["code_challenge_method"] == ["S256"]


def test_unbound_subject_is_refused_and_nobody_is_created(client, oidc, officer_a):
    users = User.objects.count()
    response = _round_trip(client)
    assert response.status_code == 403
    assert "该账号尚未绑定,请联系管理员" in response.content.decode()
    assert logged_in_as(client) is None
    assert User.objects.count() == users
    assert not ExternalIdentity.objects.exists()


def test_inactive_bound_user_is_refused(client, oidc, officer_a):
    bind(officer_a, Provider.OIDC, oidc.subject)
    officer_a.is_active = False
    officer_a.save()
    response = _round_trip(client)
    assert response.status_code == 403
    assert logged_in_as(client) is None


def test_claim_binding_when_enabled(client, oidc, officer_a, settings):
    settings.SSO_OIDC_BIND_BY_CLAIM = "preferred_username"
    response = _round_trip(client)
    assert response.status_code == 302
    assert logged_in_as(client) == officer_a
    assert ExternalIdentity.objects.get(provider="oidc").subject == oidc.subject


def test_claim_binding_never_binds_a_superuser(client, oidc, settings, django_user_model):
    django_user_model.objects.create_superuser("root", "root@example.org", "x-Pass-2026!")
    oidc.claims["preferred_username"] = "root"
    settings.SSO_OIDC_BIND_BY_CLAIM = "preferred_username"
    response = _round_trip(client)
    assert response.status_code == 403
    assert logged_in_as(client) is None


def test_token_for_another_client_is_refused(client, oidc, officer_a):
    bind(officer_a, Provider.OIDC, oidc.subject)
    oidc.audience = "some-other-app"
    response = _round_trip(client)
    assert response.status_code == 400
    assert logged_in_as(client) is None


def test_wrong_state_is_refused(client, oidc, officer_a):
    bind(officer_a, Provider.OIDC, oidc.subject)
    client.get(reverse("sso:oidc_authenticate"))
    response = client.get(reverse("sso:oidc_callback") + "?code=abc&state=forged")
    assert response.status_code == 400
    assert "登录请求已失效" in response.content.decode()
    assert logged_in_as(client) is None
    # nothing was exchanged at the provider
    assert "/token" not in oidc.server.paths()


def test_provider_error_is_shown_translated(client, oidc):
    client.get(reverse("sso:oidc_authenticate"))
    response = client.get(reverse("sso:oidc_callback") + "?error=access_denied&state=x")
    assert response.status_code == 400
    assert "您已取消登录" in response.content.decode()


def test_provider_down_is_a_page_not_a_500(client, oidc, officer_a):
    bind(officer_a, Provider.OIDC, oidc.subject)
    oidc.server.route("POST", "/token", (503, "maintenance"))
    response = _round_trip(client)
    assert response.status_code == 502
    assert "暂时无法完成" in response.content.decode()
    assert logged_in_as(client) is None
