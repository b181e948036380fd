"""`status_in_force` looks up the latest event up to T only for hazards whose status changed
after T (a hashed set) — the same answer as the lookup for every row it replaced (issue 11)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db.models import Case as CaseExpr
from django.db.models import CharField, F, OuterRef, Subquery, Value
from django.db.models import When as WhenExpr
from django.db.models.functions import Coalesce

from core.dates import as_of_instant
from hazards.choices import Status
from hazards.models import Hazard, HazardEvent
from hazards.selectors import rectified_q, status_in_force
from hazards.services import hazard_accept
from tests.hazards.conftest import start, submit
from tests.hazards.factories import raise_hazard

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))


def _reference(as_of):
    """The per-row expression `status_in_force` had before (a correlated lookup a row)."""
    instant = as_of_instant(as_of)
    last = (
        HazardEvent.objects.filter(hazard=OuterRef("pk"), at__lte=instant)
        .exclude(to_status="")
        .exclude(to_status=Status.CLOSED)
        .order_by("-at", "-pk")
    )
    return CaseExpr(
        WhenExpr(rectified_q(instant), then=Value(Status.CLOSED.value)),
        default=Coalesce(
            Subquery(last.values("to_status")[:1]),
            CaseExpr(
                WhenExpr(status=Status.CLOSED, then=Value(Status.PENDING.value)),
                default=F("status"),
            ),
        ),
        output_field=CharField(),
    )


def _at(day: int, hour: int = 10):
    return dt.datetime(2026, 9, day, hour, 0, tzinfo=TZ)


def test_status_as_of_any_instant_matches_the_per_row_lookup(hospital_a, officer_a):
    with time_machine.travel(_at(1), tick=False):
        untouched = raise_hazard(hospital=hospital_a, found_by=officer_a)
        started = raise_hazard(hospital=hospital_a, found_by=officer_a)
        closed = raise_hazard(hospital=hospital_a, found_by=officer_a)
    with time_machine.travel(_at(5), tick=False):
        start(started, officer_a)
        start(closed, officer_a)
    with time_machine.travel(_at(10), tick=False):
        submit(closed, officer_a)
    with time_machine.travel(_at(12), tick=False):
        hazard_accept(hazard=closed, by=officer_a)
    expected = {
        _at(2): {untouched: "pending", started: "pending", closed: "pending"},
        _at(6): {untouched: "pending", started: "in_progress", closed: "in_progress"},
        _at(11): {untouched: "pending", started: "in_progress", closed: "pending_acceptance"},
        _at(20): {untouched: "pending", started: "in_progress", closed: "closed"},
    }
    for instant, states in expected.items():
        with time_machine.travel(_at(25), tick=False):
            rows = dict(
                Hazard.objects.annotate(
                    now=status_in_force(instant), before=_reference(instant)
                ).values_list("pk", "now")
            )
            reference = dict(
                Hazard.objects.annotate(before=_reference(instant)).values_list("pk", "before")
            )
        assert rows == reference, instant
        assert {h.pk: state for h, state in states.items()} == rows, instant
