"""Every allowed and forbidden transition, by role."""

from __future__ import annotations

import datetime as dt

import pytest

from core.dates import today
from hazards.choices import EventType, ExtensionStatus, Status
from hazards.models import HazardEvent
from hazards.services import (
    HazardError,
    HazardPermissionError,
    StaleHazardError,
    hazard_accept,
    hazard_approve_extension,
    hazard_explain_overdue,
    hazard_record_recheck,
    hazard_refuse_extension,
    hazard_reject,
    hazard_request_extension,
    hazard_set_deadline,
    hazard_start_rectification,
    hazard_submit,
    hazard_update,
)
from notifications.models import Notification
from tests.hazards.conftest import start, submit
from tests.hazards.factories import complete_dossier, raise_hazard

pytestmark = pytest.mark.django_db


def _unchanged(hazard, status, events):
    hazard.refresh_from_db()
    assert hazard.status == status
    assert hazard.events.count() == events


# --- start ---------------------------------------------------------------------------------------


def test_officer_starts_rectification_of_own_hospital(self_found, officer_a):
    start(self_found, officer_a)
    self_found.refresh_from_db()
    assert self_found.status == Status.IN_PROGRESS
    assert self_found.responsible_person == "李建国"
    event = self_found.events.last()
    assert (event.kind, event.actor, event.from_status, event.to_status) == (
        EventType.STARTED,
        officer_a,
        Status.PENDING,
        Status.IN_PROGRESS,
    )


@pytest.mark.parametrize(
    "actor", ["officer_b", "county_bureau", "city_bureau", "county_admin", "other_county_bureau"]
)
def test_only_the_hospital_officer_starts_rectification(request, self_found, actor):
    with pytest.raises(HazardPermissionError):
        start(self_found, request.getfixturevalue(actor))
    _unchanged(self_found, Status.PENDING, 1)


def test_start_requires_the_six_determinations(self_found, officer_a):
    with pytest.raises(HazardError, match="临时安全防范措施"):
        hazard_start_rectification(
            hazard=self_found,
            by=officer_a,
            responsible_person="李建国",
            rectification_measures="清理",
            interim_measures="",
        )
    _unchanged(self_found, Status.PENDING, 1)


def test_cannot_start_twice(self_found, officer_a):
    start(self_found, officer_a)
    with pytest.raises(HazardError):
        hazard_start_rectification(hazard=self_found, by=officer_a, expected_status=None)
    _unchanged(self_found, Status.IN_PROGRESS, 2)


# --- submit --------------------------------------------------------------------------------------


def test_officer_submits_and_self_found_hazard_goes_to_own_acceptance(
    self_found, officer_a, hospital_a
):
    from tests.factories import OfficerFactory

    colleague = OfficerFactory(hospital=hospital_a)
    start(self_found, officer_a)
    submit(self_found, officer_a)
    assert self_found.status == Status.PENDING_ACCEPTANCE
    assert Notification.objects.filter(recipient=colleague, event="hazard_submitted").exists()


def test_submit_of_bureau_found_hazard_notifies_bureau(bureau_found, officer_a, county_bureau):
    start(bureau_found, officer_a)
    submit(bureau_found, officer_a)
    assert Notification.objects.filter(recipient=county_bureau, event="hazard_submitted").exists()


def test_cannot_submit_before_starting(self_found, officer_a):
    with pytest.raises(HazardError):
        hazard_submit(hazard=self_found, by=officer_a, expected_status=None)
    _unchanged(self_found, Status.PENDING, 1)


def test_submit_needs_after_evidence(self_found, officer_a):
    start(self_found, officer_a)
    with pytest.raises(HazardError, match="整改后"):
        hazard_submit(hazard=self_found, by=officer_a)
    _unchanged(self_found, Status.IN_PROGRESS, 2)


@pytest.mark.parametrize("actor", ["officer_b", "county_bureau", "county_admin"])
def test_only_hospital_officer_submits(request, self_found, officer_a, actor):
    start(self_found, officer_a)
    with pytest.raises(HazardPermissionError):
        hazard_submit(hazard=self_found, by=request.getfixturevalue(actor))
    _unchanged(self_found, Status.IN_PROGRESS, 2)


# --- accept / reject -----------------------------------------------------------------------------


