"""A seeded scenario on 2026-10-10 (Asia/Shanghai), reported for 2026 Q3.

County 晋江市 (JJ): hospital_a (三级) and hospital_a2 (一级); other county 南安市: hospital_b.

| hazard | hospital | found | state | counts in Q3 JJ |
| h1 | A  | 07-05 | closed 07-20 | found, rectified |
| h2 | A  | 08-10 | 重大, open, deadline 09-30 → overdue | found, overdue, major open |
| h3 | A  | 09-15 | 立查立改 closed 09-15 | found, rectified, immediate |
| h4 | A  | 09-20 | open, deadline 11-30, description "=HYPERLINK(…)" | found |
| h5 | A2 | 07-15 | closed 08-01 | found, rectified |
| old | A | 05-01 | open, deadline 06-01 → overdue (found in Q2) | overdue sheet only |
| h6 | B  | 08-01 | 重大 open, deadline 12-31 | other county |
| h7 | B  | 08-02 | closed 08-20 | other county |
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from hazards.choices import RectificationMode, RiskLevel, Status, SupervisionLevel
from tests.factories import HospitalFactory
from tests.reports.factories import make_hazard

TODAY = dt.date(2026, 10, 10)
FORMULA = '=HYPERLINK("http://evil.example/","点我")'


@pytest.fixture
def on_report_day():
    with time_machine.travel(dt.datetime(2026, 10, 10, 10, 0, tzinfo=dt.UTC), tick=True):
        yield TODAY


@pytest.fixture
def hospital_a2(county):
    return HospitalFactory(name="晋江市安海卫生院", region=county, level="1", type="township")


@pytest.fixture
def scenario(on_report_day, hospital_a, hospital_a2, hospital_b, officer_a, officer_b):
    d = dt.date
    hazards = {
        "h1": make_hazard(
            hospital=hospital_a,
            found_by=officer_a,
            found_on=d(2026, 7, 5),
            status=Status.CLOSED,
            closed_on=d(2026, 7, 20),
        ),
        "h2": make_hazard(
            hospital=hospital_a,
            found_by=officer_a,
            found_on=d(2026, 8, 10),
            status=Status.IN_PROGRESS,
            deadline=d(2026, 9, 30),
            risk_level=RiskLevel.MAJOR,
            supervision_level=SupervisionLevel.COUNTY,
            supervision_notice_no="晋卫督〔2026〕12号",
            description="配电房电缆老化,绝缘层破损",
        ),
        "h3": make_hazard(
            hospital=hospital_a,
            found_by=officer_a,
            found_on=d(2026, 9, 15),
            status=Status.CLOSED,
            closed_on=d(2026, 9, 15),
            mode=RectificationMode.IMMEDIATE,
        ),
        "h4": make_hazard(
            hospital=hospital_a,
            found_by=officer_a,
            found_on=d(2026, 9, 20),
            deadline=d(2026, 11, 30),
            description=FORMULA,
            location="+住院部-二层",
        ),
        "h5": make_hazard(
            hospital=hospital_a2,
            found_by=officer_a,
            found_on=d(2026, 7, 15),
            status=Status.CLOSED,
            closed_on=d(2026, 8, 1),
        ),
        "old": make_hazard(
            hospital=hospital_a,
            found_by=officer_a,
            found_on=d(2026, 5, 1),
            deadline=d(2026, 6, 1),
        ),
        "h6": make_hazard(
            hospital=hospital_b,
            found_by=officer_b,
            found_on=d(2026, 8, 1),
            deadline=d(2026, 12, 31),
            risk_level=RiskLevel.MAJOR,
        ),
        "h7": make_hazard(
            hospital=hospital_b,
            found_by=officer_b,
            found_on=d(2026, 8, 2),
            status=Status.CLOSED,
            closed_on=d(2026, 8, 20),
        ),
    }
    return hazards


@pytest.fixture
def inspection_scenario(scenario, hospital_a, hospital_a2, officer_a):
    """September 2026: hospital A did its self-inspection on the 15th (3 items, 1 failed) and its
    linked department missed the 26th; hospital A2 missed its self-inspection."""
    from django.utils import timezone

    from inspections.checklist_seed import SAFETY_CODE
    from inspections.choices import AssignmentKind, InspectionKind, InspectionStatus, Result
    from inspections.models import Answer, Assignment, ChecklistTemplate, Inspection

    d = dt.date
    month = d(2026, 9, 1)
    self_a = Assignment.objects.create(
        kind=AssignmentKind.SELF, hospital=hospital_a, period=month, due_date=d(2026, 9, 15)
    )
    Assignment.objects.create(
        kind=AssignmentKind.LINKED, hospital=hospital_a, period=month, due_date=d(2026, 9, 26)
    )
    Assignment.objects.create(
        kind=AssignmentKind.SELF, hospital=hospital_a2, period=month, due_date=d(2026, 9, 15)
    )
    template = ChecklistTemplate.objects.filter(code=SAFETY_CODE).order_by("-version").first()
    inspection = Inspection.objects.create(
        hospital=hospital_a,
        kind=InspectionKind.SELF,
        template=template,
        assignment=self_a,
        inspected_on=d(2026, 9, 15),
        status=InspectionStatus.SUBMITTED,
        created_by=officer_a,
        submitted_by=officer_a,
        submitted_at=timezone.make_aware(dt.datetime(2026, 9, 15, 16, 0)),
        failed_count=1,
    )
    items = list(template.items.order_by("pk")[:3])
    for item, result in zip(items, [Result.PASS, Result.PASS, Result.FAIL], strict=True):
        Answer.objects.create(inspection=inspection, item=item, result=result)
    return scenario
