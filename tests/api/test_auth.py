"""Bearer tokens: valid, expired, revoked, wrong secret, read-only on a write; errors are JSON
in the client's language."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from api.choices import Scope
from api.models import ApiToken
from api.services import token_revoke
from hazards.models import Hazard
from tests.factories import BureauUserFactory, HospitalFactory, OfficerFactory, RegionFactory

from .helpers import api_client, issue


@pytest.fixture
def officer(db):
    county = RegionFactory(code="JJ", level="county")
    return OfficerFactory(hospital=HospitalFactory(region=county))


def test_valid_token_acts_as_its_owner(officer):
    token, secret = issue(officer, Scope.READ)
    response = api_client(secret).get("/api/v1/me/")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == officer.pk
    assert body["hospital"] == officer.hospital_id
    assert body["scope"] == "read"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_only_a_hash_of_the_token_is_stored(officer):
    token, secret = issue(officer)
    assert secret.startswith(f"sh_{token.prefix}_")
    assert secret not in token.token_hash
    assert len(token.token_hash) == 64


@pytest.mark.parametrize("accept", ["", "en"])
def test_no_token_is_401_json_not_a_login_redirect(db, accept):
    headers = {"Accept-Language": accept} if accept else {}
    response = api_client(None, **headers).get("/api/v1/hazards/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    body = response.json()
    assert body["code"] == "not_authenticated"
    if accept == "en":
        assert body["detail"] == "Authentication credentials were not provided."
    else:
        assert body["detail"] == "身份认证信息未提供。"


def test_wrong_secret_is_401(officer):
    _token, secret = issue(officer)
    response = api_client(secret[:-2] + "xx").get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["detail"] == "令牌无效、已过期或已被吊销。"


def test_revoked_token_is_401(officer):
    token, secret = issue(officer)
    token_revoke(token=token, by=officer)
    assert api_client(secret).get("/api/v1/me/").status_code == 401


def test_expired_token_is_401(officer):
    _token, secret = issue(officer, days=1)
    assert api_client(secret).get("/api/v1/me/").status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(days=3)):
        response = api_client(secret).get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["detail"] == "令牌无效、已过期或已被吊销。"


def test_deactivated_owner_is_401(officer):
    _token, secret = issue(officer)
    officer.is_active = False
    officer.save()
    assert api_client(secret).get("/api/v1/me/").status_code == 401


def test_read_only_token_cannot_write(officer):
    _token, secret = issue(officer, Scope.READ)
    response = api_client(secret).post(
        "/api/v1/hazards/",
        {"category": "fire", "location": "x", "description": "y", "source": "self_inspection"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "该令牌只有只读权限,不能执行写操作。"
    assert not Hazard.objects.exists()


def test_write_token_can_write(officer):
    _token, secret = issue(officer, Scope.WRITE)
    response = api_client(secret).post(
        "/api/v1/hazards/",
        {
            "category": "fire",
            "location": "门诊楼",
            "description": "灭火器过期",
            "source": "self_inspection",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    hazard = Hazard.objects.get()
    assert hazard.hospital_id == officer.hospital_id
    assert hazard.found_by == officer


def test_session_login_works_for_reads_and_writes_need_csrf(officer, client):
    client.force_login(officer)
    assert client.get("/api/v1/me/").status_code == 200
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(officer)
    response = strict.post("/api/v1/hazards/", {}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_validation_errors_are_json_and_translated(officer, language):
    _token, secret = issue(officer)
    response = api_client(secret, **{"Accept-Language": language}).post(
        "/api/v1/hazards/",
        {"category": "nonsense", "source": "self_inspection", "description": "d"},
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["errors"]) >= {"category", "location"}
    assert body["field"] in body["errors"]
    if language == "en":
        assert body["errors"]["location"] == ["This field is required."]
    else:
        assert body["errors"]["location"] == ["该字段是必填项。"]


def test_domain_refusal_is_json_403_and_translated(db):
    county = RegionFactory(code="JJ", level="county")
    hospital = HospitalFactory(region=county)
    officer = OfficerFactory(hospital=hospital)
    bureau = BureauUserFactory(region=county)
    _t, bureau_secret = issue(bureau)
    _t, officer_secret = issue(officer)
    created = api_client(bureau_secret).post(
        "/api/v1/hazards/",
        {
            "hospital": hospital.pk,
            "category": "fire",
            "location": "门诊楼",
            "description": "灭火器过期",
            "source": "supervision",
        },
        content_type="application/json",
    )
    pk = created.json()["id"]
    # The bureau may not do the hospital's part: the service refuses, with its own message.
    for language, text in [
        ("zh-hans", "只有该医院的安全管理员可以办理隐患整改。"),
        ("en", "Only this hospital's security officer can handle hazard rectification."),
    ]:
        response = api_client(bureau_secret, **{"Accept-Language": language}).post(
            f"/api/v1/hazards/{pk}/start/",
            {"responsible_person": "王五", "rectification_measures": "m", "interim_measures": "i"},
            content_type="application/json",
        )
        assert response.status_code == 403
        assert response.json() == {"detail": text, "code": "not_allowed", "field": None}
    # A rule (not a right): 400 with the service's message.
    response = api_client(officer_secret).post(
        f"/api/v1/hazards/{pk}/submit/", {}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "refused"
    assert ApiToken.objects.count() == 2


def test_requests_are_throttled_per_token(officer, settings):
    settings.API_THROTTLE_RATE = "2/min"
    _token, secret = issue(officer)
    _other, other_secret = issue(officer)
    client = api_client(secret)
    assert [client.get("/api/v1/me/").status_code for _ in range(2)] == [200, 200]
    response = client.get("/api/v1/me/")
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert int(response["Retry-After"]) > 0
    # Another token of the same account has its own allowance.
    assert api_client(other_secret).get("/api/v1/me/").status_code == 200


def test_schema_is_served_as_yaml_and_json(officer):
    _token, secret = issue(officer, Scope.READ)
    client = api_client(secret)
    yaml = client.get("/api/schema/")
    assert yaml.status_code == 200
    assert b"openapi: 3" in yaml.content
    as_json = client.get("/api/schema/?format=json")
    assert as_json.status_code == 200
    assert "/api/v1/hazards/{id}/accept/" in as_json.json()["paths"]
