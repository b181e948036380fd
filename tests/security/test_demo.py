from __future__ import annotations

import io

import pytest
from django.core.management.color import no_style
from django.urls import reverse

from accounts import demo as accounts_demo
from accounts.models import User
from hospitals import demo as hospitals_demo
from security import demo
from security.models import (
    AlarmDrill,
    ChecklistItem,
    EmergencyDrill,
    GuardPost,
    HalfYearReport,
    SecurityPlan,
)
from security.selectors import PlanIndex

pytestmark = pytest.mark.django_db


def test_demo_gives_every_covered_hospital_a_checklist_and_is_idempotent(client):
    out = io.StringIO()
    hospitals_demo.seed(stdout=out, style=no_style())
    accounts_demo.seed(stdout=out, style=no_style())
    demo.seed(stdout=out, style=no_style())
    counts = [
        m.objects.count()
        for m in (
            SecurityPlan,
            ChecklistItem,
            GuardPost,
            AlarmDrill,
            EmergencyDrill,
            HalfYearReport,
        )
    ]
    demo.seed(stdout=out, style=no_style())
    assert counts == [
        m.objects.count()
        for m in (
            SecurityPlan,
            ChecklistItem,
            GuardPost,
            AlarmDrill,
            EmergencyDrill,
            HalfYearReport,
        )
    ]

    index = PlanIndex.load()
    from hospitals.models import Hospital

    covered = [h for h in Hospital.objects.select_related("region") if index.covers(h)]
    assert covered
    for hospital in covered:
        assert ChecklistItem.objects.filter(hospital=hospital).count() >= 6  # 5 standard + N
        assert HalfYearReport.objects.filter(hospital=hospital, status="submitted").exists()
        assert AlarmDrill.objects.filter(hospital=hospital).exists()
    statuses = set(ChecklistItem.objects.values_list("status", flat=True))
    assert statuses == {"not_started", "in_progress", "pending", "met"}

    # The demo obeys the computed rule: nothing the records say is short is declared or
    # confirmed 已达标, and the overview's figures agree with it.
    from security.selectors import region_overview

    overview = region_overview(Hospital.objects.all())
    for row in overview.rows:
        for state in row.standard:
            if state.status in ("pending", "met"):
                assert not state.shortfalls, (row.hospital.name, state.label, state.shortfalls)
    item_1 = overview.rates[0]
    assert item_1.met <= overview.covered - overview.hospitals_short_of_guards

    # Every demo user can open the 4+N pages.
    for user in User.objects.filter(role__in=["officer", "bureau", "admin"]):
        client.force_login(user)
        response = client.get(reverse("security:index"), follow=True)
        assert response.status_code == 200, user.username
