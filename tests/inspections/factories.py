from __future__ import annotations

import datetime as dt

from inspections.choices import AssignmentKind, Result
from inspections.models import Assignment, Inspection
from inspections.services import inspection_start


def make_assignment(hospital, *, due_date: dt.date, kind=AssignmentKind.SELF, department=None):
    return Assignment.objects.create(
        kind=kind,
        hospital=hospital,
        department=department,
        period=due_date.replace(day=1),
        due_date=due_date,
    )


def fill_all(inspection: Inspection, result: str = Result.PASS) -> None:
    inspection.answers.update(result=result)


def started(by, hospital, kind="self", **kwargs) -> Inspection:
    return inspection_start(by=by, hospital=hospital, kind=kind, **kwargs)
