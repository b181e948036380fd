from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from core.dates import today
from hazards.choices import Source
from hazards.models import Hazard
from inspections.choices import InspectionStatus, PhotoKind, Result
from inspections.models import Amendment, Answer, Inspection
from inspections.services import (
    InspectionError,
    SubmissionBlocked,
    answer_amend,
    inspection_submit,
)

from .conftest import png_file
from .factories import fill_all, make_assignment, started

pytestmark = pytest.mark.django_db


def _post_item(client, inspection, answer, **data):
    payload = {
        "section": 1,
        "result": "",
        "note": "",
        "hazard_location": answer.hazard_location,
        "hazard_description": answer.hazard_description,
        "hazard_category": answer.hazard_category,
        "hazard_risk_level": answer.hazard_risk_level,
        "hazard_deadline": "",
        "rectification_measures": "",
    }
    payload.update(data)
    return client.post(reverse("inspections:answer_save", args=[inspection.pk, answer.pk]), payload)


def test_officer_starts_from_assignment_and_draft_resumes_in_a_new_request(
    client, officer_a, hospital_a, safety_template
):
    assignment = make_assignment(hospital_a, due_date=today())
    client.force_login(officer_a)
    response = client.post(reverse("inspections:assignment_start", args=[assignment.pk]))
    inspection = Inspection.objects.get(assignment=assignment)
    assert response["Location"] == reverse("inspections:record", args=[inspection.pk])
    assert inspection.answers.count() == 42
    assert inspection.status == InspectionStatus.DRAFT

    first = inspection.answers.get(item__code="FIRE-01")
    response = _post_item(client, inspection, first, result="pass", note="中控室两人持证在岗")
    assert response.status_code == 302
    assert response["Location"].endswith(f"?section=1#item-{first.pk}")

    # A new session (closed tab, next day): starting the assignment again resumes the draft.
    client.logout()
    client.force_login(officer_a)
    response = client.post(reverse("inspections:assignment_start", args=[assignment.pk]))
    assert response["Location"] == reverse("inspections:record", args=[inspection.pk])
    assert Inspection.objects.count() == 1
    page = client.get(reverse("inspections:record", args=[inspection.pk]))
    content = page.content.decode()
    assert "中控室两人持证在岗" in content
    assert "1 / 42" in content
    first.refresh_from_db()
    assert first.result == Result.PASS


def test_autosave_by_fetch_returns_the_item_html(client, officer_a, hospital_a, safety_template):
    inspection = started(officer_a, hospital_a)
    answer = inspection.answers.get(item__code="LOGI-02")
    client.force_login(officer_a)
    response = client.post(
        reverse("inspections:answer_save", args=[inspection.pk, answer.pk]),
        {
            "section": 2,
            "result": "fail",
            "note": "宿舍私拉电线",
            "hazard_location": "",
            "hazard_description": "",
            "hazard_category": "logistics",
            "hazard_risk_level": "general",
            "photos": [png_file()],
        },
        headers={"X-Requested-With": "fetch"},
    )
    assert response.status_code == 200
    data = response.json()
    assert data["ok"] is True
    assert f'id="item-{answer.pk}"' in data["html"]
    answer.refresh_from_db()
    assert answer.result == Result.FAIL
    # Prefilled from the item; the location falls back to the inspection's (blank here).
    assert answer.hazard_description == "宿舍私拉电线"  # prefilled from the note
    assert answer.photos.filter(kind=PhotoKind.FINDING).count() == 1
    assert "未填写隐患部位" in data["html"]


