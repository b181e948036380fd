"""The hazard journey through the API (raise → start → progress with a photo → submit →
bureau accepts) leaves the same events and notifications as the same journey on the pages."""

from __future__ import annotations

import pytest
from django.test import Client

from core.dates import today
from hazards.models import Hazard
from notifications.models import Notification
from tests.factories import BureauUserFactory, HospitalFactory, OfficerFactory, RegionFactory
from tests.hazards.factories import distinct_jpeg, upload

from .helpers import api_client, issue

RAISE = {
    "hospital": None,
    "source": "supervision",
    "category": "fire",
    "risk_level": "general",
    "location": "门诊楼三层消防通道",
    "description": "消防通道堆放杂物,影响疏散",
}
START = {
    "responsible_department": "总务科",
    "responsible_person": "王五",
    "rectification_measures": "清理杂物",
    "interim_measures": "设置警示",
}


@pytest.fixture
def cast(db):
    county = RegionFactory(code="JJ", level="county")
    hospital = HospitalFactory(region=county)
    return {
        "hospital": hospital,
        "officer": OfficerFactory(hospital=hospital),
        "bureau": BureauUserFactory(region=county),
    }


def _api_journey(cast) -> Hazard:
    _token, bureau_secret = issue(cast["bureau"])
    _token, officer_secret = issue(cast["officer"])
    bureau, officer = api_client(bureau_secret), api_client(officer_secret)
    response = bureau.post(
        "/api/v1/hazards/",
        {**RAISE, "hospital": cast["hospital"].pk},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response["Location"] == f"/api/v1/hazards/{pk}/"
    response = officer.post(f"/api/v1/hazards/{pk}/start/", START, content_type="application/json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "in_progress"
    response = officer.post(
        f"/api/v1/hazards/{pk}/progress/",
        {"note": "已清理一半", "files": [upload("after.jpg", distinct_jpeg())]},
    )
    assert response.status_code == 200, response.json()
    response = officer.post(
        f"/api/v1/hazards/{pk}/submit/", {"note": "已整改"}, content_type="application/json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "pending_acceptance"
    response = bureau.post(
        f"/api/v1/hazards/{pk}/accept/", {"note": "验收通过"}, content_type="application/json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "closed"
    assert [e["kind"] for e in body["events"]] == [
        "raised",
        "started",
        "progress",
        "submitted",
        "accepted",
    ]
    assert [e["stage"] for e in body["evidence"]] == ["after"]
    return Hazard.objects.get(pk=pk)


def _ui_journey(cast) -> Hazard:
    bureau, officer = Client(), Client()
    bureau.force_login(cast["bureau"])
    officer.force_login(cast["officer"])
    data = {**RAISE, "hospital": cast["hospital"].pk, "found_on": today().isoformat()}
    response = bureau.post("/hazards/new/", data)
    assert response.status_code == 302
    hazard = Hazard.objects.order_by("-pk").first()
    pk = hazard.pk
    assert officer.post(f"/hazards/{pk}/start/", START).status_code == 302
    response = officer.post(
        f"/hazards/{pk}/progress/",
        {"note": "已清理一半", "files": [upload("after.jpg", distinct_jpeg())]},
    )
    assert response.status_code == 302
    assert officer.post(f"/hazards/{pk}/submit/", {"note": "已整改"}).status_code == 302
    assert bureau.post(f"/hazards/{pk}/accept/", {"note": "验收通过"}).status_code == 302
    hazard.refresh_from_db()
    return hazard


def _trail(hazard):
    events = [
        (e.kind, e.actor_id, e.from_status, e.to_status) for e in hazard.events.order_by("pk")
    ]
    notes = sorted(
        (n.recipient_id, n.event, n.title.replace(hazard.code, "<code>"))
        for n in Notification.objects.filter(url__endswith=f"/hazards/{hazard.pk}/")
    )
    return events, notes


def test_api_journey_leaves_the_same_events_and_notifications_as_the_pages(cast):
    api_hazard = _api_journey(cast)
    ui_hazard = _ui_journey(cast)
    assert api_hazard.status == ui_hazard.status == "closed"
    api_events, api_notes = _trail(api_hazard)
    ui_events, ui_notes = _trail(ui_hazard)
    assert api_events == ui_events
    assert api_notes == ui_notes
    assert api_notes, "the journey notifies the hospital and the bureau"
