"""The reminder scan reads only hazards due by today (`next_reminder_on`): it sends what the
rule "every open hazard, every day, deduplicated" sends, and its queries do not grow with
closed or not-yet-due hazards."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from core.dates import today
from hazards.choices import OPEN_STATUSES, RiskLevel, Status
from hazards.models import Hazard
from hazards.reminders import (
    MAX_DAYS_BEFORE,
    Rhythm,
    next_reminder_expression,
    next_reminder_on,
    reconcile_rhythms,
    remind_due_soon,
    remind_overdue,
)
from hazards.services import (
    hazard_accept,
    hazard_approve_extension,
    hazard_order_suspension,
    hazard_raise,
    hazard_request_extension,
    hazard_set_deadline,
)
from notifications.choices import EventKind
from notifications.models import Notification
from notifications.services import dispatch_batch
from notifications.tasks import run_reminders
from tests.hazards.conftest import start, submit
from tests.hazards.factories import complete_dossier, raise_hazard

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = dt.timedelta(days=1)
REMINDER_EVENTS = (EventKind.HAZARD_DUE_SOON, EventKind.HAZARD_OVERDUE)


def at(day: dt.date):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 9, tzinfo=SHANGHAI))


# --- the rule before next_reminder_on, as a reference ---------------------------------------


def wanted_by_the_daily_rule(day: dt.date) -> set[tuple[int, str, str]]:
    """(hazard, event, occurrence) the scan used to ask for on `day`: every open hazard of an
    active hospital, every day — due soon on each offset day, overdue in its current cycle."""
    wanted = set()
    for hazard in Hazard.objects.filter(status__in=OPEN_STATUSES, hospital__is_active=True):
        region = hazard.hospital.region
        days_left = (hazard.deadline - day).days
        if 0 < days_left <= MAX_DAYS_BEFORE:
            if days_left in region.setting_days("hazard_reminder_days"):
                occurrence = f"{hazard.deadline.isoformat()}:before:{days_left}"
                wanted.add((hazard.pk, EventKind.HAZARD_DUE_SOON, occurrence))
        elif days_left < 0:
            repeat = max(int(region.setting("overdue_repeat_days") or 7), 1)
            cycle = (-days_left - 1) // repeat
            occurrence = f"{hazard.deadline.isoformat()}:overdue:{cycle}"
            wanted.add((hazard.pk, EventKind.HAZARD_OVERDUE, occurrence))
    return wanted


def sent() -> set[tuple[int, str, str]]:
    keys = set()
    for key in Notification.objects.filter(event__in=REMINDER_EVENTS).values_list(
        "dedupe_key", flat=True
    ):
        event, obj, occurrence = key.split("|")
        keys.add((int(obj.split(":")[1]), event, occurrence))
    return keys


def _raise(hospital, by, *, deadline, found_on=None, risk_level=RiskLevel.GENERAL):
    found_on = found_on or min(today(), deadline)
    return raise_hazard(
        hospital=hospital, found_by=by, found_on=found_on, deadline=deadline, risk_level=risk_level
    )


def test_the_scan_sends_what_the_every_day_rule_sent(
    hospital_a, hospital_b, officer_a, officer_b, county_bureau, county_admin, county, city
):
    """Hazards due tomorrow, in 3 days, today, overdue 1/7/8/30 days, extended, given a past
    deadline, closed, suspended, of a hospital switched off and on, and region settings changed
    midway; a day without a run. Every run day the scan sends exactly what is new in the old
    rule's wish list (deduplicated), no more and no less."""
    start_day = today()
    hazards = {
        "tomorrow": _raise(hospital_a, officer_a, deadline=start_day + DAY),
        "in_3": _raise(hospital_a, officer_a, deadline=start_day + 3 * DAY),
        "in_20": _raise(hospital_a, officer_a, deadline=start_day + 20 * DAY),
        "today": _raise(hospital_a, officer_a, deadline=start_day),
        "over_1": _raise(hospital_a, officer_a, deadline=start_day - DAY),
        "over_7": _raise(hospital_a, officer_a, deadline=start_day - 7 * DAY),
        "over_8": _raise(hospital_b, officer_b, deadline=start_day - 8 * DAY),
        "over_30": _raise(
            hospital_a,
            county_bureau,
            deadline=start_day - 30 * DAY,
            risk_level=RiskLevel.MAJOR,
        ),
        "to_extend": _raise(hospital_a, officer_a, deadline=start_day + 2 * DAY),
        "to_close": _raise(hospital_a, officer_a, deadline=start_day + 5 * DAY),
        "to_backdate": _raise(
            hospital_a, county_bureau, deadline=start_day + 10 * DAY, found_on=start_day - 20 * DAY
        ),
        "switched_off": _raise(hospital_b, officer_b, deadline=start_day + 4 * DAY),
    }
    complete_dossier(hazards["over_30"], officer_a, county_bureau)
    hazard_order_suspension(
        hazard=hazards["over_30"],
        by=county_bureau,
        kind="suspend_use",
        scope="配电房",
        notice_no="晋卫停〔2026〕1号",
        reason="严重危险",
    )
    closed = hazard_raise(
        hospital=hospital_a,
        found_by=officer_a,
        source="self_inspection",
        category="fire",
        risk_level=RiskLevel.GENERAL,
        location="配电房",
        description="绝缘手套过期",
        fixed_on_the_spot=True,
    )
    assert closed.next_reminder_on is None
    start(hazards["to_close"], officer_a)

    wanted: set = set()
    for offset in range(0, 40):
        day = start_day + offset * DAY
        with at(day):
            if offset == 1:
                extension = hazard_request_extension(
                    hazard=hazards["to_extend"],
                    by=officer_a,
                    requested_deadline=day + 12 * DAY,
                    reason="材料未到",
                )
                hazard_approve_extension(extension=extension, by=county_bureau)
            if offset == 3:
                submit(hazards["to_close"], officer_a)
                hazard_accept(hazard=hazards["to_close"], by=officer_a)
            if offset == 4:
                # A deadline set in the past: overdue at once, mid-cycle.
                hazard_set_deadline(
                    hazard=hazards["to_backdate"], by=county_bureau, deadline=day - 10 * DAY
                )
                hospital_b.is_active = False
                hospital_b.save()
            if offset == 9:
                hospital_b.is_active = True
                hospital_b.save()
            if offset == 12:
                city.hazard_reminder_days = "5,2"
                city.save()
                county.overdue_repeat_days = 3
                county.save()
            if offset in (6, 15):
                continue  # no run that day: the next run catches up
            wanted |= wanted_by_the_daily_rule(day)
            run_reminders.apply(throw=True)
            assert sent() == wanted, f"day {offset}"
    hazard_ids = {pk for pk, _event, _occurrence in wanted}
    assert closed.pk not in hazard_ids and hazards["to_close"].pk in hazard_ids
    assert {event for _pk, event, _occurrence in wanted} == set(REMINDER_EVENTS)
    # 督办 of the major hazard went with each of its overdue notices.
    major = {o for pk, e, o in wanted if pk == hazards["over_30"].pk}
    assert (
        major
        and {
            key.split("|")[2]
            for key in Notification.objects.filter(
                event=EventKind.HAZARD_MAJOR_OVERDUE, recipient=county_admin
            ).values_list("dedupe_key", flat=True)
        }
        == major
    )


