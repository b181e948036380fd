"""The token pages and services: administrators issue tokens to the accounts they manage and
create integration accounts; the secret is shown once; owners and administrators revoke."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client, override_settings

from api.choices import Scope
from api.models import ApiToken, IntegrationAccount
from api.services import integration_account_create, token_issue
from core.dates import today
from core.errors import DomainError, NotAllowed
from core.roles import Role
from tests.factories import AdminUserFactory, UserFactory

from .helpers import api_client


@pytest.fixture(autouse=True)
def _combined_admin_duties(settings):
    """These tests run the pages in the combined mode (the system administrator also manages
    accounts and their credentials, as a small deployment runs it); the separated mode is
    covered below and by the access matrix."""
    settings.ADMIN_DUTIES_SEPARATED = False


def _issue_page(client, owner, **extra):
    return client.post(
        "/api-tokens/new/",
        {
            "owner": owner.pk,
            "name": "医院信息平台",
            "scope": "write",
            "expires_on": (today() + dt.timedelta(days=30)).isoformat(),
            **extra,
        },
    )


def test_administrator_issues_a_token_shown_once_that_works(client, county_admin, officer_a):
    client.force_login(county_admin)
    response = _issue_page(client, officer_a)
    assert response.status_code == 200
    token = ApiToken.objects.get()
    secret = response.context["secret"]
    assert secret.startswith(f"sh_{token.prefix}_")
    assert token.scope == Scope.WRITE and token.owner == officer_a
    assert token.created_by == county_admin
    me = api_client(secret).get("/api/v1/me/").json()
    assert me["id"] == officer_a.pk
    # The list shows the prefix only, never the secret again.
    listing = client.get("/api-tokens/")
    assert f"sh_{token.prefix}" in listing.content.decode()
    assert secret not in listing.content.decode()


def test_administrator_cannot_issue_outside_their_region(client, county_admin, officer_b):
    client.force_login(county_admin)
    response = _issue_page(client, officer_b)
    assert response.status_code == 200
    assert "owner" in response.context["form"].errors
    assert not ApiToken.objects.exists()
    with pytest.raises(NotAllowed):
        token_issue(owner=officer_b, name="x", scope=Scope.READ, expires_on=None, by=county_admin)


def test_expiry_is_bounded(county_admin, officer_a, settings):
    settings.API_TOKEN_MAX_DAYS = 10
    with pytest.raises(DomainError) as refused:
        token_issue(
            owner=officer_a,
            name="x",
            scope=Scope.READ,
            expires_on=today() + dt.timedelta(days=11),
            by=county_admin,
        )
    assert refused.value.field == "expires_on"
    with pytest.raises(DomainError):
        token_issue(
            owner=officer_a, name="x", scope=Scope.READ, expires_on=today(), by=county_admin
        )


def test_officer_sees_and_revokes_own_token_but_cannot_issue(client, county_admin, officer_a):
    token, secret = token_issue(
        owner=officer_a, name="mine", scope=Scope.READ, expires_on=None, by=county_admin
    )
    client.force_login(officer_a)
    assert client.get("/api-tokens/new/").status_code == 403
    assert "mine" in client.get("/api-tokens/").content.decode()
    response = client.post(f"/api-tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_by == officer_a
    assert api_client(secret).get("/api/v1/me/").status_code == 401


def test_another_hospital_cannot_revoke(client, county_admin, officer_a, officer_b):
    token, _secret = token_issue(
        owner=officer_a, name="mine", scope=Scope.READ, expires_on=None, by=county_admin
    )
    client.force_login(officer_b)
    assert client.post(f"/api-tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_integration_account_sees_as_its_role_and_cannot_log_in(client, county_admin, hospital_a):
    client.force_login(county_admin)
    response = client.post(
        "/api-tokens/integrations/new/",
        {
            "name": "数据大屏",
            "description": "院内大屏",
            "role": "officer",
            "hospital": hospital_a.pk,
        },
    )
    assert response.status_code == 302
    account = IntegrationAccount.objects.get()
    assert response["Location"] == f"/api-tokens/new/?owner={account.user_id}"
    user = account.user
    assert user.hospital == hospital_a and user.role == "officer"
    assert not user.has_usable_password()
    assert not user.check_password("")
    _token, secret = token_issue(
        owner=user, name="大屏", scope=Scope.READ, expires_on=None, by=county_admin
    )
    hospitals = api_client(secret).get("/api/v1/hospitals/").json()["results"]
    assert [h["id"] for h in hospitals] == [hospital_a.pk]


def test_integration_account_only_inside_the_region(county_admin, other_county):
    with pytest.raises(NotAllowed):
        integration_account_create(
            name="x", description="", role="bureau", region=other_county, by=county_admin
        )
    city_admin = AdminUserFactory(region=other_county.parent)
    account = integration_account_create(
        name="市平台", description="", role="bureau", region=other_county, by=city_admin
    )
    assert account.user.region == other_county


def test_docs_page_is_served_from_static_without_inline_script(client, officer_a):
    client.force_login(officer_a)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "/static/js/api-docs.js" in html
    assert "<script>" not in html and "style=" not in html and "<style" not in html
    assert "cdn" not in html.lower()
    assert Client().get("/api/docs/").status_code == 302  # the login page


def test_separated_duties_the_security_administrator_issues_tokens(client, county, officer_a):
    security_admin = UserFactory(role=Role.SECADMIN, region=county)
    system_admin = AdminUserFactory(region=county)
    with override_settings(ADMIN_DUTIES_SEPARATED=True):
        client.force_login(system_admin)
        assert _issue_page(client, officer_a).status_code == 403
        client.force_login(security_admin)
        assert _issue_page(client, officer_a).status_code == 200
        assert ApiToken.objects.filter(owner=officer_a).count() == 1
        with pytest.raises(NotAllowed):
            integration_account_create(
                name="大屏",
                description="",
                role="officer",
                hospital=officer_a.hospital,
                by=system_admin,
            )


@pytest.mark.parametrize("role", [Role.SECADMIN, Role.AUDITOR])
def test_security_and_audit_administrators_use_no_business_endpoint(county, role):
    """The duty fence of the pages holds for the API: their tokens are refused (403)."""
    user = UserFactory(role=role, region=county)
    _token, secret = token_issue(
        owner=user,
        name="测试",
        scope=Scope.READ,
        expires_on=today() + dt.timedelta(days=5),
        by=UserFactory(is_superuser=True, is_staff=True),
    )
    api = api_client(secret)
    for path in ("/api/v1/me/", "/api/v1/hazards/", "/api/v1/hospitals/"):
        response = api.get(path)
        assert response.status_code == 403, path
        assert response.json()["code"] == "permission_denied"