def test_bad_photo_is_refused_and_the_item_saved_without_it(
    client, officer_a, hospital_a, safety_template
):
    inspection = started(officer_a, hospital_a)
    answer = inspection.answers.get(item__code="FIRE-03")
    client.force_login(officer_a)
    _post_item(client, inspection, answer, result="pass", note="联动正常")
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = _post_item(
        client,
        inspection,
        answer,
        result="fail",
        note="改了",
        photos=[SimpleUploadedFile("x.png", b"not an image", content_type="image/png")],
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "不支持的文件类型" in content
    assert "照片未保存" in content
    # The file is refused; the result and note typed with it are saved, nothing is lost.
    answer.refresh_from_db()
    assert (answer.result, answer.note) == (Result.FAIL, "改了")
    assert answer.photos.count() == 0


def test_failed_item_without_hazard_or_on_the_spot_fix_blocks_submission(
    client, officer_a, hospital_a, safety_template
):
    inspection = started(officer_a, hospital_a)
    fill_all(inspection)
    Answer.objects.filter(inspection=inspection, item__code="FIRE-05").update(
        result=Result.FAIL, hazard_location="", hazard_description="病区走廊加床"
    )
    Answer.objects.filter(inspection=inspection, item__code="CHEM-02").update(
        result=Result.FAIL, hazard_location="药库", fixed_on_the_spot=True
    )
    with pytest.raises(SubmissionBlocked) as blocked:
        inspection_submit(inspection=inspection, by=officer_a)
    problems = " ".join(blocked.value.problems)
    assert "FIRE-05" in problems and "未填写隐患部位" in problems
    assert "CHEM-02" in problems and "整改后照片" in problems

    client.force_login(officer_a)
    response = client.post(reverse("inspections:submit", args=[inspection.pk]), follow=True)
    content = response.content.decode()
    assert "检查尚不能提交" in content
    assert "不合格项 FIRE-05 尚未登记隐患或立查立改" in content
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.DRAFT
    assert Hazard.objects.count() == 0


def test_unanswered_items_block_submission(officer_a, hospital_a, safety_template):
    inspection = started(officer_a, hospital_a)
    with pytest.raises(SubmissionBlocked) as blocked:
        inspection_submit(inspection=inspection, by=officer_a)
    assert "42 项尚未填写检查结果" in blocked.value.problems[0]


def test_submission_raises_hazards_and_closes_on_the_spot_fixes(
    client, officer_a, hospital_a, safety_template
):
    inspection = started(officer_a, hospital_a, location="门诊楼")
    fill_all(inspection)
    client.force_login(officer_a)
    blocked = inspection.answers.get(item__code="FIRE-05")
    _post_item(
        client,
        inspection,
        blocked,
        result="fail",
        hazard_location="住院部3楼走廊",
        hazard_description="走廊加床堵塞疏散通道",
        hazard_risk_level="general",
        hazard_category="fire",
        photos=[png_file("before.png")],
    )
    extinguisher = inspection.answers.get(item__code="FIRE-06")
    _post_item(
        client,
        inspection,
        extinguisher,
        result="fail",
        hazard_location="门诊楼1楼",
        hazard_description="灭火器压力不足",
        hazard_category="fire",
        hazard_risk_level="general",
        fixed_on_the_spot="on",
        rectification_measures="当场更换灭火器",
        after_photos=[png_file("after.png", (10, 200, 10))],
    )
    response = client.post(reverse("inspections:submit", args=[inspection.pk]))
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.SUBMITTED
    assert inspection.failed_count == 2
    assert inspection.submitted_by == officer_a

    blocked.refresh_from_db()
    extinguisher.refresh_from_db()
    hazard = blocked.hazard
    assert hazard.source == Source.SELF_INSPECTION
    assert hazard.location == "住院部3楼走廊"
    assert hazard.status != "closed"
    assert hazard.found_on == inspection.inspected_on
    assert reverse("inspections:detail", args=[inspection.pk]) in hazard.source_url
    assert hazard.evidence.count() == 1
    fixed = extinguisher.hazard
    assert fixed.status == "closed"
    assert fixed.mode == "immediate"
    assert Hazard.objects.count() == 2

    detail = client.get(reverse("inspections:detail", args=[inspection.pk])).content.decode()
    assert hazard.code in detail and fixed.code in detail


def test_submitted_inspection_is_locked_and_corrections_are_amendments(
    client, officer_a, hospital_a, safety_template
):
    inspection = started(officer_a, hospital_a)
    fill_all(inspection)
    inspection_submit(inspection=inspection, by=officer_a)
    answer = inspection.answers.get(item__code="MED-01")
    client.force_login(officer_a)
    response = _post_item(client, inspection, answer, result="na", note="改")
    assert response.status_code == 302
    answer.refresh_from_db()
    assert answer.result == Result.PASS  # unchanged

    with pytest.raises(InspectionError):
        answer_amend(answer=answer, by=officer_a, reason="", result="na", note="")
    with pytest.raises(InspectionError):  # a new failure is a hazard, not an amendment
        answer_amend(answer=answer, by=officer_a, reason="补录", result="fail", note="")

    response = client.post(
        reverse("inspections:answer_amend", args=[inspection.pk, answer.pk]),
        {"result": "na", "note": "本院无此项业务", "reason": "录入错误"},
    )
    assert response.status_code == 302
    answer.refresh_from_db()
    assert (answer.result, answer.note) == (Result.NOT_APPLICABLE, "本院无此项业务")
    amendments = list(Amendment.objects.filter(answer=answer).order_by("field"))
    assert [(a.field, a.old_value, a.new_value, a.reason) for a in amendments] == [
        ("note", "", "本院无此项业务", "录入错误"),
        ("result", "合格", "不适用", "录入错误"),
    ]
    detail = client.get(reverse("inspections:detail", args=[inspection.pk])).content.decode()
    assert "更正记录" in detail and "录入错误" in detail


def test_inspection_date_cannot_be_in_the_future(
    client, county_bureau, hospital_a, safety_template
):
    client.force_login(county_bureau)
    response = client.post(
        reverse("inspections:new"),
        {
            "kind": "unannounced",
            "hospital": hospital_a.pk,
            "inspected_on": (today() + dt.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert "检查日期不能晚于今天" in response.content.decode()
    assert Inspection.objects.count() == 0


def test_bureau_unannounced_inspection_raises_bureau_sourced_hazard(
    client, county_bureau, hospital_a, safety_template
):
    client.force_login(county_bureau)
    response = client.post(
        reverse("inspections:new"),
        {
            "kind": "unannounced",
            "hospital": hospital_a.pk,
            "inspected_on": today().isoformat(),
            "participants": "市消防救援支队 王队长",
        },
    )
    inspection = Inspection.objects.get()
    assert response["Location"] == reverse("inspections:record", args=[inspection.pk])
    fill_all(inspection)
    Answer.objects.filter(inspection=inspection, item__code="EQUIP-05").update(
        result=Result.FAIL,
        hazard_location="液氧站",
        hazard_description="液氧罐未做安全改造",
        hazard_risk_level="major",
    )
    inspection_submit(inspection=inspection, by=county_bureau)
    hazard = Hazard.objects.get()
    assert hazard.source == Source.UNANNOUNCED
    assert hazard.risk_level == "major"
    assert hazard.category == "special_equipment"


def test_draft_can_be_deleted_but_not_after_submission(
    client, officer_a, hospital_a, safety_template
):
    with time_machine.travel(dt.datetime(2026, 5, 15, 10, 0), tick=False):
        inspection = started(officer_a, hospital_a)
    client.force_login(officer_a)
    url = reverse("inspections:delete", args=[inspection.pk])
    asked = client.post(url)  # no confirmation yet: the question, nothing deleted
    assert asked.status_code == 200
    assert "确定删除此检查草稿" in asked.content.decode()
    assert Inspection.objects.filter(pk=inspection.pk).exists()
    response = client.post(url, {"confirm": "1"})
    assert response.status_code == 302
    assert not Inspection.objects.filter(pk=inspection.pk).exists()

    submitted = started(officer_a, hospital_a)
    fill_all(submitted)
    inspection_submit(inspection=submitted, by=officer_a)
    url = reverse("inspections:delete", args=[submitted.pk])
    response = client.post(url, {"confirm": "1"}, follow=True)
    assert "该检查已提交并锁定" in response.content.decode()
    assert Inspection.objects.filter(pk=submitted.pk).exists()


def test_rest_of_a_section_can_be_marked_pass_in_one_step(
    client, officer_a, hospital_a, safety_template
):
    inspection = started(officer_a, hospital_a)
    section = safety_template.sections.get(order=2)
    failed = inspection.answers.get(item__code="LOGI-03")
    client.force_login(officer_a)
    _post_item(client, inspection, failed, result="fail", hazard_location="食堂")
    response = client.post(
        reverse("inspections:section_pass", args=[inspection.pk, section.pk]), {"section": 2}
    )
    assert response.status_code == 302
    results = dict(
        inspection.answers.filter(item__section=section).values_list("item__code", "result")
    )
    assert results.pop("LOGI-03") == Result.FAIL
    assert set(results.values()) == {Result.PASS}
    assert inspection.answers.filter(result="").count() == 42 - 7


def test_filtering_the_calendar_by_state(client, county_bureau, hospital_a, county):
    from tests.factories import HospitalFactory

    missed = make_assignment(hospital_a, due_date=dt.date(2026, 3, 15))
    other = make_assignment(
        HospitalFactory(region=county, name="晋江市第二医院"), due_date=dt.date(2026, 3, 26)
    )
    client.force_login(county_bureau)
    with time_machine.travel(dt.datetime(2026, 3, 20, 9, 0), tick=False):
        content = client.get(
            reverse("inspections:calendar") + "?month=2026-03&state=missed"
        ).content.decode()
    rows = content.split("<tbody>")[-1]
    assert missed.hospital.name in rows
    assert other.hospital.name not in rows