def test_services_keep_the_next_reminder_day(hospital_a, officer_a, county_bureau):
    hazard = _raise(
        hospital_a, county_bureau, deadline=today() + 10 * DAY, found_on=today() - 20 * DAY
    )
    assert hazard.next_reminder_on == today() + 7 * DAY  # 3 days before
    hazard_set_deadline(hazard=hazard, by=county_bureau, deadline=today() + 2 * DAY)
    hazard.refresh_from_db()
    assert hazard.next_reminder_on == today() + DAY  # 1 day before
    hazard_set_deadline(hazard=hazard, by=county_bureau, deadline=today() - 5 * DAY)
    hazard.refresh_from_db()
    assert hazard.next_reminder_on == today()  # overdue already: today's run sends
    start(hazard, officer_a)
    submit(hazard, officer_a, explanation="材料未到")
    hazard_accept(hazard=hazard, by=county_bureau)
    hazard.refresh_from_db()
    assert hazard.next_reminder_on is None


def test_the_scan_moves_a_sent_hazard_to_its_next_cycle(hospital_a, officer_a):
    hazard = _raise(hospital_a, officer_a, deadline=today() - 2 * DAY)
    with dispatch_batch():
        remind_overdue(today=today())
    hazard.refresh_from_db()
    assert hazard.next_reminder_on == today() + 6 * DAY  # 9 days overdue: the second notice


