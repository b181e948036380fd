"""Idempotency-Key: the same key and request twice creates one hazard and answers the same; the
same key with another body is 422; uploads are stored once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from api.models import IdempotencyRecord
from hazards.models import Hazard, HazardEvidence
from tests.factories import HospitalFactory, OfficerFactory, RegionFactory
from tests.hazards.factories import distinct_jpeg, upload

from .helpers import api_client, issue

BODY = {
    "category": "fire",
    "location": "门诊楼",
    "description": "灭火器过期",
    "source": "self_inspection",
}


@pytest.fixture
def client_key(db):
    county = RegionFactory(code="JJ", level="county")
    officer = OfficerFactory(hospital=HospitalFactory(region=county))
    _token, secret = issue(officer)
    return api_client(secret, **{"Idempotency-Key": "raise-0001"})


def test_same_key_twice_creates_one_hazard(client_key):
    first = client_key.post("/api/v1/hazards/", BODY, content_type="application/json")
    second = client_key.post("/api/v1/hazards/", BODY, content_type="application/json")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Idempotency-Replayed"] == "true"
    assert second["Location"] == first["Location"]
    assert Hazard.objects.count() == 1


def test_same_key_other_body_is_422(client_key):
    client_key.post("/api/v1/hazards/", BODY, content_type="application/json")
    response = client_key.post(
        "/api/v1/hazards/", {**BODY, "location": "急诊楼"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert response.json()["field"] == "Idempotency-Key"
    assert Hazard.objects.count() == 1


def test_without_a_key_each_post_is_a_new_hazard(db):
    county = RegionFactory(code="JJ", level="county")
    officer = OfficerFactory(hospital=HospitalFactory(region=county))
    _token, secret = issue(officer)
    client = api_client(secret)
    for _ in range(2):
        client.post("/api/v1/hazards/", BODY, content_type="application/json")
    assert Hazard.objects.count() == 2


def test_a_refusal_is_replayed_too_and_nothing_is_created(client_key):
    bad = {**BODY, "category": "nonsense"}
    first = client_key.post("/api/v1/hazards/", bad, content_type="application/json")
    second = client_key.post("/api/v1/hazards/", bad, content_type="application/json")
    assert first.status_code == second.status_code == 400
    assert first.json() == second.json()
    assert not Hazard.objects.exists()


def test_multipart_upload_replayed_stores_the_photo_once(client_key):
    photo = distinct_jpeg()
    responses = [
        client_key.post("/api/v1/hazards/", {**BODY, "photos": [upload("p.jpg", photo)]})
        for _ in range(2)
    ]
    assert [r.status_code for r in responses] == [201, 201]
    assert Hazard.objects.count() == 1
    assert HazardEvidence.objects.count() == 1


def test_bad_key_is_400(db):
    county = RegionFactory(code="JJ", level="county")
    officer = OfficerFactory(hospital=HospitalFactory(region=county))
    _token, secret = issue(officer)
    response = api_client(secret, **{"Idempotency-Key": "x" * 300}).post(
        "/api/v1/hazards/", BODY, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_idempotency_key"
    assert not Hazard.objects.exists()


def test_records_are_purged_after_a_day(client_key):
    client_key.post("/api/v1/hazards/", BODY, content_type="application/json")
    assert IdempotencyRecord.objects.count() == 1
    with time_machine.travel(timezone.now() + dt.timedelta(hours=25)):
        response = client_key.post("/api/v1/hazards/", BODY, content_type="application/json")
    # The old record is gone, so the key counts as new: a second hazard, one fresh record.
    assert response.status_code == 201
    assert Hazard.objects.count() == 2
    assert IdempotencyRecord.objects.count() == 1
