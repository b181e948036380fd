"""Things done once and asked for first: evidence stored exactly once per upload, bulk
acceptance confirmed with a required 验收意见, the overdue explanation asked for when due."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from core.dates import today
from hazards.choices import EventType, EvidenceStage, Status
from hazards.models import Hazard, HazardEvidence
from hazards.reminders import remind_overdue
from hazards.services import (
    HazardError,
    hazard_add_evidence,
    hazard_explain_overdue,
    hazard_record_progress,
    hazards_bulk_accept,
)
from notifications.models import Notification
from tests.hazards.conftest import start, submit
from tests.hazards.factories import cleaned_photo, distinct_jpeg, raise_hazard, upload

pytestmark = pytest.mark.django_db


def _media_files() -> list[Path]:
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def in_progress(self_found, officer_a):
    start(self_found, officer_a)
    return self_found


# --- evidence stored exactly once ----------------------------------------------------------------


def test_every_upload_form_carries_a_fresh_server_side_key(client, in_progress, officer_a):
    client.force_login(officer_a)
    keys = set()
    for url in (
        reverse("hazards:create"),
        reverse("hazards:action", args=[in_progress.pk, "evidence"]),
        reverse("hazards:action", args=[in_progress.pk, "progress"]),
        reverse("hazards:action", args=[in_progress.pk, "submit"]),
    ):
        body = client.get(url).content.decode()
        found = re.findall(r'name="upload_key" value="([0-9a-f]{32})"', body)
        assert len(found) == 1, url
        keys.add(found[0])
    again = client.get(reverse("hazards:action", args=[in_progress.pk, "evidence"]))
    keys.add(re.findall(r'name="upload_key" value="([0-9a-f]{32})"', again.content.decode())[0])
    assert len(keys) == 5  # one key per rendered form


def test_same_form_submitted_twice_stores_one_row_and_one_file(client, in_progress, officer_a):
    client.force_login(officer_a)
    url = reverse("hazards:action", args=[in_progress.pk, "evidence"])
    photo = distinct_jpeg()
    data = {"stage": EvidenceStage.AFTER, "note": "整改后", "upload_key": "a" * 32}
    first = client.post(url, {**data, "files": upload("after.jpg", photo)})
    second = client.post(url, {**data, "files": upload("after.jpg", photo)})
    assert first.status_code == second.status_code == 302
    assert HazardEvidence.objects.filter(hazard=in_progress).count() == 1
    assert len(_media_files()) == 1
    assert in_progress.events.filter(kind=EventType.EVIDENCE_ADDED).count() == 1


def test_identical_file_under_another_key_is_refused_with_the_form_kept(
    client, in_progress, officer_a
):
    client.force_login(officer_a)
    url = reverse("hazards:action", args=[in_progress.pk, "evidence"])
    photo = distinct_jpeg()
    client.post(
        url,
        {
            "stage": "after",
            "note": "第一次",
            "upload_key": "k" * 32,
            "files": upload("a.jpg", photo),
        },
    )
    response = client.post(
        url,
        {
            "stage": "after",
            "note": "补充说明文字",
            "upload_key": "m" * 32,
            "files": upload("b.jpg", photo),
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "相同的文件已经上传过(a.jpg)" in body
    assert "补充说明文字" in body  # nothing lost of what was typed
    assert 'value="' + "m" * 32 + '"' in body  # same form, same key
    assert HazardEvidence.objects.filter(hazard=in_progress).count() == 1
    assert len(_media_files()) == 1


def test_identical_file_at_another_stage_is_a_different_piece_of_evidence(in_progress, officer_a):
    photo = distinct_jpeg()
    hazard_add_evidence(
        hazard=in_progress, by=officer_a, files=[cleaned_photo(data=photo)], stage="after"
    )
    hazard_add_evidence(
        hazard=in_progress, by=officer_a, files=[cleaned_photo(data=photo)], stage="document"
    )
    assert HazardEvidence.objects.filter(hazard=in_progress).count() == 2


def test_the_same_file_twice_in_one_upload_stores_nothing(in_progress, officer_a):
    photo = distinct_jpeg()
    other = cleaned_photo()
    with pytest.raises(HazardError, match="两个相同的文件"):
        hazard_add_evidence(
            hazard=in_progress,
            by=officer_a,
            files=[other, cleaned_photo(data=photo), cleaned_photo(data=photo)],
            stage="after",
        )
    assert not HazardEvidence.objects.exists()
    assert _media_files() == []


def test_several_files_of_one_upload_each_get_their_own_key(in_progress, officer_a):
    files = [cleaned_photo(), cleaned_photo(), cleaned_photo()]
    stored = hazard_add_evidence(
        hazard=in_progress, by=officer_a, files=files, stage="after", upload_key="x" * 32
    )
    assert len({e.upload_key for e in stored}) == 3
    assert all(e.sha256 for e in stored)
    again = hazard_add_evidence(
        hazard=in_progress, by=officer_a, files=files, stage="after", upload_key="x" * 32
    )
    assert [e.pk for e in again] == [e.pk for e in stored]
    assert HazardEvidence.objects.count() == 3


def test_progress_replayed_with_its_key_is_recorded_once(in_progress, officer_a):
    photo = distinct_jpeg()
    for _attempt in range(2):
        hazard_record_progress(
            hazard=in_progress,
            by=officer_a,
            note="已完成一半",
            files=[cleaned_photo(data=photo)],
            upload_key="p" * 32,
        )
    in_progress.refresh_from_db()
    assert in_progress.progress.count("已完成一半") == 1
    assert in_progress.events.filter(kind=EventType.PROGRESS).count() == 1
    assert HazardEvidence.objects.count() == 1


def test_raise_form_submitted_twice_raises_one_hazard(client, officer_a, hospital_a):
    client.force_login(officer_a)
    photo = distinct_jpeg()
    data = {
        "hospital": hospital_a.pk,
        "source": "self_inspection",
        "category": "fire",
        "risk_level": "general",
        "location": "门诊楼一层",
        "description": "灭火器过期",
        "found_on": today().isoformat(),
        "upload_key": "r" * 32,
    }
    first = client.post(reverse("hazards:create"), {**data, "photos": upload("p.jpg", photo)})
    second = client.post(reverse("hazards:create"), {**data, "photos": upload("p.jpg", photo)})
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Hazard.objects.count() == 1
    assert HazardEvidence.objects.count() == 1


# --- bulk acceptance -----------------------------------------------------------------------------


@pytest.fixture
def awaiting(hospital_a, officer_a, county_bureau):
    hazards = []
    for place in ("门诊楼", "住院楼"):
        hazard = raise_hazard(
            hospital=hospital_a, found_by=county_bureau, source="spot_check", location=place
        )
        start(hazard, officer_a)
        submit(hazard, officer_a)
        hazards.append(hazard)
    return hazards


def test_bulk_acceptance_asks_for_confirmation_first(client, awaiting, county_bureau):
    client.force_login(county_bureau)
    response = client.post(
        reverse("hazards:bulk"),
        {"action": "accept", "ids": [h.pk for h in awaiting], "next": "/hazards/"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    for hazard in awaiting:
        assert hazard.code in body
        assert f'name="ids" value="{hazard.pk}"' in body
    assert "验收意见" in body and 'name="confirmed"' in body
    assert "onclick" not in body
    assert not Hazard.objects.filter(status=Status.CLOSED).exists()


def test_bulk_acceptance_without_opinion_is_refused(client, awaiting, county_bureau):
    client.force_login(county_bureau)
    response = client.post(
        reverse("hazards:bulk"),
        {"action": "accept", "ids": [h.pk for h in awaiting], "confirmed": "True", "note": " "},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "请填写验收意见" in body
    assert all(hazard.code in body for hazard in awaiting)  # the selection is kept
    assert not Hazard.objects.filter(status=Status.CLOSED).exists()
    with pytest.raises(HazardError, match="验收意见"):
        hazards_bulk_accept(hazards=awaiting, by=county_bureau, note="")


def test_bulk_acceptance_puts_the_opinion_on_every_closed_hazard(client, awaiting, county_bureau):
    client.force_login(county_bureau)
    response = client.post(
        reverse("hazards:bulk"),
        {
            "action": "accept",
            "ids": [h.pk for h in awaiting],
            "confirmed": "True",
            "note": "现场核查,整改到位,同意销号",
            "next": "/hazards/",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/hazards/"
    for hazard in awaiting:
        hazard.refresh_from_db()
        assert hazard.status == Status.CLOSED
        accepted = hazard.events.get(kind=EventType.ACCEPTED)
        assert accepted.note == "现场核查,整改到位,同意销号"
        assert accepted.actor == county_bureau


def test_list_page_has_no_inline_script(client, awaiting, county_bureau):
    client.force_login(county_bureau)
    body = client.get(reverse("hazards:list")).content.decode()
    assert "hazards/list.js" in body
    assert "onclick" not in body
    assert "getElementById('check-all')" not in body


# --- overdue explanation when it is due ----------------------------------------------------------


def _overdue(hospital, officer, *, started=True, days=3):
    hazard = raise_hazard(
        hospital=hospital,
        found_by=officer,
        found_on=today() - dt.timedelta(days=40),
        deadline=today() - dt.timedelta(days=days),
    )
    if started:
        start(hazard, officer)
    return hazard


@pytest.mark.parametrize("started", [False, True])
def test_overdue_explanation_is_filed_outside_submission(client, hospital_a, officer_a, started):
    hazard = _overdue(hospital_a, officer_a, started=started)
    client.force_login(officer_a)
    response = client.get(hazard.get_absolute_url())
    explain = reverse("hazards:action", args=[hazard.pk, "explain"])
    body = response.content.decode()
    assert 'id="overdue-explanation"' in body and explain in body
    response = client.post(
        explain, {"explanation": "施工单位延误进场", "expected_status": hazard.status}
    )
    assert response.status_code == 302
    hazard.refresh_from_db()
    assert hazard.has_current_explanation
    assert hazard.status == (Status.IN_PROGRESS if started else Status.PENDING)
    assert 'id="overdue-explanation"' not in client.get(hazard.get_absolute_url()).content.decode()


def test_explanation_is_due_from_the_day_after_the_deadline(hospital_a, officer_a):
    hazard = raise_hazard(
        hospital=hospital_a,
        found_by=officer_a,
        found_on=today() - dt.timedelta(days=10),
        deadline=today(),
    )
    with pytest.raises(HazardError, match="尚未逾期"):
        hazard_explain_overdue(hazard=hazard, by=officer_a, explanation="提前说明")
    with time_machine.travel(dt.datetime.now(tz=ZoneInfo("Asia/Shanghai")) + dt.timedelta(days=1)):
        hazard_explain_overdue(hazard=hazard, by=officer_a, explanation="逾期一天")
    hazard.refresh_from_db()
    assert hazard.overdue_explanation == "逾期一天"


def test_unexplained_filter(client, hospital_a, officer_a, county_bureau):
    unexplained = _overdue(hospital_a, officer_a)
    explained = _overdue(hospital_a, officer_a)
    hazard_explain_overdue(hazard=explained, by=officer_a, explanation="原因")
    not_due = raise_hazard(hospital=hospital_a, found_by=officer_a)
    in_time = raise_hazard(hospital=hospital_a, found_by=officer_a)
    start(in_time, officer_a)
    client.force_login(county_bureau)
    response = client.get(reverse("hazards:list"), {"unexplained": "on"})
    codes = {h.code for h in response.context["page_obj"]}
    assert codes == {unexplained.code}
    assert not {explained.code, not_due.code, in_time.code} & codes
    # a new deadline needs a new explanation once it passes too
    Hazard.objects.filter(pk=explained.pk).update(deadline=today() - dt.timedelta(days=1))
    response = client.get(reverse("hazards:list"), {"unexplained": "on"})
    assert {h.code for h in response.context["page_obj"]} == {unexplained.code, explained.code}
    # the same filter drives the ledger export
    assert (
        client.get(reverse("hazards:ledger", args=["all"]), {"unexplained": "on"}).status_code
        == 200
    )


def test_overdue_reminder_asks_for_the_explanation_with_a_link(hospital_a, officer_a):
    hazard = _overdue(hospital_a, officer_a, days=1)
    remind_overdue(today=today())
    note = Notification.objects.get(recipient=officer_a, event="hazard_overdue")
    explain = reverse("hazards:action", args=[hazard.pk, "explain"])
    assert "书面说明理由" in note.body and explain in note.body
    explained = _overdue(hospital_a, officer_a, days=1)
    hazard_explain_overdue(hazard=explained, by=officer_a, explanation="原因已说明")
    remind_overdue(today=today())
    later = Notification.objects.get(
        recipient=officer_a, event="hazard_overdue", title__contains=explained.code
    )
    assert "书面说明理由" not in later.body


def test_submission_sent_twice_is_done_once(client, in_progress, officer_a):
    client.force_login(officer_a)
    url = reverse("hazards:action", args=[in_progress.pk, "submit"])
    photo = distinct_jpeg()
    data = {"note": "已整改", "expected_status": Status.IN_PROGRESS, "upload_key": "s" * 32}
    first = client.post(url, {**data, "files": upload("after.jpg", photo)})
    second = client.post(url, {**data, "files": upload("after.jpg", photo)})
    assert first.status_code == second.status_code == 302
    assert in_progress.events.filter(kind=EventType.SUBMITTED).count() == 1
    assert HazardEvidence.objects.filter(hazard=in_progress).count() == 1
    # a different submission form on a hazard already submitted is still a stale form
    third = client.post(
        url, {**data, "upload_key": "t" * 32, "files": upload("other.jpg", distinct_jpeg())}
    )
    assert third.status_code == 200
    assert "已被他人更新" in third.content.decode()