def _scan_queries(day: dt.date) -> int:
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        with dispatch_batch():
            remind_due_soon(today=day)
            remind_overdue(today=day)
        transaction.set_rollback(True)
    return len(queries.captured_queries)


def test_scan_queries_do_not_grow_with_closed_or_not_yet_due_hazards(
    hospital_a, hospital_b, officer_a, officer_b
):
    for days in (1, 8, 15):
        _raise(hospital_a, officer_a, deadline=today() - days * DAY)
    _raise(hospital_b, officer_b, deadline=today() + 3 * DAY)
    reconcile_rhythms(on=today())  # as every run does first; kept, unlike the measured runs
    before = _scan_queries(today())
    for n in range(15):
        _raise(hospital_a, officer_a, deadline=today() + (20 + n) * DAY)
        _raise(hospital_b, officer_b, deadline=today() + (4 + n) * DAY, found_on=today())
        hazard_raise(
            hospital=hospital_b,
            found_by=officer_b,
            source="self_inspection",
            category="fire",
            risk_level=RiskLevel.GENERAL,
            location=f"库房{n}",
            description="灭火器过期",
            fixed_on_the_spot=True,
        )
    assert Hazard.objects.filter(status=Status.CLOSED).count() == 15
    assert Hazard.objects.filter(next_reminder_on__lte=today()).count() == 4
    assert _scan_queries(today()) == before


# --- the rule itself ----------------------------------------------------------------------

rhythms = st.builds(
    Rhythm.from_settings,
    st.lists(st.integers(min_value=0, max_value=40), max_size=4),
    st.one_of(st.none(), st.integers(min_value=0, max_value=10)),
)


def _brute_force(deadline, *, rhythm, on, sent_before):
    """The first day from `on` the daily rule would send something not sent yet."""
    first_overdue = deadline + DAY

    def cycle(day):
        return ((day - first_overdue).days) // rhythm.repeat

    for offset in range(0, 400):
        day = on + offset * DAY
        if (deadline - day).days in rhythm.before:
            return day
        if day > deadline:
            already = sent_before and on - DAY > deadline and cycle(on - DAY) == cycle(day)
            if not already:
                return day
    raise AssertionError("no reminder within 400 days")


@settings(max_examples=300, deadline=None)
@given(
    rhythm=rhythms,
    deadline_offset=st.integers(min_value=-60, max_value=60),
    sent_before=st.booleans(),
)
def test_next_reminder_day_is_the_first_day_the_daily_rule_sends(
    rhythm, deadline_offset, sent_before
):
    on = dt.date(2027, 2, 27)
    deadline = on + deadline_offset * DAY
    assert next_reminder_on(
        deadline, rhythm=rhythm, on=on, sent_before=sent_before
    ) == _brute_force(deadline, rhythm=rhythm, on=on, sent_before=sent_before)


@pytest.mark.parametrize(
    "rhythm",
    [Rhythm.from_settings([3, 1], 7), Rhythm.from_settings([30, 7, 0, 45], 1), Rhythm((), 3)],
)
def test_the_sql_expression_agrees_with_the_python_rule(rhythm, hospital_a, officer_a):
    on = today()
    deadlines = [on + offset * DAY for offset in range(-40, 41)]
    created = [_raise(hospital_a, officer_a, deadline=deadline) for deadline in deadlines[::3]]
    rows = Hazard.objects.filter(pk__in=[h.pk for h in created]).annotate(
        expected=next_reminder_expression(rhythm=rhythm, on=on)
    )
    for row in rows:
        assert row.expected == next_reminder_on(row.deadline, rhythm=rhythm, on=on), row.deadline
