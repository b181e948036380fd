"""Report test data: hazards, assignments, inspections and 4+N items written straight to the
database, so that a scenario can be set on any date (reports only read them)."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from hazards.choices import Category, RectificationMode, RiskLevel, Source, Status
from hazards.models import Hazard

_codes = itertools.count(1)


def make_hazard(
    *,
    hospital,
    found_by,
    found_on: dt.date,
    status: str = Status.PENDING,
    closed_on: dt.date | None = None,
    deadline: dt.date | None = None,
    risk_level: str = RiskLevel.GENERAL,
    category: str = Category.FIRE,
    source: str = Source.SELF_INSPECTION,
    mode: str = RectificationMode.DEADLINE,
    description: str = "消防通道堆放杂物,影响疏散",
    location: str = "门诊楼三层",
    **extra,
) -> Hazard:
    n = next(_codes)
    if status == Status.CLOSED and closed_on is None:
        closed_on = found_on
    return Hazard.objects.create(
        code=f"{hospital.region.code}-{found_on.year}-T{n:05d}",
        hospital=hospital,
        source=source,
        found_side="hospital" if source == Source.SELF_INSPECTION else "bureau",
        category=category,
        risk_level=risk_level,
        location=location,
        description=description,
        found_on=found_on,
        found_by=found_by,
        mode=mode,
        deadline=deadline if deadline is not None else found_on + dt.timedelta(days=30),
        status=status,
        closed_on=closed_on,
        closed_at=timezone.make_aware(dt.datetime.combine(closed_on, dt.time(10)))
        if closed_on
        else None,
        responsible_person="李建国",
        responsible_department="后勤保障科",
        **extra,
    )
