from __future__ import annotations

import io

import pytest
from django.core.management.base import OutputWrapper
from django.core.management.color import no_style

from accounts import demo as accounts_demo
from hazards import demo as hazards_demo
from hazards.choices import RiskLevel, Status
from hazards.models import ExtensionRequest, Hazard
from hazards.selectors import overdue
from hospitals import demo as hospitals_demo

pytestmark = pytest.mark.django_db


def test_hazard_demo_is_realistic_and_idempotent():
    out = OutputWrapper(io.StringIO())
    hospitals_demo.seed(stdout=out, style=no_style())
    accounts_demo.seed(stdout=out, style=no_style())
    hazards_demo.seed(stdout=out, style=no_style())
    count = Hazard.objects.count()
    assert count > 40
    statuses = set(Hazard.objects.values_list("status", flat=True))
    assert statuses == {
        Status.PENDING,
        Status.IN_PROGRESS,
        Status.PENDING_ACCEPTANCE,
        Status.CLOSED,
    }
    assert overdue(Hazard.objects.all()).exists()
    majors = Hazard.objects.filter(risk_level=RiskLevel.MAJOR)
    assert majors.count() >= 3
    assert all(not h.missing_dossier_fields() for h in majors)
    assert majors.filter(status=Status.CLOSED, rechecked_at__isnull=False).exists()
    assert ExtensionRequest.objects.filter(status="pending").exists()
    # closed hazards carry their historical close-out dates, not all "today"
    assert Hazard.objects.filter(status=Status.CLOSED).values("closed_on").distinct().count() > 5
    hazards_demo.seed(stdout=out, style=no_style())
    assert Hazard.objects.count() == count
