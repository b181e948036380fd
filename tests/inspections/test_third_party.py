"""第三方安全生产技术顾问检查 (seed 000): a kind of its own, the firm's name required, and the
hazards it raises counted under their own source."""

from __future__ import annotations

import io

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from openpyxl import load_workbook

from core.dates import today
from hazards.choices import Source
from hazards.models import Hazard
from inspections.choices import InspectionKind, Result
from inspections.models import Answer, Inspection
from inspections.services import InspectionError, inspection_submit, inspection_update
from tests.reports.helpers import table

from .factories import fill_all, started

pytestmark = pytest.mark.django_db


def test_third_party_inspection_requires_the_firm(county_bureau, hospital_a, safety_template):
    with pytest.raises(InspectionError, match="须填写第三方机构名称"):
        started(county_bureau, hospital_a, kind=InspectionKind.THIRD_PARTY, third_party_firm="  ")
    assert Inspection.objects.count() == 0


def test_the_database_refuses_a_third_party_inspection_without_firm(
    county_bureau, hospital_a, safety_template
):
    inspection = started(
        county_bureau, hospital_a, kind=InspectionKind.THIRD_PARTY, third_party_firm="安信咨询"
    )
    with transaction.atomic(), pytest.raises(IntegrityError):
        Inspection.objects.filter(pk=inspection.pk).update(third_party_firm="")


def test_other_kinds_keep_no_firm(county_bureau, hospital_a, safety_template):
    inspection = started(
        county_bureau, hospital_a, kind=InspectionKind.JOINT, third_party_firm="安信咨询"
    )
    assert inspection.third_party_firm == ""


def test_officer_may_not_start_a_third_party_inspection(officer_a, hospital_a, safety_template):
    with pytest.raises(InspectionError):
        started(officer_a, hospital_a, kind=InspectionKind.THIRD_PARTY, third_party_firm="安信咨询")
    assert Inspection.objects.count() == 0


def test_draft_firm_cannot_be_blanked(county_bureau, hospital_a, safety_template):
    inspection = started(
        county_bureau, hospital_a, kind=InspectionKind.THIRD_PARTY, third_party_firm="安信咨询"
    )
    with pytest.raises(InspectionError):
        inspection_update(inspection=inspection, by=county_bureau, third_party_firm="")
    inspection.refresh_from_db()
    assert inspection.third_party_firm == "安信咨询"
    inspection_update(inspection=inspection, by=county_bureau, third_party_firm="安信安全咨询")
    inspection.refresh_from_db()
    assert inspection.third_party_firm == "安信安全咨询"


def test_start_form_requires_the_firm_and_hazards_carry_the_third_party_source(
    client, county_bureau, hospital_a, safety_template
):
    client.force_login(county_bureau)
    data = {
        "kind": "third_party",
        "hospital": hospital_a.pk,
        "inspected_on": today().isoformat(),
    }
    response = client.post(reverse("inspections:new"), data)
    assert response.status_code == 200
    assert "须填写第三方机构名称" in response.content.decode()
    assert Inspection.objects.count() == 0

    response = client.post(reverse("inspections:new"), {**data, "third_party_firm": "安信咨询"})
    inspection = Inspection.objects.get()
    assert response["Location"] == reverse("inspections:record", args=[inspection.pk])
    assert inspection.kind == InspectionKind.THIRD_PARTY
    assert inspection.third_party_firm == "安信咨询"

    fill_all(inspection)
    Answer.objects.filter(inspection=inspection, item__code="EQUIP-05").update(
        result=Result.FAIL, hazard_location="液氧站", hazard_description="液氧罐未做安全改造"
    )
    inspection_submit(inspection=inspection, by=county_bureau)
    hazard = Hazard.objects.get()
    assert hazard.source == Source.THIRD_PARTY
    assert "安信咨询" in hazard.source_label

    # The hazard list's source filter offers and applies the new source.
    response = client.get(reverse("hazards:list"), {"source": "third_party"})
    assert response.status_code == 200
    assert hazard.code in response.content.decode()

    # List, detail and the export show the firm.
    assert "安信咨询" in client.get(reverse("inspections:list")).content.decode()
    detail = client.get(reverse("inspections:detail", args=[inspection.pk]))
    assert "安信咨询" in detail.content.decode()
    response = client.get(reverse("inspections:export"), {"kind": "third_party"})
    header, rows = table(load_workbook(io.BytesIO(response.content)).active, totals=False)
    assert [row[header.index("第三方机构")] for row in rows] == ["安信咨询"]


def test_firm_is_amended_with_a_reason_after_submission(
    client, county_bureau, hospital_a, safety_template
):
    from inspections.models import Amendment
    from inspections.services import inspection_amend

    inspection = started(
        county_bureau, hospital_a, kind=InspectionKind.THIRD_PARTY, third_party_firm="安信咨询"
    )
    fill_all(inspection)
    inspection_submit(inspection=inspection, by=county_bureau)
    with pytest.raises(InspectionError):
        inspection_amend(
            inspection=inspection, by=county_bureau, reason="笔误", third_party_firm=""
        )
    client.force_login(county_bureau)
    url = reverse("inspections:header_amend", args=[inspection.pk])
    assert "第三方机构名称" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "location": inspection.location,
            "participants": inspection.participants,
            "summary": inspection.summary,
            "third_party_firm": "安信安全技术咨询有限公司",
            "reason": "机构全称",
        },
    )
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.third_party_firm == "安信安全技术咨询有限公司"
    amendment = Amendment.objects.get(inspection=inspection)
    assert (amendment.field, amendment.old_value) == ("third_party_firm", "安信咨询")


def test_other_kinds_offer_no_firm_to_amend(client, officer_a, hospital_a, safety_template):
    inspection = started(officer_a, hospital_a)
    fill_all(inspection)
    inspection_submit(inspection=inspection, by=officer_a)
    client.force_login(officer_a)
    response = client.get(reverse("inspections:header_amend", args=[inspection.pk]))
    assert response.status_code == 200
    assert "第三方机构名称" not in response.content.decode()


def test_demo_has_a_third_party_inspection_whose_hazards_carry_the_source():
    from io import StringIO

    from django.core.management import call_command

    call_command("seed_demo", stdout=StringIO())
    inspections = Inspection.objects.filter(kind=InspectionKind.THIRD_PARTY)
    assert inspections.exists()
    assert not inspections.filter(third_party_firm="").exists()
    raised = Hazard.objects.filter(
        pk__in=Answer.objects.filter(inspection__in=inspections).values("hazard")
    )
    assert set(raised.values_list("source", flat=True)) <= {Source.THIRD_PARTY}
