from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from core.uploads import clean_evidence_upload
from notifications.models import Notification
from security.choices import ItemAction, ItemKind, ItemStatus
from security.models import ChecklistItem, ItemEvidence
from security.services import (
    SecurityError,
    evidence_add,
    item_confirm,
    item_send_back,
    item_submit,
    item_update_progress,
)
from tests.security.factories import png_upload

pytestmark = pytest.mark.django_db


def _with_evidence(item, user):
    evidence_add(item=item, uploads=[clean_evidence_upload(png_upload())], by=user)


def test_hospital_cannot_confirm_its_own_item(items_a, ready_a, officer_a):
    item = items_a[ItemKind.GUARDS]
    _with_evidence(item, officer_a)
    item_submit(item=item, by=officer_a)
    with pytest.raises(SecurityError, match="医院不能确认"):
        item_confirm(item=item, by=officer_a)
    item.refresh_from_db()
    assert item.status == ItemStatus.PENDING
    assert item.confirmed_by is None


def test_hospital_cannot_mark_item_met_through_progress(items_a, officer_a):
    with pytest.raises(SecurityError):
        item_update_progress(item=items_a[ItemKind.ALARM], status=ItemStatus.MET, by=officer_a)


def test_officer_confirm_post_is_refused_and_nothing_changes(
    items_a, ready_a, officer_a, client_for
):
    item = items_a[ItemKind.SCREENING]
    _with_evidence(item, officer_a)
    item_submit(item=item, by=officer_a)
    response = client_for(officer_a).post(
        reverse("security:item_confirm", args=[item.pk]), {"met_on": "2024-01-01"}, follow=True
    )
    assert "医院不能确认" in response.content.decode()
    item.refresh_from_db()
    assert item.status == ItemStatus.PENDING


def test_submit_requires_evidence(items_a, officer_a):
    with pytest.raises(SecurityError, match="佐证"):
        item_submit(item=items_a[ItemKind.GUARDS], by=officer_a)


def test_bureau_confirms_and_the_hospital_is_told(items_a, ready_a, officer_a, county_bureau):
    item = items_a[ItemKind.POLICE_ROOM]
    _with_evidence(item, officer_a)
    item_submit(item=item, note="警务室已设立并配备警力", by=officer_a)
    assert Notification.objects.filter(recipient=county_bureau).exists()
    item_confirm(item=item, by=county_bureau, met_on=dt.date(2022, 11, 30), note="现场核实")
    item.refresh_from_db()
    assert item.status == ItemStatus.MET
    assert item.met_on == dt.date(2022, 11, 30)
    assert item.confirmed_by == county_bureau
    assert Notification.objects.filter(recipient=officer_a).exists()
    actions = list(item.events.values_list("action", flat=True))
    assert ItemAction.CONFIRMED in actions and ItemAction.SUBMITTED in actions


def test_send_back_needs_a_note_and_returns_item_to_in_progress(
    items_a, ready_a, officer_a, city_bureau
):
    item = items_a[ItemKind.FACE]
    _with_evidence(item, officer_a)
    item_submit(item=item, by=officer_a)
    with pytest.raises(SecurityError):
        item_send_back(item=item, by=city_bureau, note="  ")
    item_send_back(item=item, by=city_bureau, note="未与公安平台联网")
    item.refresh_from_db()
    assert item.status == ItemStatus.IN_PROGRESS
    assert item.review_note == "未与公安平台联网"


def test_met_item_is_locked_for_the_hospital(items_a, ready_a, officer_a, county_bureau):
    item = items_a[ItemKind.GUARDS]
    item_confirm(item=item, by=county_bureau)
    with pytest.raises(SecurityError):
        item_update_progress(item=item, status=ItemStatus.IN_PROGRESS, by=officer_a)
    with pytest.raises(SecurityError):
        evidence_add(item=item, uploads=[clean_evidence_upload(png_upload())], by=officer_a)


def test_confirm_date_cannot_be_in_the_future(items_a, county_bureau):
    with pytest.raises(SecurityError):
        item_confirm(item=items_a[ItemKind.GUARDS], by=county_bureau, met_on=dt.date(2999, 1, 1))


