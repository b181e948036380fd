"""A region that requires SSO: password logins of its users (and its hospitals' users, and
those of its sub-regions) are refused with a message pointing to the SSO buttons."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sso.choices import Provider
from tests.factories import DEFAULT_PASSWORD

from .conftest import bind, logged_in_as

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
REFUSAL = "您所在的区域要求使用单点登录"


def _password_login(client, username):
    return client.post(LOGIN, {"username": username, "password": DEFAULT_PASSWORD})


def test_officer_of_a_hospital_in_an_sso_city_is_refused(client, wecom, city, officer_a):
    city.sso_required = True  # the officer's hospital is in a county below the city
    city.save()
    response = _password_login(client, "officer_a")
    assert response.status_code == 200
    body = response.content.decode()
    assert REFUSAL in body
    assert "请输入正确的" not in body  # not the generic "wrong password"
    assert "data-sso-buttons" in body
    assert logged_in_as(client) is None


def test_sso_login_still_works_in_that_region(client, wecom, city, officer_a):
    city.sso_required = True
    city.save()
    bind(officer_a, Provider.WECOM, "ZhangSan")
    response = client.get(reverse("sso:wecom_login"))
    state = response["Location"].split("state=")[1].split("&")[0]
    client.get(reverse("sso:wecom_callback"), {"code": "C", "state": state})
    assert logged_in_as(client) == officer_a


def test_bureau_user_of_the_region_is_refused(client, wecom, county, county_bureau):
    county.sso_required = True
    county.save()
    assert REFUSAL in _password_login(client, "county_bureau").content.decode()
    assert logged_in_as(client) is None


def test_other_regions_keep_passwords(client, wecom, other_county, county, officer_a):
    other_county.sso_required = True
    other_county.save()
    _password_login(client, "officer_a")
    assert logged_in_as(client) == officer_a


def test_wrong_password_in_an_sso_region_says_wrong_password(client, wecom, county, officer_a):
    county.sso_required = True
    county.save()
    response = client.post(LOGIN, {"username": "officer_a", "password": "not-it"})
    assert REFUSAL not in response.content.decode()


def test_superuser_keeps_the_password(client, wecom, django_user_model):
    django_user_model.objects.create_superuser("root", "r@example.org", DEFAULT_PASSWORD)
    _password_login(client, "root")
    assert logged_in_as(client).username == "root"


def test_break_glass_user_keeps_the_password(client, wecom, county, county_admin, settings):
    county.sso_required = True
    county.save()
    settings.SSO_BREAK_GLASS_USERS = ["county_admin"]
    _password_login(client, "county_admin")
    assert logged_in_as(client) == county_admin


def test_suspended_requirement_lets_everyone_use_passwords(
    client, wecom, county, officer_a, settings
):
    county.sso_required = True
    county.save()
    settings.SSO_REQUIREMENT_SUSPENDED = True
    _password_login(client, "officer_a")
    assert logged_in_as(client) == officer_a


def test_requirement_is_void_while_no_provider_is_configured(client, county, officer_a):
    county.sso_required = True
    county.save()
    _password_login(client, "officer_a")
    assert logged_in_as(client) == officer_a


def test_region_admin_sets_the_requirement_on_the_region_form(client, wecom, county, county_admin):
    client.force_login(county_admin)
    url = reverse("hospitals:region_edit", args=[county.pk])
    page = client.get(url).content.decode()
    assert 'name="sso_required"' in page
    data = {"name": county.name, "code": county.code, "sso_required": "on"}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    county.refresh_from_db()
    assert county.sso_required


def test_region_form_refuses_the_requirement_without_any_provider(client, county, county_admin):
    client.force_login(county_admin)
    url = reverse("hospitals:region_edit", args=[county.pk])
    data = {"name": county.name, "code": county.code, "sso_required": "on"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "尚未配置任何单点登录方式" in response.content.decode()
    county.refresh_from_db()
    assert not county.sso_required


def test_sub_region_inherits_the_requirement(city, county, other_county):
    city.sso_required = True
    city.save()
    county.refresh_from_db()
    assert county.requires_sso() and other_county.requires_sso()
    city.sso_required = False
    city.save()
    assert not county.requires_sso()
