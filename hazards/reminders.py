"""Hazard reminder rules, run by the notifications reminder scan (notifications/tasks.py).

Each rule is a query of what is due today; every reminder is keyed by (event, hazard,
occurrence) so running a rule again — or concurrently — sends nothing new. Occurrences include
the deadline, so an approved extension starts a fresh set of reminders.
Offsets are region settings: hazard_reminder_days ("3,1") and overdue_repeat_days (7).

What is sent, and when (THE RULE, in `next_reminder_on`):
- before the deadline: on each of the region's "days before" (1–31), once that day;
- on the deadline day: nothing (it is still in time);
- overdue: the day after the deadline, then every `overdue_repeat_days` days (cycle n starts on
  deadline + 1 + n × repeat); a cycle's notice not sent on its first day (a missed run) is sent
  on the next run within the cycle.
Each open hazard stores the first day it has something due (`Hazard.next_reminder_on`): the
services set it when the deadline or status changes, the scan advances it after sending and
reads only rows due by today, so it costs what is due, not what is open or closed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Case, DateField, F, QuerySet, Value, When
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.translation import gettext as _

from core.dates import today as local_today  # the rules take `today` as an argument
from hospitals.models import Hospital, Region
from notifications.channels import absolute_url
from notifications.choices import EventKind
from notifications.recipients import (
    RegionSettings,
    hospital_officers,
    hospital_officers_many,
    hospital_people_named_many,
    object_url,
    region_admins,
    region_bureau_staff,
)
from notifications.services import Notice, notify_many

from .choices import Status
from .models import Hazard, ReminderRhythm, open_q
from .webhooks import emit_overdue

# Due-soon reminders look at most this many days ahead, whatever the setting says.
MAX_DAYS_BEFORE = 31
# Rows read, sent for and advanced per transaction by the scan.
BATCH_SIZE = 500
ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Rhythm:
    """A hospital's reminder settings as the rule uses them."""

    before: tuple[int, ...]  # days before the deadline, each 1..MAX_DAYS_BEFORE, largest first
    repeat: int  # an overdue notice every `repeat` days, ≥ 1

    @classmethod
    def of(cls, region, settings: RegionSettings | None = None) -> Rhythm:
        """The rhythm a region's settings (inherited up the tree) give its hospitals."""
        settings = settings or RegionSettings()
        return cls.from_settings(
            settings.days(region, "hazard_reminder_days"),
            settings.value(region, "overdue_repeat_days"),
        )

    @classmethod
    def from_settings(cls, days_before: Iterable[int], repeat_days: int | None) -> Rhythm:
        """From the settings' values: offsets outside 1..MAX_DAYS_BEFORE never send anything
        (the deadline day and beyond a month are not reminded); no repeat means weekly."""
        before = sorted({day for day in days_before if 1 <= day <= MAX_DAYS_BEFORE}, reverse=True)
        return cls(before=tuple(before), repeat=max(int(repeat_days or 7), 1))

    @property
    def key(self) -> str:
        return f"{','.join(map(str, self.before))}/{self.repeat}"