def test_bureau_user_outside_the_region_gets_404(items_a, other_county_bureau, client_for):
    item = items_a[ItemKind.GUARDS]
    client = client_for(other_county_bureau)
    assert client.get(reverse("security:item", args=[item.pk])).status_code == 404
    assert client.get(reverse("security:hospital", args=[item.hospital_id])).status_code == 404
    response = client.post(
        reverse("security:item_confirm", args=[item.pk]), {"met_on": "2024-01-01"}
    )
    assert response.status_code == 404
    item.refresh_from_db()
    assert item.status == ItemStatus.NOT_STARTED


def test_other_hospitals_officer_gets_404(items_a, officer_b, client_for):
    client = client_for(officer_b)
    hospital_id = items_a[ItemKind.GUARDS].hospital_id
    for name in ("hospital", "guards", "facilities", "alarm_drills", "drills", "reports"):
        assert client.get(reverse(f"security:{name}", args=[hospital_id])).status_code == 404


def test_evidence_download_404_for_another_hospital(items_a, officer_a, officer_b, client_for):
    item = items_a[ItemKind.SCREENING]
    _with_evidence(item, officer_a)
    evidence = ItemEvidence.objects.get(item=item)
    url = reverse("security:evidence", args=[evidence.pk])
    assert client_for(officer_b).get(url).status_code == 404
    response = client_for(officer_a).get(url)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "image/png"


def test_officer_uploads_evidence_and_submits_through_the_page(
    items_a, ready_a, officer_a, client_for
):
    item = items_a[ItemKind.SCREENING]
    client = client_for(officer_a)
    response = client.post(
        reverse("security:item_evidence", args=[item.pk]), {"files": [png_upload()]}, follow=True
    )
    assert response.status_code == 200
    assert item.evidence.count() == 1
    client.post(reverse("security:item_submit", args=[item.pk]), {"note": "已配齐"})
    item.refresh_from_db()
    assert item.status == ItemStatus.PENDING


def test_bad_upload_is_rejected_with_a_message_and_nothing_saved(items_a, officer_a, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    item = items_a[ItemKind.SCREENING]
    bad = SimpleUploadedFile("x.png", b"<script>alert(1)</script>", content_type="image/png")
    response = client_for(officer_a).post(
        reverse("security:item_evidence", args=[item.pk]), {"files": [bad]}, follow=True
    )
    assert "不予接收" in response.content.decode()
    assert item.evidence.count() == 0


def test_bureau_cannot_edit_hospital_records(hospital_a, county_bureau, client_for):
    client = client_for(county_bureau)
    url = reverse("security:record_new", args=[hospital_a.pk, "entrance"])
    assert client.post(url, {"name": "正门"}).status_code == 403
    assert not hospital_a.entrances.exists()


def test_custom_item_added_by_hospital(hospital_a, officer_a, client_for):
    client = client_for(officer_a)
    response = client.post(
        reverse("security:custom_item_new", args=[hospital_a.pk]),
        {"name": "周界电子围栏", "description": "住院部周界", "target_date": "2030-06-30"},
    )
    assert response.status_code == 302
    item = ChecklistItem.objects.get(hospital=hospital_a, kind=ItemKind.CUSTOM)
    assert item.name == "周界电子围栏"
    page = client.get(reverse("security:hospital", args=[hospital_a.pk]))
    assert "周界电子围栏" in page.content.decode()


def test_custom_item_without_name_shows_error(hospital_a, officer_a, client_for):
    response = client_for(officer_a).post(
        reverse("security:custom_item_new", args=[hospital_a.pk]), {"name": ""}
    )
    assert response.status_code == 200
    assert not ChecklistItem.objects.filter(kind=ItemKind.CUSTOM).exists()


def test_hospital_page_shows_days_late_for_overdue_items(hospital_a, officer_a, client_for):
    import time_machine

    with time_machine.travel(dt.datetime(2023, 1, 10, 12, tzinfo=dt.UTC)):
        body = (
            client_for(officer_a)
            .get(reverse("security:hospital", args=[hospital_a.pk]))
            .content.decode()
        )
    # security-check equipment deadline 2022-12-31 → 10 days late; guards 2023-12-31 → 355 left
    assert "逾期 10 天" in body
    assert "剩余 355 天" in body