def test_officer_accepts_and_closes_out_self_found_general_hazard(self_found, officer_a):
    start(self_found, officer_a)
    submit(self_found, officer_a)
    hazard_accept(hazard=self_found, by=officer_a, note="现场核实已整改")
    self_found.refresh_from_db()
    assert self_found.status == Status.CLOSED
    assert self_found.closed_by == officer_a
    assert self_found.closed_on == today()


@pytest.mark.parametrize("actor", ["county_bureau", "officer_b", "county_admin"])
def test_self_found_general_hazard_is_not_accepted_by_others(request, self_found, officer_a, actor):
    start(self_found, officer_a)
    submit(self_found, officer_a)
    events = self_found.events.count()
    with pytest.raises(HazardPermissionError):
        hazard_accept(hazard=self_found, by=request.getfixturevalue(actor))
    _unchanged(self_found, Status.PENDING_ACCEPTANCE, events)


@pytest.mark.parametrize("actor", ["county_bureau", "city_bureau"])
def test_bureau_accepts_bureau_found_hazard_in_its_region(request, bureau_found, officer_a, actor):
    start(bureau_found, officer_a)
    submit(bureau_found, officer_a)
    hazard_accept(hazard=bureau_found, by=request.getfixturevalue(actor))
    bureau_found.refresh_from_db()
    assert bureau_found.status == Status.CLOSED
    assert Notification.objects.filter(recipient=officer_a, event="hazard_accepted").exists()


@pytest.mark.parametrize("actor", ["officer_a", "other_county_bureau", "county_admin", "officer_b"])
def test_bureau_found_hazard_is_not_accepted_by_others(request, bureau_found, officer_a, actor):
    start(bureau_found, officer_a)
    submit(bureau_found, officer_a)
    events = bureau_found.events.count()
    with pytest.raises(HazardPermissionError):
        hazard_accept(hazard=bureau_found, by=request.getfixturevalue(actor))
    with pytest.raises(HazardPermissionError):
        hazard_reject(hazard=bureau_found, by=request.getfixturevalue(actor), note="不合格")
    _unchanged(bureau_found, Status.PENDING_ACCEPTANCE, events)


def test_rejection_sends_back_to_rectification_with_reason(bureau_found, officer_a, county_bureau):
    start(bureau_found, officer_a)
    submit(bureau_found, officer_a)
    with pytest.raises(HazardError):
        hazard_reject(hazard=bureau_found, by=county_bureau, note="  ")
    hazard_reject(hazard=bureau_found, by=county_bureau, note="杂物仍未清理干净")
    bureau_found.refresh_from_db()
    assert bureau_found.status == Status.IN_PROGRESS
    event = bureau_found.events.last()
    assert (event.kind, event.note) == (EventType.REJECTED, "杂物仍未清理干净")
    assert Notification.objects.filter(recipient=officer_a, event="hazard_rejected").exists()
    # and it can be submitted again and accepted
    submit(bureau_found, officer_a)
    hazard_accept(hazard=bureau_found, by=county_bureau)
    bureau_found.refresh_from_db()
    assert bureau_found.status == Status.CLOSED


def test_cannot_accept_a_hazard_still_in_rectification(self_found, officer_a):
    start(self_found, officer_a)
    with pytest.raises(HazardError):
        hazard_accept(hazard=self_found, by=officer_a, expected_status=None)
    _unchanged(self_found, Status.IN_PROGRESS, 2)


def test_closed_hazard_refuses_every_transition(self_found, officer_a, county_bureau):
    start(self_found, officer_a)
    submit(self_found, officer_a)
    hazard_accept(hazard=self_found, by=officer_a)
    events = self_found.events.count()
    calls = [
        lambda: hazard_start_rectification(hazard=self_found, by=officer_a, expected_status=None),
        lambda: hazard_submit(hazard=self_found, by=officer_a, expected_status=None),
        lambda: hazard_accept(hazard=self_found, by=officer_a, expected_status=None),
        lambda: hazard_reject(hazard=self_found, by=officer_a, note="x", expected_status=None),
        lambda: hazard_set_deadline(hazard=self_found, by=county_bureau, deadline=today()),
        lambda: hazard_request_extension(
            hazard=self_found, by=officer_a, requested_deadline=today(), reason="x"
        ),
        lambda: hazard_update(hazard=self_found, by=officer_a, changes={"progress": "x"}),
    ]
    for call in calls:
        with pytest.raises(HazardError):
            call()
    _unchanged(self_found, Status.CLOSED, events)


