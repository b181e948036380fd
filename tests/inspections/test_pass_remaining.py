"""其余全部合格 for the whole checklist (issue 13): `inspection_mark_remaining` and its view."""

from __future__ import annotations

import pytest
from django.urls import reverse

from inspections.choices import Result
from inspections.models import Answer
from inspections.services import (
    InspectionError,
    answer_save,
    inspection_mark_remaining,
    inspection_submit,
)

from .factories import started

pytestmark = pytest.mark.django_db


def _fail(answer, by, **extra):
    return answer_save(
        answer=answer,
        by=by,
        data={"result": Result.FAIL, "hazard_location": "门诊楼一层东侧", **extra},
    )


def test_marks_every_unanswered_item_of_every_section_and_keeps_answered_ones(
    officer_a, hospital_a, safety_template
):
    inspection = started(officer_a, hospital_a)
    total = inspection.answers.count()
    failed = _fail(inspection.answers.get(item__code="FIRE-01"), officer_a)
    not_applicable = inspection.answers.get(item__code="LOGI-03")
    answer_save(answer=not_applicable, by=officer_a, data={"result": Result.NOT_APPLICABLE})

    marked = inspection_mark_remaining(inspection=inspection, by=officer_a)

    assert marked == total - 2
    assert inspection.answers.filter(result="").count() == 0
    assert Answer.objects.get(pk=failed.pk).result == Result.FAIL
    assert Answer.objects.get(pk=not_applicable.pk).result == Result.NOT_APPLICABLE
    sections = set(
        inspection.answers.filter(result=Result.PASS).values_list("item__section", flat=True)
    )
    assert sections == set(safety_template.sections.values_list("pk", flat=True))
    assert set(
        inspection.answers.filter(result=Result.PASS).values_list("answered_by", flat=True)
    ) == {officer_a.pk}
    # Nothing is left to mark: a second tap changes nothing.
    assert inspection_mark_remaining(inspection=inspection, by=officer_a) == 0
    # The failure with its hazard details is all that stands between it and submission.
    inspection_submit(inspection=inspection, by=officer_a)


def test_refused_for_someone_who_may_not_record_the_inspection(
    officer_a, officer_b, county_bureau, hospital_a, safety_template
):
    inspection = started(officer_a, hospital_a)
    for outsider in (officer_b, county_bureau):
        with pytest.raises(InspectionError):
            inspection_mark_remaining(inspection=inspection, by=outsider)
    assert inspection.answers.exclude(result="").count() == 0


def test_refused_once_the_inspection_is_submitted(officer_a, hospital_a, safety_template):
    inspection = started(officer_a, hospital_a)
    inspection.answers.update(result=Result.PASS)
    inspection_submit(inspection=inspection, by=officer_a)
    Answer.objects.filter(pk=inspection.answers.first().pk).update(result="")
    with pytest.raises(InspectionError, match="已提交"):
        inspection_mark_remaining(inspection=inspection, by=officer_a)
    assert inspection.answers.filter(result="").count() == 1


def test_view_marks_the_rest_and_goes_to_review(client, officer_a, hospital_a, safety_template):
    inspection = started(officer_a, hospital_a)
    _fail(inspection.answers.get(item__code="FIRE-01"), officer_a)
    client.force_login(officer_a)
    response = client.post(reverse("inspections:pass_remaining", args=[inspection.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("inspections:review", args=[inspection.pk])
    assert inspection.answers.filter(result="").count() == 0
    assert inspection.answers.filter(result=Result.FAIL).count() == 1


def test_view_refuses_the_bureau_on_a_hospital_self_inspection(
    client, officer_a, county_bureau, hospital_a, safety_template
):
    inspection = started(officer_a, hospital_a)
    client.force_login(county_bureau)
    response = client.post(reverse("inspections:pass_remaining", args=[inspection.pk]))
    assert response.status_code == 404  # a hospital's draft is not the bureau's to see
    assert inspection.answers.exclude(result="").count() == 0


def test_record_page_offers_the_whole_checklist_action_and_jumps(
    client, officer_a, hospital_a, safety_template
):
    inspection = started(officer_a, hospital_a)
    total = inspection.answers.count()
    passed = inspection.answers.get(item__code="FIRE-01")
    answer_save(answer=passed, by=officer_a, data={"result": Result.PASS})
    client.force_login(officer_a)
    html = client.get(reverse("inspections:record", args=[inspection.pk])).content.decode()
    assert f"其余 {total - 1} 项全部合格" in html
    assert reverse("inspections:pass_remaining", args=[inspection.pk]) in html
    # The answered item is folded; the next unanswered one is linked.
    assert f'id="item-body-{passed.pk}" data-item-body' in html
    assert f'class="collapse pt-2" id="item-body-{passed.pk}"' in html
    second = inspection.answers.order_by("item__order").get(item__code="FIRE-02")
    assert f'href="?section=1#item-{second.pk}" data-jump="unanswered"' in html
    # A failed item's location is marked required.
    assert "field-required" in html


def test_review_links_each_incomplete_item_back_to_its_place(
    client, officer_a, hospital_a, safety_template
):
    inspection = started(officer_a, hospital_a)
    failed = answer_save(
        answer=inspection.answers.get(item__code="LOGI-03"),
        by=officer_a,
        data={"result": Result.FAIL, "fixed_on_the_spot": True},
    )
    Answer.objects.filter(pk=failed.pk).update(hazard_location="")
    blank = inspection.answers.get(item__code="FIRE-01")
    client.force_login(officer_a)
    html = client.get(reverse("inspections:review", args=[inspection.pk])).content.decode()
    record = reverse("inspections:record", args=[inspection.pk])
    section = list(safety_template.sections.values_list("pk", flat=True)).index(
        failed.item.section_id
    )
    assert f'href="{record}?section={section + 1}#item-{failed.pk}"' in html
    assert "未填写隐患部位" in html and "立查立改须上传整改后照片" in html
    assert f'href="{record}?section=1#item-{blank.pk}"' in html
