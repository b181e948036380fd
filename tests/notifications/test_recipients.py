"""The one rule for which bureau levels hear about what (notifications.recipients)."""

from __future__ import annotations

import pytest

from notifications.choices import EventKind
from notifications.recipients import (
    BUREAU_REACH,
    NEAREST,
    bureau_recipients,
    bureau_staff_up_to,
    region_bureau_staff,
)
from tests.factories import BureauUserFactory, OfficerFactory, RegionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    province = RegionFactory(name="福建省", level="province")
    city = RegionFactory(name="泉州市", level="city", parent=province)
    county = RegionFactory(name="晋江市", level="county", parent=city)
    empty_county = RegionFactory(name="石狮市", level="county", parent=city)
    return province, city, county, empty_county


def _names(users) -> set[str]:
    return {u.username for u in users}


def test_casework_goes_to_the_nearest_bureau_with_staff(tree):
    province, city, county, empty_county = tree
    BureauUserFactory(username="prov", region=province)
    BureauUserFactory(username="city", region=city)
    BureauUserFactory(username="county", region=county)
    BureauUserFactory(username="gone", region=county, is_active=False)
    OfficerFactory(username="officer")
    for event in (EventKind.SECURITY_ITEM_REVIEW, EventKind.HALF_YEAR_REPORT_SUBMITTED):
        assert BUREAU_REACH[event] == NEAREST
        assert _names(bureau_recipients(county, event=event)) == {"county"}
        # A county without bureau staff: the city acts for it, not the province as well.
        assert _names(bureau_recipients(empty_county, event=event)) == {"city"}
    # The name the hazards app uses keeps its answer.
    assert _names(region_bureau_staff(county)) == {"county"}
    assert _names(region_bureau_staff(empty_county)) == {"city"}


def test_escalations_reach_every_level_up_to_theirs(tree):
    province, city, county, _empty = tree
    BureauUserFactory(username="prov", region=province)
    BureauUserFactory(username="city", region=city)
    BureauUserFactory(username="county", region=county)
    assert BUREAU_REACH[EventKind.HAZARD_MAJOR_OVERDUE] == "city"
    assert _names(bureau_recipients(county, event=EventKind.HAZARD_MAJOR_OVERDUE)) == {
        "county",
        "city",
    }
    assert _names(bureau_staff_up_to(county, "province")) == {"county", "city", "prov"}
    assert _names(bureau_staff_up_to(county, "county")) == {"county"}
    # An explicit reach overrides the event's.
    assert _names(
        bureau_recipients(county, event=EventKind.SECURITY_ITEM_REVIEW, reach="province")
    ) == {"county", "city", "prov"}


def test_security_submission_notifies_by_the_rule(tree, django_capture_on_commit_callbacks):
    from hospitals.models import Hospital
    from notifications.models import Notification
    from security.services import report_save, report_submit

    province, city, county, _empty = tree
    BureauUserFactory(username="prov", region=province)
    BureauUserFactory(username="city", region=city)
    hospital = Hospital.objects.create(name="晋江市医院", region=county, level="3")
    officer = OfficerFactory(username="officer", hospital=hospital)
    report = report_save(
        hospital=hospital,
        year=2025,
        half=1,
        progress="进展",
        problems="",
        next_steps="",
        by=officer,
    )
    report_submit(report=report, by=officer)
    # The county has no bureau staff: the city hears, the province does not.
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"city"}