def test_stale_form_is_refused_and_changes_nothing(bureau_found, officer_a, county_bureau):
    start(bureau_found, officer_a)
    submit(bureau_found, officer_a)
    hazard_accept(hazard=bureau_found, by=county_bureau)
    events = bureau_found.events.count()
    with pytest.raises(StaleHazardError, match="已被他人更新"):
        hazard_reject(hazard=bureau_found, by=county_bureau, note="不合格")
    _unchanged(bureau_found, Status.CLOSED, events)


# --- major hazards -------------------------------------------------------------------------------


def test_major_hazard_without_governance_plan_cannot_be_submitted(major, officer_a):
    start(major, officer_a)
    with pytest.raises(HazardError, match="一患一档") as exc:
        submit(major, officer_a)
    assert "治理的目标和任务" in str(exc.value)
    assert "挂牌督办级别" in str(exc.value)
    _unchanged(major, Status.IN_PROGRESS, major.events.count())


def test_major_hazard_needs_bureau_recheck_before_acceptance(major, officer_a, county_bureau):
    start(major, officer_a)
    complete_dossier(major, officer_a, county_bureau)
    submit(major, officer_a)
    with pytest.raises(HazardPermissionError):
        hazard_accept(hazard=major, by=officer_a)
    with pytest.raises(HazardError, match="复查"):
        hazard_accept(hazard=major, by=county_bureau)
    with pytest.raises(HazardPermissionError):
        hazard_record_recheck(hazard=major, by=officer_a, note="已复查")
    hazard_record_recheck(hazard=major, by=county_bureau, note="现场复查,电缆已全部更换")
    hazard_accept(hazard=major, by=county_bureau)
    major.refresh_from_db()
    assert major.status == Status.CLOSED
    assert major.rechecked_by == county_bureau
    kinds = list(major.events.values_list("kind", flat=True))
    assert kinds[-2:] == [EventType.RECHECKED, EventType.ACCEPTED]


def test_self_found_major_hazard_still_needs_bureau_acceptance(
    hospital_a, officer_a, county_bureau
):
    hazard = raise_hazard(hospital=hospital_a, found_by=officer_a, risk_level="major")
    start(hazard, officer_a)
    complete_dossier(hazard, officer_a, county_bureau)
    submit(hazard, officer_a)
    with pytest.raises(HazardPermissionError):
        hazard_accept(hazard=hazard, by=officer_a)
    assert Notification.objects.filter(recipient=county_bureau, event="hazard_submitted").exists()


def test_recheck_before_a_resubmission_does_not_count(major, officer_a, county_bureau):
    start(major, officer_a)
    complete_dossier(major, officer_a, county_bureau)
    submit(major, officer_a)
    hazard_record_recheck(hazard=major, by=county_bureau, note="复查不合格")
    hazard_reject(hazard=major, by=county_bureau, note="未完成")
    submit(major, officer_a)
    with pytest.raises(HazardError, match="复查"):
        hazard_accept(hazard=major, by=county_bureau)


# --- overdue explanation -------------------------------------------------------------------------


def _overdue(hospital, officer):
    hazard = raise_hazard(
        hospital=hospital,
        found_by=officer,
        found_on=today() - dt.timedelta(days=40),
        deadline=today() - dt.timedelta(days=3),
    )
    start(hazard, officer)
    return hazard


def test_overdue_hazard_needs_written_explanation_before_submission(hospital_a, officer_a):
    hazard = _overdue(hospital_a, officer_a)
    with pytest.raises(HazardError, match="书面说明"):
        submit(hazard, officer_a)
    hazard.refresh_from_db()
    assert hazard.status == Status.IN_PROGRESS
    hazard_explain_overdue(hazard=hazard, by=officer_a, explanation="配件采购周期长,已于本周到货")
    hazard_submit(hazard=hazard, by=officer_a)
    hazard.refresh_from_db()
    assert hazard.status == Status.PENDING_ACCEPTANCE
    assert hazard.overdue_explanation == "配件采购周期长,已于本周到货"


