"""Journey 1 (phone): the linked department's inspector opens the day's inspection assignment,
answers the checklist with one 不合格 item and a photo — the note typed while the photo is
still uploading — and submits; one hazard is raised, with exactly one photo."""

from __future__ import annotations

import re

import pytest

from core.dates import today
from hazards.choices import EvidenceStage, Source
from hazards.models import Hazard
from inspections import checklist_seed
from inspections.choices import AssignmentKind, InspectionStatus, PhotoKind
from inspections.models import (
    Answer,
    Assignment,
    ChecklistItem,
    ChecklistSection,
    ChecklistTemplate,
    Inspection,
)
from tests.browser.conftest import eventually, image_file
from tests.factories import BureauDepartmentFactory, BureauUserFactory

# PostgreSQL: with in-memory SQLite the live server shares the test's one connection across threads.
pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NOTE = "安全出口指示灯不亮,疏散通道堆放纸箱"


@pytest.fixture
def linked_day(county, hospital_a):
    """The built-in checklist (a transactional test elsewhere may have flushed it), the
    department linked to hospital A, its inspector and today's 挂钩科室检查日."""
    checklist_seed.install(ChecklistTemplate, ChecklistSection, ChecklistItem)
    department = BureauDepartmentFactory(region=county, name="医政医管股")
    hospital_a.linked_department = department
    hospital_a.save()
    inspector = BureauUserFactory(
        username="linked_inspector", full_name="王检查", region=county, department=department
    )
    assignment = Assignment.objects.create(
        kind=AssignmentKind.LINKED,
        hospital=hospital_a,
        department=department,
        period=today().replace(day=1),
        due_date=today(),
    )
    return inspector, assignment


def test_inspector_records_a_failed_item_with_a_photo_and_submits(open_page, login, linked_day):
    inspector, assignment = linked_day
    page = login(open_page("phone"), inspector)

    # Through the phone menu to the calendar, and start the day's assignment.
    page.get_by_role("button", name="菜单").click()
    page.get_by_role("button", name="安全检查").click()
    page.get_by_role("link", name="检查日历").click()
    row = page.get_by_role("row").filter(has_text=assignment.hospital.name)
    row.get_by_role("button", name="开始检查").click()
    page.wait_for_url("**/record/**")
    inspection = Inspection.objects.get(assignment=assignment)
    answer = inspection.answers.select_related("item").get(item__code="FIRE-01")

    # The first item fails: location, a photo — and the note typed while the photo uploads.
    card = page.locator(f"#item-{answer.pk}")
    card.get_by_text("不合格", exact=True).click()
    card.get_by_label("隐患部位").fill("门诊楼一层东侧安全出口")
    card.get_by_text("已保存").wait_for()

    held = []
    page.route("**/answers/*/photos/", lambda route: held.append(route))
    card.get_by_label("检查照片").set_input_files(image_file("出口.png"))
    eventually(lambda: held or page.wait_for_timeout(50), timeout=10)
    assert held, "the photo upload never started"
    card.get_by_label("检查情况").fill(NOTE)
    page.wait_for_timeout(1800)  # the autosave of the note is queued behind the upload
    held[0].continue_()
    page.unroute("**/answers/*/photos/")
    card.get_by_role("img", name="出口.png").wait_for()
    card.get_by_text("已保存").wait_for()

    def saved():
        answer.refresh_from_db()
        return answer.note == NOTE and answer.photos.count() == 1

    assert eventually(saved), (answer.note, answer.photos.count())
    assert card.get_by_label("检查情况").input_value() == NOTE
    assert answer.photos.get().kind == PhotoKind.FINDING

    # Every other item of every area passes.
    sections = inspection.template.sections.count()
    for index in range(sections):
        if index:
            page.get_by_role("link", name="下一领域").click()
        page.get_by_role("button", name=re.compile(r"其余 \d+ 项合格")).click()
        page.get_by_text("项已标记为合格").wait_for()

    page.get_by_role("link", name="检查并提交").click()
    page.get_by_role("button", name="提交并锁定").click()
    page.get_by_text("检查已提交并锁定").wait_for()

    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.SUBMITTED
    hazard = Hazard.objects.get()
    assert hazard.source == Source.LINKED_DEPARTMENT
    assert hazard.location == "门诊楼一层东侧安全出口"
    assert hazard.evidence.count() == 1
    assert hazard.evidence.get().stage == EvidenceStage.BEFORE
    assert Answer.objects.get(pk=answer.pk).hazard_id == hazard.pk
