from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from inspections.models import Answer
from inspections.services import inspection_submit

from .factories import fill_all, started

pytestmark = pytest.mark.django_db


def _submit(officer, hospital, *, location="门诊楼", fail=False):
    inspection = started(officer, hospital, location=location)
    fill_all(inspection)
    if fail:
        Answer.objects.filter(inspection=inspection, item__code="FIRE-09").update(
            result="fail", hazard_location="地下车库", hazard_description="安全出口指示灯不亮"
        )
    return inspection_submit(inspection=inspection, by=officer)


def test_export_follows_filters_and_scope(
    client, officer_a, officer_b, hospital_a, hospital_b, county_bureau, safety_template
):
    _submit(officer_a, hospital_a, location='=HYPERLINK("x")', fail=True)
    _submit(officer_a, hospital_a)
    _submit(officer_b, hospital_b)
    client.force_login(county_bureau)
    response = client.get(reverse("inspections:export") + "?has_failures=true")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    flat = [str(v) for row in values for v in row if v is not None]
    assert any("晋江市医院" in v for v in flat)
    assert not any("南安市医院" in v for v in flat)  # another county's hospital
    rows_with_hospital = [row for row in values if "晋江市医院" in [str(v) for v in row]]
    assert len(rows_with_hospital) == 1  # only the inspection with failures
    # A formula-looking value is written as text, never as a formula.
    cells = [c for row in sheet.iter_rows() for c in row if c.value and "HYPERLINK" in str(c.value)]
    assert cells and all(c.data_type == "s" for c in cells)
