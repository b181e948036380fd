from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from core.dates import today
from hazards.choices import EventType, EvidenceStage, FoundSide, RiskLevel, Source, Status
from hazards.models import Hazard
from hazards.services import HazardPermissionError
from notifications.models import Notification
from tests.hazards.factories import cleaned_photo, raise_hazard

pytestmark = pytest.mark.django_db


def test_raise_allocates_region_year_code_and_records_event(hospital_a, officer_a):
    first = raise_hazard(hospital=hospital_a, found_by=officer_a)
    second = raise_hazard(hospital=hospital_a, found_by=officer_a)
    year = today().year
    assert first.code == f"JJ-{year}-000001"
    assert second.code == f"JJ-{year}-000002"
    assert first.status == Status.PENDING
    assert first.found_side == FoundSide.HOSPITAL
    assert first.deadline == today() + dt.timedelta(days=30)
    assert list(first.events.values_list("kind", flat=True)) == [EventType.RAISED]


def test_codes_are_numbered_per_region_and_found_year(hospital_a, hospital_b, officer_a, officer_b):
    last_year = dt.date(today().year - 1, 12, 30)
    old = raise_hazard(hospital=hospital_a, found_by=officer_a, found_on=last_year)
    other = raise_hazard(hospital=hospital_b, found_by=officer_b)
    assert old.code == f"JJ-{last_year.year}-000001"
    assert other.code == f"NA-{today().year}-000001"


def test_bureau_found_hazard_is_accepted_by_bureau_side(hospital_a, county_bureau, officer_a):
    hazard = raise_hazard(hospital=hospital_a, found_by=county_bureau, source=Source.SPOT_CHECK)
    assert hazard.found_side == FoundSide.BUREAU
    # An officer typing in a finding of the linked department's day still records a bureau find.
    typed = raise_hazard(hospital=hospital_a, found_by=officer_a, source=Source.LINKED_DEPARTMENT)
    assert typed.found_side == FoundSide.BUREAU
    # The hospital officer is told about a hazard the bureau found.
    assert Notification.objects.filter(recipient=officer_a, event="hazard_raised").count() == 2 - 1


def test_fixed_on_the_spot_is_created_closed_with_after_evidence(hospital_a, officer_a):
    hazard = raise_hazard(
        hospital=hospital_a,
        found_by=officer_a,
        fixed_on_the_spot=True,
        photos=[cleaned_photo("before.jpg")],
        after_photos=[cleaned_photo("after.jpg")],
        rectification_measures="当场清理杂物",
        source_label="2026-11-15 自查 · 消防-05",
        source_url="/inspections/1/",
    )
    assert hazard.status == Status.CLOSED
    assert hazard.mode == "immediate"
    assert hazard.closed_by == officer_a
    assert hazard.closed_on == today()
    stages = sorted(hazard.evidence.values_list("stage", flat=True))
    assert stages == sorted([EvidenceStage.AFTER, EvidenceStage.BEFORE])
    kinds = list(hazard.events.values_list("kind", "to_status"))
    assert kinds == [
        (EventType.RAISED, Status.PENDING),
        (EventType.FIXED_ON_THE_SPOT, Status.CLOSED),
    ]
    assert hazard.source_label == "2026-11-15 自查 · 消防-05"


def test_fixed_on_the_spot_recorded_later_is_closed_on_the_day_it_was_found(hospital_a, officer_a):
    found = today() - dt.timedelta(days=3)
    hazard = raise_hazard(
        hospital=hospital_a,
        found_by=officer_a,
        found_on=found,
        fixed_on_the_spot=True,
        after_photos=[cleaned_photo("after.jpg")],
    )
    assert hazard.closed_on == found
    assert hazard.deadline == found
    assert not Hazard.objects.overdue().filter(pk=hazard.pk).exists()


def test_major_hazard_cannot_be_fixed_on_the_spot(hospital_a, officer_a):
    with pytest.raises(ValidationError) as exc:
        raise_hazard(
            hospital=hospital_a,
            found_by=officer_a,
            risk_level=RiskLevel.MAJOR,
            fixed_on_the_spot=True,
        )
    assert "fixed_on_the_spot" in exc.value.message_dict
    assert not Hazard.objects.exists()


def test_raise_rejects_blank_fields_and_bad_choices(hospital_a, officer_a):
    with pytest.raises(ValidationError) as exc:
        raise_hazard(
            hospital=hospital_a, found_by=officer_a, location=" ", description="", category="x"
        )
    assert set(exc.value.message_dict) == {"location", "description", "category"}
    assert not Hazard.objects.exists()


def test_officer_cannot_raise_for_another_hospital(hospital_b, officer_a):
    with pytest.raises(HazardPermissionError):
        raise_hazard(hospital=hospital_b, found_by=officer_a)
    assert not Hazard.objects.exists()


def test_visible_to_scopes_by_hospital_and_region(
    hospital_a, hospital_b, officer_a, officer_b, county_bureau, city_bureau
):
    a = raise_hazard(hospital=hospital_a, found_by=officer_a)
    b = raise_hazard(hospital=hospital_b, found_by=officer_b)
    assert list(Hazard.objects.visible_to(officer_a)) == [a]
    assert list(Hazard.objects.visible_to(county_bureau)) == [a]
    assert set(Hazard.objects.visible_to(city_bureau)) == {a, b}
