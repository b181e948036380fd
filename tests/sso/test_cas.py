"""CAS: django-cas-ng's ticket validation against recorded CAS 3 answers on 127.0.0.1."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from sso.choices import Provider

from .conftest import bind, logged_in_as
from .fake_provider import recorded

pytestmark = pytest.mark.django_db


def test_cas_login_redirects_to_the_cas_server(client, cas):
    response = client.get(reverse("sso:cas_login") + "?next=/hazards/")
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == cas.url + "/cas/login"
    service = parse_qs(location.query)["service"][0]
    assert service == "http://testserver/sso/cas/login/?next=%2Fhazards%2F"


def test_valid_ticket_of_a_bound_user_logs_in(client, cas, officer_a):
    bind(officer_a, Provider.CAS, "wangwu")
    cas.route("GET", "/cas/p3/serviceValidate", recorded("cas_service_validate_success.xml"))
    response = client.get(reverse("sso:cas_login"), {"next": "/hazards/", "ticket": "ST-1-abc"})
    assert response.status_code == 302 and response["Location"] == "/hazards/"
    assert logged_in_as(client) == officer_a
    (call,) = cas.calls
    assert call.query["ticket"] == ["ST-1-abc"]
    assert call.query["service"] == ["http://testserver/sso/cas/login/?next=%2Fhazards%2F"]


def test_valid_ticket_of_an_unbound_user_is_refused(client, cas, officer_a):
    # A CAS user named like a local account is still nobody until bound.
    cas.route("GET", "/cas/p3/serviceValidate", recorded("cas_service_validate_success.xml"))
    officer_a.username = "wangwu"
    officer_a.save()
    response = client.get(reverse("sso:cas_login"), {"ticket": "ST-1-abc"})
    assert response.status_code == 403
    assert "该账号尚未绑定,请联系管理员" in response.content.decode()
    assert logged_in_as(client) is None


def test_invalid_ticket_is_refused(client, cas, officer_a):
    bind(officer_a, Provider.CAS, "wangwu")
    cas.route("GET", "/cas/p3/serviceValidate", recorded("cas_service_validate_failure.xml"))
    response = client.get(reverse("sso:cas_login"), {"ticket": "ST-forged"})
    assert response.status_code == 403
    assert "CAS 登录票据无效或已过期" in response.content.decode()
    assert logged_in_as(client) is None


def test_cas_server_answering_garbage_is_a_page_not_a_500(client, cas, officer_a):
    bind(officer_a, Provider.CAS, "wangwu")
    cas.route("GET", "/cas/p3/serviceValidate", (500, "Internal error"))
    response = client.get(reverse("sso:cas_login"), {"ticket": "ST-1"})
    assert response.status_code == 502
    assert "暂时无法完成" in response.content.decode()
    assert logged_in_as(client) is None
