"""Who may change an inspection, before and after submission (services.allowed_actions):
the inspecting side owns it, the other side never edits it, and after submission every
change is an amendment with a reason."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.dates import today
from inspections.choices import InspectionAction, Result
from inspections.models import Amendment, AnswerPhoto, Inspection
from inspections.services import (
    InspectionError,
    allowed_actions,
    inspection_amend,
    inspection_start,
    inspection_submit,
)
from tests.factories import BureauUserFactory, OfficerFactory

from .conftest import png_file
from .factories import fill_all, make_assignment, started

pytestmark = pytest.mark.django_db

DRAFT = {InspectionAction.RECORD, InspectionAction.SUBMIT, InspectionAction.DELETE}
AMEND = {InspectionAction.AMEND}


def _submitted(by, hospital, kind="self", **kwargs) -> Inspection:
    inspection = started(by, hospital, kind=kind, **kwargs)
    fill_all(inspection)
    return inspection_submit(inspection=inspection, by=by)


def _snapshot(inspection: Inspection):
    inspection.refresh_from_db()
    answers = list(inspection.answers.order_by("pk").values_list("result", "note"))
    header = (inspection.inspected_on, inspection.location, inspection.participants)
    return header, inspection.summary, answers, Amendment.objects.count()


@pytest.fixture
def linked_inspection(department_staff, hospital_a, department, safety_template):
    assignment = make_assignment(hospital_a, due_date=today(), kind="linked", department=department)
    inspection = inspection_start(by=department_staff, assignment=assignment)
    fill_all(inspection)
    return inspection_submit(inspection=inspection, by=department_staff)


def test_allowed_actions_follow_the_side_that_owns_the_inspection(
    officer_a,
    officer_b,
    county_bureau,
    county_admin,
    city_bureau,
    department_staff,
    county,
    department,
    hospital_a,
    linked_inspection,
    safety_template,
):
    colleague = OfficerFactory(hospital=hospital_a)
    draft = started(officer_a, hospital_a)
    assert allowed_actions(officer_a, draft) == DRAFT
    assert allowed_actions(colleague, draft) == DRAFT
    assert allowed_actions(officer_b, draft) == set()

    own = _submitted(officer_a, hospital_a)
    assert allowed_actions(officer_a, own) == AMEND
    assert allowed_actions(colleague, own) == AMEND
    # The bureau side watches a hospital's self-inspection; it does not edit it.
    for bureau_user in (county_bureau, county_admin, city_bureau, department_staff):
        assert allowed_actions(bureau_user, own) == set()

    # A linked-department inspection belongs to the department (bureau side).
    department_colleague = BureauUserFactory(region=county, department=department)
    assert allowed_actions(department_staff, linked_inspection) == AMEND
    assert allowed_actions(department_colleague, linked_inspection) == AMEND
    assert allowed_actions(officer_a, linked_inspection) == set()
    assert allowed_actions(county_bureau, linked_inspection) == set()

    # An unannounced check: its inspector, nobody else.
    unannounced = _submitted(county_bureau, hospital_a, kind="unannounced")
    assert allowed_actions(county_bureau, unannounced) == AMEND
    assert allowed_actions(BureauUserFactory(region=county), unannounced) == set()
    assert allowed_actions(officer_a, unannounced) == set()


def test_bureau_cannot_amend_a_hospitals_self_inspection(
    client, officer_a, county_bureau, hospital_a, safety_template
):
    inspection = _submitted(officer_a, hospital_a)
    answer = inspection.answers.get(item__code="MED-01")
    before = _snapshot(inspection)
    client.force_login(county_bureau)

    detail = client.get(reverse("inspections:detail", args=[inspection.pk])).content.decode()
    assert reverse("inspections:answer_amend", args=[inspection.pk, answer.pk]) not in detail
    assert reverse("inspections:header_amend", args=[inspection.pk]) not in detail

    response = client.post(
        reverse("inspections:answer_amend", args=[inspection.pk, answer.pk]),
        {"result": "na", "note": "卫健局改的", "reason": "核查"},
        follow=True,
    )
    assert "卫健局人员不能修改" in response.content.decode()
    response = client.post(
        reverse("inspections:header_amend", args=[inspection.pk]),
        {"location": "别处", "participants": "", "summary": "", "reason": "核查"},
        follow=True,
    )
    assert "卫健局人员不能修改" in response.content.decode()
    # Draft-only actions are refused too, with the reason.
    response = client.post(
        reverse("inspections:answer_save", args=[inspection.pk, answer.pk]),
        {"result": "na", "hazard_category": "fire", "hazard_risk_level": "general"},
        follow=True,
    )
    assert "已提交并锁定" in response.content.decode()
    response = client.get(reverse("inspections:answer_amend", args=[inspection.pk, answer.pk]))
    assert response.status_code == 302
    assert _snapshot(inspection) == before


def test_hospital_cannot_amend_a_bureau_inspection_of_it(
    client, officer_a, county_bureau, hospital_a, linked_inspection, safety_template
):
    unannounced = _submitted(county_bureau, hospital_a, kind="unannounced")
    client.force_login(officer_a)
    for inspection in (unannounced, linked_inspection):
        before = _snapshot(inspection)
        answer = inspection.answers.get(item__code="FIRE-01")
        response = client.post(
            reverse("inspections:answer_amend", args=[inspection.pk, answer.pk]),
            {"result": "na", "note": "医院改的", "reason": "不同意"},
            follow=True,
        )
        assert "医院人员不能修改" in response.content.decode()
        response = client.post(
            reverse("inspections:header_amend", args=[inspection.pk]),
            {"location": "", "participants": "", "summary": "医院改的小结", "reason": "不同意"},
            follow=True,
        )
        assert "医院人员不能修改" in response.content.decode()
        assert _snapshot(inspection) == before


def test_another_bureau_user_cannot_edit_an_inspectors_draft_or_record(
    client, county, county_bureau, hospital_a, safety_template
):
    colleague = BureauUserFactory(region=county)
    inspection = _submitted(county_bureau, hospital_a, kind="spot_check")
    before = _snapshot(inspection)
    client.force_login(colleague)
    response = client.post(
        reverse("inspections:header_amend", args=[inspection.pk]),
        {"location": "", "participants": "", "summary": "同事改的", "reason": "补充"},
        follow=True,
    )
    assert "只有开展该检查的检查人" in response.content.decode()
    assert _snapshot(inspection) == before


def test_a_draft_photo_of_another_side_cannot_be_deleted(
    client, officer_a, county_bureau, hospital_a, safety_template
):
    inspection = started(county_bureau, hospital_a, kind="unannounced")
    answer = inspection.answers.first()
    client.force_login(county_bureau)
    client.post(
        reverse("inspections:answer_photo_upload", args=[inspection.pk, answer.pk]),
        {"upload_key": "aaaaaaaa-bbbb", "photos": png_file()},
        headers={"X-Requested-With": "fetch"},
    )
    photo = AnswerPhoto.objects.get()
    client.force_login(officer_a)  # the bureau's draft is not even visible to the hospital
    url = reverse("inspections:photo_delete", args=[inspection.pk, photo.pk])
    assert client.post(url, {"confirm": "1"}).status_code == 404
    assert AnswerPhoto.objects.filter(pk=photo.pk).exists()


def test_the_owner_amends_location_and_participants_with_a_reason(
    client, officer_a, hospital_a, safety_template
):
    inspection = _submitted(officer_a, hospital_a, location="门诊楼", participants="")
    client.force_login(officer_a)
    url = reverse("inspections:header_amend", args=[inspection.pk])
    response = client.post(
        url, {"location": "住院楼", "participants": "保卫科 张三", "summary": "", "reason": ""}
    )
    assert response.status_code == 200  # the reason is required
    assert Amendment.objects.count() == 0

    response = client.post(
        url,
        {"location": "住院楼", "participants": "保卫科 张三", "summary": "", "reason": "录错楼栋"},
    )
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert (inspection.location, inspection.participants) == ("住院楼", "保卫科 张三")
    rows = set(Amendment.objects.values_list("field", "old_value", "new_value", "reason"))
    assert rows == {
        ("location", "门诊楼", "住院楼", "录错楼栋"),
        ("participants", "", "保卫科 张三", "录错楼栋"),
    }
    detail = client.get(reverse("inspections:detail", args=[inspection.pk])).content.decode()
    assert "检查部位/区域" in detail and "录错楼栋" in detail
    assert reverse("inspections:header_amend", args=[inspection.pk]) in detail


def test_the_inspection_date_stays_as_submitted(officer_a, hospital_a, safety_template):
    inspection = _submitted(officer_a, hospital_a)
    with pytest.raises(InspectionError, match="检查日期提交后不能更正"):
        inspection_amend(
            inspection=inspection, by=officer_a, reason="日期错了", inspected_on=today()
        )
    assert Amendment.objects.count() == 0


def test_answers_of_a_submitted_inspection_are_amended_by_its_own_side(
    client, officer_a, hospital_a, safety_template
):
    colleague = OfficerFactory(hospital=hospital_a)
    inspection = _submitted(officer_a, hospital_a)
    answer = inspection.answers.get(item__code="MED-02")
    client.force_login(colleague)
    response = client.post(
        reverse("inspections:answer_amend", args=[inspection.pk, answer.pk]),
        {"result": "na", "note": "本院无此业务", "reason": "录入错误"},
    )
    assert response.status_code == 302
    answer.refresh_from_db()
    assert answer.result == Result.NOT_APPLICABLE
    assert Amendment.objects.filter(answer=answer, by=colleague).count() == 2