def next_reminder_on(
    deadline: dt.date | None, *, rhythm: Rhythm, on: dt.date, sent_before: bool = False
) -> dt.date | None:
    """The first day from `on` on which an open hazard with this deadline has a reminder due.

    `sent_before=False` (the deadline or status just changed): a cycle of overdue notices
    already running counts as unsent, so an overdue hazard is due `on` itself — at worst the
    scan then finds the notice already sent (deduplicated). `sent_before=True`: the scan ran on
    `on - 1` and sent what was due, so the next overdue notice is the next cycle's."""
    if deadline is None:
        return None
    for days in rhythm.before:  # largest first: the earliest day first
        day = deadline - dt.timedelta(days=days)
        if day >= on:
            return day
    first_overdue = deadline + ONE_DAY
    if on <= first_overdue:
        return first_overdue
    if not sent_before:
        return on
    cycles = -(-(on - first_overdue).days // rhythm.repeat)  # ceil: the next cycle's start
    return first_overdue + dt.timedelta(days=cycles * rhythm.repeat)


def next_reminder_expression(*, rhythm: Rhythm, on: dt.date) -> Case:
    """`next_reminder_on(deadline, rhythm=rhythm, on=on)` (sent_before=False) as a SQL
    expression over the deadline column, for rescheduling many rows in one UPDATE. Date
    arithmetic on the column only subtracts/adds constants, which SQLite and PostgreSQL share.
    """
    whens = [When(deadline__isnull=True, then=Value(None, output_field=DateField()))]
    whens += [
        When(
            deadline__gte=on + dt.timedelta(days=days),
            then=Cast(F("deadline") - dt.timedelta(days=days), DateField()),
        )
        for days in rhythm.before
    ]
    whens.append(When(deadline__gte=on, then=Cast(F("deadline") + ONE_DAY, DateField())))
    return Case(*whens, default=Value(on), output_field=DateField())


def reschedule(hazards: QuerySet[Hazard], *, rhythm: Rhythm, on: dt.date) -> int:
    """Recompute `next_reminder_on` for `hazards` (all of one rhythm) in one UPDATE; closed
    ones get None."""
    hazards.exclude(open_q()).exclude(next_reminder_on=None).update(next_reminder_on=None)
    return hazards.filter(open_q()).update(
        next_reminder_on=next_reminder_expression(rhythm=rhythm, on=on)
    )


def schedule(hazard: Hazard, *, on: dt.date | None = None) -> dt.date | None:
    """Set `hazard.next_reminder_on` from its current deadline and status (the caller saves
    it). The transition services call this whenever they change either."""
    if hazard.status == Status.CLOSED:
        hazard.next_reminder_on = None
    else:
        hazard.next_reminder_on = next_reminder_on(
            hazard.deadline, rhythm=Rhythm.of(hazard.hospital.region), on=on or local_today()
        )
    return hazard.next_reminder_on


def reconcile_rhythms(*, on: dt.date) -> dict[int, Rhythm]:
    """Every hospital's rhythm now; hospitals whose hazards were scheduled with another one (a
    region's settings edited or inherited anew, a hospital moved, hazards inserted in bulk
    without a schedule) get their open hazards rescheduled from `on`. A few queries per run,
    plus one UPDATE per changed rhythm."""
    settings = RegionSettings()
    regions = Region.objects.in_bulk()
    for region in regions.values():
        # Region.setting walks ancestors_and_self(), one query a call; hand it the chain read
        # here so the inheritance rule stays Region's and the run reads the regions once.
        chain = [regions[pk] for pk in reversed(region.ancestor_ids) if pk in regions]
        region.ancestors_and_self = lambda chain=chain: chain
    applied = dict(ReminderRhythm.objects.values_list("hospital_id", "rhythm"))
    rhythms: dict[int, Rhythm] = {}
    by_region: dict[int, Rhythm] = {}
    changed: dict[Rhythm, list[int]] = defaultdict(list)
    for hospital_id, region_id in Hospital.objects.values_list("pk", "region_id"):
        region = regions[region_id]
        if region.pk not in by_region:
            by_region[region.pk] = Rhythm.of(region, settings)
        rhythm = rhythms[hospital_id] = by_region[region.pk]
        if applied.get(hospital_id) != rhythm.key:
            changed[rhythm].append(hospital_id)
    for rhythm, hospital_ids in changed.items():
        with transaction.atomic():
            reschedule(Hazard.objects.filter(hospital_id__in=hospital_ids), rhythm=rhythm, on=on)
            ReminderRhythm.objects.bulk_create(
                [ReminderRhythm(hospital_id=pk, rhythm=rhythm.key) for pk in hospital_ids],
                update_conflicts=True,
                unique_fields=["hospital"],
                update_fields=["rhythm"],
            )
    return rhythms


def _due(*, today: dt.date) -> QuerySet[Hazard]:
    """Open hazards of active hospitals with a reminder due by `today` (the partial index)."""
    return (
        Hazard.objects.filter(next_reminder_on__lte=today, hospital__is_active=True)
        .filter(open_q())
        .select_related("hospital", "hospital__region")
        .order_by("pk")
    )


def _scan(hazards: QuerySet[Hazard], *, today: dt.date, send, people: _People) -> int:
    """Send the notices `send(hazard, rhythm)` asks for each due hazard in `hazards`, in batches
    (deduplicated as `notify` does: a notice already sent adds nothing); each batch is
    claimed (rows locked by someone else — a service changing the deadline — are left for the
    next run) and its hazards advanced to their next reminder day in the same transaction."""
    rhythms = reconcile_rhythms(on=today)
    # The due ids come off the partial index; each batch is then fetched by primary key.
    due = list(hazards.values_list("pk", flat=True))
    sent = 0
    tomorrow = today + ONE_DAY
    for start in range(0, len(due), BATCH_SIZE):
        with transaction.atomic():
            batch = list(
                hazards.filter(pk__in=due[start : start + BATCH_SIZE]).select_for_update(
                    of=("self",), skip_locked=True
                )
            )
            people.load(batch)
            notices: list[Notice] = []
            for hazard in batch:
                rhythm = rhythms[hazard.hospital_id]
                notices += send(hazard, rhythm)
                hazard.next_reminder_on = next_reminder_on(
                    hazard.deadline, rhythm=rhythm, on=tomorrow, sent_before=True
                )
            # The batch's notices written together: a few queries, not three per hazard.
            sent += sum(notify_many(notices))
            _advance(batch)
    return sent


def _advance(hazards: list[Hazard]) -> None:
    """Store each hazard's new `next_reminder_on`: one UPDATE per distinct day (a run's
    overdue hazards all move to the same next cycle day), not a CASE per row."""
    by_day: dict[dt.date | None, list[int]] = defaultdict(list)
    for hazard in hazards:
        by_day[hazard.next_reminder_on].append(hazard.pk)
    for day, pks in by_day.items():
        Hazard.objects.filter(pk__in=pks).update(next_reminder_on=day)


class _People:
    """Per-run cache of who is told about a hospital's hazards (a run visits many hazards);
    `load` reads a batch's officers and named responsible persons in two queries."""

    def __init__(self):
        self._officers: dict[int, list] = {}
        self._named: dict[tuple[int, str], list] = {}
        self._bureau: dict[int, list] = {}
        self._admins: dict[int, list] = {}

    def load(self, hazards: list[Hazard]) -> None:
        missing = {h.hospital_id for h in hazards} - set(self._officers)
        if missing:
            found = hospital_officers_many(missing)
            self._officers.update({pk: found.get(pk, []) for pk in missing})
        self._named = hospital_people_named_many(
            (h.hospital_id, h.responsible_person) for h in hazards
        )

    def hospital_side(self, hazard: Hazard) -> list:
        hospital = hazard.hospital
        if hospital.pk not in self._officers:
            self._officers[hospital.pk] = hospital_officers(hospital)
        # `load` read everyone named in this hazard's batch: no entry means nobody.
        named = self._named.get((hospital.pk, (hazard.responsible_person or "").strip()), [])
        return self._officers[hospital.pk] + named

    def bureau(self, region) -> list:
        if region.pk not in self._bureau:
            self._bureau[region.pk] = region_bureau_staff(region)
        return self._bureau[region.pk]

    def admins(self, region) -> list:
        if region.pk not in self._admins:
            self._admins[region.pk] = region_admins(region)
        return self._admins[region.pk]


def _describe(hazard: Hazard) -> str:
    lines = [
        _("机构:%(hospital)s") % {"hospital": hazard.hospital.name},
        _("部位:%(location)s") % {"location": hazard.location},
        _("等级:%(level)s") % {"level": hazard.get_risk_level_display()},
        _("整改期限:%(deadline)s") % {"deadline": hazard.deadline.isoformat()},
    ]
    if hazard.responsible_person:
        lines.append(_("责任人:%(person)s") % {"person": hazard.responsible_person})
    lines.append(hazard.description[:200])
    return "\n".join(lines)


def remind_due_soon(*, today: dt.date) -> int:
    """Deadline approaching (default 3 days and 1 day before) → officers + responsible person.
    Also moves on hazards due by today whose deadline is today (nothing is sent that day)."""
    people = _People()

    def send(hazard: Hazard, rhythm: Rhythm) -> list[Notice]:
        days_left = (hazard.deadline - today).days
        if days_left not in rhythm.before:
            return []
        notice = Notice(
            event=EventKind.HAZARD_DUE_SOON,
            recipients=tuple(people.hospital_side(hazard)),
            title=_("隐患 %(code)s 将于 %(days)s 天后到期")
            % {"code": hazard.code, "days": days_left},
            body=_describe(hazard),
            url=object_url(hazard),
            obj=hazard,
            occurrence=f"{hazard.deadline.isoformat()}:before:{days_left}",
        )
        return [notice]

    due = _due(today=today).filter(deadline__gte=today)
    return _scan(due, today=today, send=send, people=people)


def _explanation_request(hazard: Hazard) -> tuple[str, str]:
    """(line, link) asking for the 书面说明理由 while the hospital owes one, else ("", "")."""
    if hazard.status not in (Status.PENDING, Status.IN_PROGRESS):
        return "", ""
    if hazard.has_current_explanation:
        return "", ""
    link = absolute_url(reverse("hazards:action", args=[hazard.pk, "explain"]))
    line = _("请尽快提交逾期未整改的书面说明理由:%(link)s") % {"link": link}
    return line, link


def remind_overdue(*, today: dt.date) -> int:
    """Overdue → officers the day after the deadline, then every overdue_repeat_days days;
    bureau staff of the region with the first notice; 重大隐患 → administrators each time
    (督办 escalation). While no written explanation covers the current deadline, the notice
    asks for it and links to the form."""
    people = _People()

    def send(hazard: Hazard, rhythm: Rhythm) -> list[Notice]:
        region = hazard.hospital.region
        days_overdue = (today - hazard.deadline).days
        cycle = (days_overdue - 1) // rhythm.repeat
        recipients = people.hospital_side(hazard)
        if cycle == 0:
            recipients += people.bureau(region)
        occurrence = f"{hazard.deadline.isoformat()}:overdue:{cycle}"
        emit_overdue(hazard, today=today)  # integration webhooks: once per passed deadline
        ask, _link = _explanation_request(hazard)
        notices = [
            Notice(
                event=EventKind.HAZARD_OVERDUE,
                recipients=tuple(recipients),
                title=_("隐患 %(code)s 已逾期 %(days)s 天")
                % {"code": hazard.code, "days": days_overdue},
                body=f"{ask}\n{_describe(hazard)}" if ask else _describe(hazard),
                url=object_url(hazard),
                obj=hazard,
                occurrence=occurrence,
            )
        ]
        if hazard.is_major:
            notices.append(
                Notice(
                    event=EventKind.HAZARD_MAJOR_OVERDUE,
                    recipients=tuple(people.admins(region)),
                    title=_("【督办】重大隐患 %(code)s 已逾期 %(days)s 天")
                    % {"code": hazard.code, "days": days_overdue},
                    body=_describe(hazard),
                    url=object_url(hazard),
                    obj=hazard,
                    occurrence=occurrence,
                )
            )
        return notices

    due = _due(today=today).filter(deadline__lt=today)
    return _scan(due, today=today, send=send, people=people)


REMINDER_RULES = (remind_due_soon, remind_overdue)