def test_explanation_can_be_given_with_the_submission(hospital_a, officer_a):
    hazard = _overdue(hospital_a, officer_a)
    submit(hazard, officer_a, explanation="施工单位延误")
    assert hazard.status == Status.PENDING_ACCEPTANCE
    assert EventType.EXPLAINED in hazard.events.values_list("kind", flat=True)


def test_explanation_is_refused_when_not_overdue(self_found, officer_a):
    with pytest.raises(HazardError, match="尚未逾期"):
        hazard_explain_overdue(hazard=self_found, by=officer_a, explanation="x")


def test_explanation_for_an_old_deadline_does_not_cover_a_new_one(
    hospital_a, officer_a, county_bureau
):
    hazard = _overdue(hospital_a, officer_a)
    hazard_explain_overdue(hazard=hazard, by=officer_a, explanation="说明一")
    hazard_set_deadline(hazard=hazard, by=county_bureau, deadline=today() - dt.timedelta(days=1))
    with pytest.raises(HazardError, match="书面说明"):
        submit(hazard, officer_a)


# --- deadlines and extensions --------------------------------------------------------------------


def test_bureau_sets_deadline_officer_cannot(
    self_found, officer_a, county_bureau, other_county_bureau
):
    new = today() + dt.timedelta(days=10)
    for outsider in (officer_a, other_county_bureau):
        with pytest.raises(HazardPermissionError):
            hazard_set_deadline(hazard=self_found, by=outsider, deadline=new)
    hazard_set_deadline(hazard=self_found, by=county_bureau, deadline=new)
    self_found.refresh_from_db()
    assert self_found.deadline == new
    assert self_found.events.last().kind == EventType.DEADLINE_SET


def test_extension_request_approved_by_bureau_moves_deadline(self_found, officer_a, county_bureau):
    wanted = self_found.deadline + dt.timedelta(days=20)
    extension = hazard_request_extension(
        hazard=self_found, by=officer_a, requested_deadline=wanted, reason="需招标采购"
    )
    assert Notification.objects.filter(recipient=county_bureau, event="hazard_extension").exists()
    with pytest.raises(HazardError, match="待审批"):
        hazard_request_extension(
            hazard=self_found, by=officer_a, requested_deadline=wanted, reason="再次申请"
        )
    with pytest.raises(HazardPermissionError):
        hazard_approve_extension(extension=extension, by=officer_a)
    hazard_approve_extension(extension=extension, by=county_bureau, note="同意")
    self_found.refresh_from_db()
    extension.refresh_from_db()
    assert self_found.deadline == wanted
    assert extension.status == ExtensionStatus.APPROVED
    with pytest.raises(StaleHazardError):
        hazard_refuse_extension(extension=extension, by=county_bureau, note="不同意")


def test_extension_refused_keeps_deadline(self_found, officer_a, county_bureau):
    old = self_found.deadline
    extension = hazard_request_extension(
        hazard=self_found, by=officer_a, requested_deadline=old + dt.timedelta(days=5), reason="x"
    )
    with pytest.raises(HazardError):
        hazard_refuse_extension(extension=extension, by=county_bureau, note="")
    hazard_refuse_extension(extension=extension, by=county_bureau, note="期限内可以完成")
    self_found.refresh_from_db()
    assert self_found.deadline == old
    assert self_found.events.last().kind == EventType.EXTENSION_REFUSED


def test_extension_must_move_the_deadline_later(self_found, officer_a):
    with pytest.raises(HazardError, match="须晚于"):
        hazard_request_extension(
            hazard=self_found, by=officer_a, requested_deadline=self_found.deadline, reason="x"
        )
    assert not self_found.extensions.exists()


def test_every_event_records_actor_and_statuses(self_found, officer_a):
    start(self_found, officer_a)
    submit(self_found, officer_a)
    hazard_accept(hazard=self_found, by=officer_a)
    rows = list(
        HazardEvent.objects.filter(hazard=self_found, to_status__gt="").values_list(
            "from_status", "to_status"
        )
    )
    assert rows == [
        ("", Status.PENDING),
        (Status.PENDING, Status.IN_PROGRESS),
        (Status.IN_PROGRESS, Status.PENDING_ACCEPTANCE),
        (Status.PENDING_ACCEPTANCE, Status.CLOSED),
    ]
    assert self_found.history.count() >= 4
