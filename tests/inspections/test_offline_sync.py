"""The offline outbox's sync endpoint (inspections/offline.py): each write exactly once however
often it is replayed, conflicts shown and never overwritten, scoped like every other page, and
bad input refused whole. Also the service worker's root URL and the photo stamp."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from hazards.models import Hazard, HazardEvidence
from inspections import services
from inspections.choices import InspectionStatus, PhotoKind, Result
from inspections.models import Answer, AnswerPhoto, Inspection, OfflineWrite
from tests.factories import OfficerFactory

pytestmark = pytest.mark.django_db


def key() -> str:
    return str(uuid.uuid4())


def jpeg_bytes(color=(40, 160, 90), size=(120, 90)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


@pytest.fixture
def draft(safety_template, officer_a, hospital_a):
    return services.inspection_start(by=officer_a, hospital=hospital_a, kind="self")


def answers_of(inspection):
    return list(inspection.answers.select_related("item").order_by("pk"))


def answer_op(answer, *, result=Result.PASS, base=None, after=(), **fields):
    return {
        "type": "answer",
        "key": key(),
        "item": answer.item_id,
        "base": base if base is not None else answer.updated_at.isoformat(),
        "after": list(after),
        "fields": {"result": result, **fields},
        "device_time": timezone.now().isoformat(),
    }


def failed_op(answer, **extra):
    return answer_op(
        answer,
        result=Result.FAIL,
        note="配电箱门未关闭",
        hazard_location="门诊楼地下一层配电室",
        hazard_description="配电箱门未关闭,线缆裸露",
        hazard_category=answer.item.category,
        hazard_risk_level="general",
        hazard_deadline=(dt.date.today() + dt.timedelta(days=10)).isoformat(),
        **extra,
    )


def photo_op(answer, data: bytes, **extra):
    return {
        "type": "photo",
        "key": key(),
        "item": answer.item_id,
        "kind": PhotoKind.FINDING,
        "name": "配电室.jpg",
        "data": base64.b64encode(data).decode(),
        "captured_at": "2026-11-28T08:15:00+08:00",
        "latitude": 30.274085,
        "longitude": 120.15507,
        "accuracy": 12,
        **extra,
    }


def sync(client, inspection, ops):
    return client.post(
        reverse("inspections:offline_sync", args=[inspection.pk]),
        data=json.dumps({"ops": ops}),
        content_type="application/json",
    )


def complete_outbox(inspection, photo: bytes):
    answers = answers_of(inspection)
    ops = [failed_op(answers[0])]
    ops += [answer_op(answer) for answer in answers[1:]]
    ops.append(photo_op(answers[0], photo))
    ops.append({"type": "submit", "key": key()})
    return ops


def test_a_replayed_sync_creates_each_answer_photo_and_hazard_once(client, officer_a, draft):
    client.force_login(officer_a)
    photo = jpeg_bytes()
    ops = complete_outbox(draft, photo)

    first = sync(client, draft, ops)
    assert first.status_code == 200, first.content
    assert set(first.json()["applied"]) == {op["key"] for op in ops}
    for _replay in range(2):
        again = sync(client, draft, ops)
        assert again.status_code == 200, again.content
        assert again.json()["applied"] == []
        assert set(again.json()["skipped"]) == {op["key"] for op in ops}

    draft.refresh_from_db()
    assert draft.status == InspectionStatus.SUBMITTED
    assert Inspection.objects.filter(hospital=draft.hospital).count() == 1
    assert Hazard.objects.filter(hospital=draft.hospital).count() == 1
    assert AnswerPhoto.objects.filter(answer__inspection=draft).count() == 1
    hazard = Hazard.objects.get(hospital=draft.hospital)
    assert hazard.location == "门诊楼地下一层配电室"
    assert HazardEvidence.objects.filter(hazard=hazard).count() == 1
    assert OfflineWrite.objects.filter(inspection=draft).count() == len(ops)
    assert draft.answers.filter(result=Result.PASS).count() == len(ops) - 3


def test_the_stored_photo_is_stamped_and_keeps_the_originals_digest(client, officer_a, draft):
    client.force_login(officer_a)
    answer = answers_of(draft)[0]
    photo = jpeg_bytes(color=(250, 250, 250))
    response = sync(client, draft, [failed_op(answer), photo_op(answer, photo)])
    assert response.status_code == 200, response.content

    stored = AnswerPhoto.objects.get(answer=answer)
    assert stored.sha256 == hashlib.sha256(photo).hexdigest()  # the device's bytes
    assert stored.latitude == Decimal("30.274085")
    assert stored.longitude == Decimal("120.155070")
    assert stored.gps_accuracy == 12
    assert stored.captured_at == dt.datetime(2026, 11, 28, 0, 15, tzinfo=dt.UTC)
    assert stored.uploaded_at is not None
    assert draft.hospital.name in stored.stamp
    assert officer_a.display_name in stored.stamp
    assert "30.274085, 120.155070" in stored.stamp
    assert "2026-11-28 08:15:00" in stored.stamp  # device time, shown in Asia/Shanghai
    with stored.file.open("rb") as handle:
        data = handle.read()
    assert hashlib.sha256(data).hexdigest() != stored.sha256
    with Image.open(io.BytesIO(data)) as image:
        top = image.convert("RGB").getpixel((2, 2))
        bottom = image.convert("RGB").getpixel((2, image.height - 2))
    assert min(top) > 200  # the photo itself, untouched
    assert max(bottom) < 150  # the dark band of the stamp


def test_the_same_photo_under_another_key_is_stored_once(client, officer_a, draft):
    client.force_login(officer_a)
    answer = answers_of(draft)[0]
    photo = jpeg_bytes()
    first, second = photo_op(answer, photo), photo_op(answer, photo)
    response = sync(client, draft, [first, second])
    assert response.status_code == 200, response.content
    assert AnswerPhoto.objects.filter(answer=answer).count() == 1
    assert "相同的文件已经上传过" in response.json()["notes"][second["key"]]
    # Replayed, the refused duplicate stays a no-op too.
    assert sync(client, draft, [first, second]).json()["skipped"] == [
        first["key"],
        second["key"],
    ]
    assert AnswerPhoto.objects.filter(answer=answer).count() == 1


def test_a_sync_after_submission_elsewhere_is_a_conflict_and_changes_nothing(
    client, officer_a, hospital_a, draft
):
    colleague = OfficerFactory(username="colleague_a", hospital=hospital_a)
    answers = answers_of(draft)
    for section in draft.template.sections.all():
        services.section_mark_remaining(inspection=draft, section=section, by=colleague)
    services.inspection_submit(inspection=draft, by=colleague)

    client.force_login(officer_a)
    op = failed_op(answers[0])
    response = sync(client, draft, [op, photo_op(answers[0], jpeg_bytes())])
    assert response.status_code == 409
    body = response.json()
    assert body["submitted"] is True
    assert "已于" in body["error"] and "提交" in body["error"]
    assert body["detail_url"] == reverse("inspections:detail", args=[draft.pk])
    answer = Answer.objects.get(pk=answers[0].pk)
    assert answer.result == Result.PASS
    assert not AnswerPhoto.objects.filter(answer__inspection=draft).exists()
    assert not OfflineWrite.objects.exists()
    assert Hazard.objects.count() == 0


def test_an_item_changed_elsewhere_is_shown_not_overwritten(client, officer_a, hospital_a, draft):
    client.force_login(officer_a)
    loaded = client.get(reverse("inspections:offline_data", args=[draft.pk])).json()
    answer = answers_of(draft)[0]
    base = loaded["answers"][str(answer.item_id)]["version"]

    colleague = OfficerFactory(username="colleague_a", hospital=hospital_a)
    services.answer_save(answer=answer, by=colleague, data={"result": "na", "note": "已停用"})

    op = answer_op(answer, base=base, note="正常")
    response = sync(client, draft, [op])
    assert response.status_code == 409
    body = response.json()
    assert "在其他设备上修改" in body["error"]
    [conflict] = body["conflicts"]
    assert conflict["key"] == op["key"]
    assert conflict["code"] == answer.item.code
    assert conflict["server"]["result"] == "na"
    assert conflict["server"]["note"] == "已停用"
    answer.refresh_from_db()
    assert (answer.result, answer.note) == ("na", "已停用")

    # The person chose their own version: the phone sends it again against the server's.
    op["base"] = conflict["server"]["version"]
    assert sync(client, draft, [op]).status_code == 200
    answer.refresh_from_db()
    assert (answer.result, answer.note) == (Result.PASS, "正常")


def test_the_phones_own_earlier_write_is_not_a_conflict(client, officer_a, draft):
    """The answer to the first write was lost; the second write, queued meanwhile against the
    old version, names the first as its predecessor."""
    client.force_login(officer_a)
    answer = answers_of(draft)[0]
    old = answer.updated_at.isoformat()
    first = answer_op(answer, base=old, note="第一次")
    assert sync(client, draft, [first]).status_code == 200
    second = answer_op(answer, base=old, after=[first["key"]], note="第二次")
    response = sync(client, draft, [first, second])
    assert response.status_code == 200, response.content
    assert response.json()["skipped"] == [first["key"]]
    answer.refresh_from_db()
    assert answer.note == "第二次"


def test_another_hospital_gets_404_and_nothing_changes(
    client, officer_b, other_county_bureau, county_bureau, draft
):
    answer = answers_of(draft)[0]
    for outsider in (officer_b, other_county_bureau, county_bureau):
        client.force_login(outsider)
        assert sync(client, draft, [failed_op(answer)]).status_code == 404
        url = reverse("inspections:offline_data", args=[draft.pk])
        assert client.get(url).status_code == 404
    answer.refresh_from_db()
    assert answer.result == ""
    assert not OfflineWrite.objects.exists()


@pytest.mark.parametrize(
    "payload, reason",
    [
        (b"not json", "同步数据格式不正确"),
        (json.dumps({"ops": "x"}).encode(), "同步数据格式不正确"),
        (json.dumps({"ops": []}).encode(), "没有需要同步的内容"),
    ],
)
def test_malformed_documents_are_refused_clearly(client, officer_a, draft, payload, reason):
    client.force_login(officer_a)
    response = client.post(
        reverse("inspections:offline_sync", args=[draft.pk]),
        data=payload,
        content_type="application/json",
    )
    assert response.status_code == 400
    assert reason in response.json()["error"]


def test_bad_input_anywhere_saves_nothing_at_all(client, officer_a, draft):
    client.force_login(officer_a)
    answers = answers_of(draft)
    good = failed_op(answers[0])
    cases = [
        ({**photo_op(answers[1], b"<html><script>alert(1)</script></html>")}, "第 2 条"),
        ({**answer_op(answers[1]), "item": 999_999}, "检查条目不属于本次检查"),
        ({**answer_op(answers[1]), "key": "bad key!"}, "幂等键"),
        ({**answer_op(answers[1]), "key": good["key"]}, "幂等键重复"),
        (answer_op(answers[1], hazard_risk_level="catastrophic"), "选项"),
        (answer_op(answers[1], hazard_deadline="31/02/2026"), "整改期限"),
        ({**photo_op(answers[1], jpeg_bytes()), "latitude": 123}, "定位数据"),
        ({"type": "delete", "key": key()}, "未知的记录类型"),
    ]
    for bad, reason in cases:
        response = sync(client, draft, [good, bad])
        assert response.status_code == 400, (reason, response.content)
        assert reason in response.json()["error"]
        assert "未保存任何内容" in response.json()["error"]
    assert not Answer.objects.filter(inspection=draft).exclude(result="").exists()
    assert not AnswerPhoto.objects.exists()
    assert not OfflineWrite.objects.exists()


def test_a_refused_submission_keeps_the_answers_before_it(client, officer_a, draft):
    client.force_login(officer_a)
    answers = answers_of(draft)
    ops = [failed_op(answers[0]), {"type": "submit", "key": key()}]
    response = sync(client, draft, ops)
    assert response.status_code == 422
    body = response.json()
    assert "检查尚不能提交" in body["error"]
    assert any("尚未填写检查结果" in problem for problem in body["problems"])
    assert body["applied"] == [ops[0]["key"]]
    draft.refresh_from_db()
    assert draft.is_draft
    assert Answer.objects.get(pk=answers[0].pk).result == Result.FAIL
    assert not OfflineWrite.objects.filter(key=ops[1]["key"]).exists()


def test_assignments_list_offers_what_the_person_carries_out(client, officer_a, officer_b):
    client.force_login(officer_a)
    response = client.get(reverse("inspections:offline_assignments"))
    assert response.status_code == 200
    assert response.json()["user"] == officer_a.pk
    assert response.json()["csrf"]


def test_the_service_worker_is_served_at_the_root_with_a_root_scope(client):
    response = client.get(reverse("service_worker"))
    assert response.status_code == 200
    assert reverse("service_worker") == "/sw.js"
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    assert response["Content-Type"].startswith("text/javascript")
    body = b"".join(response.streaming_content).decode()
    assert "/inspections/offline/" in body


def test_the_manifest_names_icons_that_exist():
    static = Path(settings.BASE_DIR) / "static"
    manifest = json.loads((static / "manifest.webmanifest").read_text(encoding="utf-8"))
    assert manifest["start_url"] == reverse("inspections:offline")
    assert manifest["display"] == "standalone"
    sizes = set()
    for icon in manifest["icons"]:
        with Image.open(static / icon["src"]) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"]
            sizes.add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes


def test_photos_from_the_record_page_are_stamped_too(officer_a, draft):
    from core.uploads import clean_image_upload
    from tests.inspections.conftest import png_file

    answer = answers_of(draft)[0]
    upload = clean_image_upload(png_file(color=(255, 255, 255)))
    photo, created = services.answer_photo_add(
        answer=answer, by=officer_a, upload=upload, kind=PhotoKind.FINDING
    )
    assert created
    assert photo.sha256 == upload.sha256
    assert "未授权定位" in photo.stamp
    assert photo.latitude is None and photo.captured_at is None


def test_only_the_offline_app_may_ask_for_the_position(client, officer_a):
    client.force_login(officer_a)
    app = client.get(reverse("inspections:offline"))
    assert "geolocation=(self)" in app["Permissions-Policy"]
    assert "microphone=()" in app["Permissions-Policy"]
    assert "geolocation=()" in client.get(reverse("home"))["Permissions-Policy"]


# --- An inspection started on the phone without a connection ----------------------------------
@pytest.fixture
def self_assignment(safety_template, hospital_a):
    from core.dates import today
    from inspections.choices import AssignmentKind
    from inspections.models import Assignment

    return Assignment.objects.create(
        kind=AssignmentKind.SELF,
        hospital=hospital_a,
        period=today().replace(day=1),
        due_date=today(),
    )


def offline_checklist(client, assignment):
    listing = client.get(reverse("inspections:offline_assignments")).json()
    [row] = [a for a in listing["assignments"] if a["id"] == assignment.pk]
    assert row["inspection"] is None
    items = [item for section in row["checklist"]["sections"] for item in section["items"]]
    return row, items


def blank_op(item_id, result=Result.PASS, **fields):
    return {
        "type": "answer",
        "key": key(),
        "item": item_id,
        "base": None,
        "fields": {"result": result, **fields},
    }


def test_an_inspection_started_offline_is_created_once_however_often_it_syncs(
    client, officer_a, self_assignment
):
    client.force_login(officer_a)
    row, items = offline_checklist(client, self_assignment)
    assert items[0]["category"] and items[0]["risk"]  # the defaults of a failed item
    ops = [
        blank_op(
            items[0]["id"],
            Result.FAIL,
            hazard_location="锅炉房",
            hazard_description="安全阀校验过期",
            hazard_category=items[0]["category"],
            hazard_risk_level=items[0]["risk"],
        )
    ]
    ops += [blank_op(item["id"]) for item in items[1:]]
    ops.append(
        {
            **photo_op(Answer(item_id=items[0]["id"]), jpeg_bytes()),
            "latitude": None,
            "longitude": None,
        }
    )
    ops.append({"type": "submit", "key": key()})
    for attempt in range(3):
        response = client.post(
            row["sync_url"], data=json.dumps({"ops": ops}), content_type="application/json"
        )
        assert response.status_code == 200, response.content
        assert len(response.json()["skipped"]) == (len(ops) if attempt else 0)
    [inspection] = Inspection.objects.filter(assignment=self_assignment)
    assert inspection.status == InspectionStatus.SUBMITTED
    assert response.json()["inspection"]["id"] == inspection.pk
    assert Hazard.objects.count() == 1
    assert AnswerPhoto.objects.count() == 1


def test_bad_input_for_an_offline_start_leaves_no_inspection(client, officer_a, self_assignment):
    client.force_login(officer_a)
    row, items = offline_checklist(client, self_assignment)
    response = client.post(
        row["sync_url"],
        data=json.dumps({"ops": [blank_op(items[0]["id"]), blank_op(999_999)]}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "检查条目不属于本次检查" in response.json()["error"]
    assert not Inspection.objects.filter(assignment=self_assignment).exists()


def test_an_offline_start_meets_a_colleagues_answers_as_a_conflict(
    client, officer_a, hospital_a, self_assignment
):
    client.force_login(officer_a)
    row, items = offline_checklist(client, self_assignment)
    colleague = OfficerFactory(username="colleague_a", hospital=hospital_a)
    started = services.inspection_start(by=colleague, assignment=self_assignment)
    answer = started.answers.get(item_id=items[0]["id"])
    services.answer_save(answer=answer, by=colleague, data={"result": "na", "note": "停用"})

    response = client.post(
        row["sync_url"],
        data=json.dumps({"ops": [blank_op(items[0]["id"], note="正常")]}),
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["conflicts"][0]["server"]["note"] == "停用"
    answer.refresh_from_db()
    assert (answer.result, answer.note) == ("na", "停用")
    assert Inspection.objects.filter(assignment=self_assignment).count() == 1


def test_another_hospitals_assignment_cannot_be_started_offline(client, officer_b, self_assignment):
    client.force_login(officer_b)
    url = reverse("inspections:offline_assignment_sync", args=[self_assignment.pk])
    response = client.post(
        url, data=json.dumps({"ops": [blank_op(1)]}), content_type="application/json"
    )
    assert response.status_code == 404
    assert not Inspection.objects.exists()
