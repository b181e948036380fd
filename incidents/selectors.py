"""Scoped reads of the incidents app: the days that fell short of patrols, and the figures of
the bureau dashboard card. Every read starts from a hospitals queryset the caller scoped
(`Hospital.objects.visible_to(user)` or a report scope) and takes a constant number of
queries whatever the number of hospitals or days."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from core.dates import as_of_instant, end_of_day, today
from hospitals.models import Hospital

from .choices import MIN_PATROLS_PER_DAY, IncidentKind
from .models import Incident, Patrol, PatrolTarget


@dataclass
class ShortDay:
    day: dt.date
    patrols: int
    target: int = MIN_PATROLS_PER_DAY


@dataclass
class HospitalShortfall:
    hospital_id: int
    name: str
    region: str
    days_judged: int
    short: list[ShortDay] = field(default_factory=list)

    @property
    def short_count(self) -> int:
        return len(self.short)


def last_judged_day(end: dt.date, on: dt.date | None = None) -> dt.date:
    """The last day of a period that can have fallen short: a day is judged once it is over,
    so today (still running) never counts, nor any day after it."""
    return min(end, (on or today()) - dt.timedelta(days=1))


def patrol_short_days(
    *,
    hospitals: QuerySet[Hospital],
    start: dt.date,
    end: dt.date,
    on: dt.date | None = None,
    target: int = MIN_PATROLS_PER_DAY,
) -> list[HospitalShortfall]:
    """For each active hospital of `hospitals`, the days from `start` to `end` (inclusive, up
    to yesterday as seen on `on`) with fewer patrols logged than required: `target`, or the
    hospital's raised target (PatrolTarget) in force that day. Three queries."""
    last = last_judged_day(end, on)
    rows = list(
        Hospital.objects.filter(pk__in=hospitals.values("pk"), is_active=True)
        .order_by("region__path", "name", "pk")
        .values_list("pk", "name", "region__name")
    )
    if last < start:
        return [HospitalShortfall(pk, name, region, 0) for pk, name, region in rows]
    counts = {
        (row["hospital_id"], row["patrolled_on"]): row["n"]
        for row in Patrol.objects.filter(
            hospital__in=hospitals, patrolled_on__gte=start, patrolled_on__lte=last
        )
        .values("hospital_id", "patrolled_on")
        .annotate(n=Count("id"))
        .order_by()
    }
    raised: dict[int, list[tuple[dt.date, dt.date | None, int]]] = {}
    for hospital_id, starts_on, ends_on, daily in PatrolTarget.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=start),
        hospital__in=hospitals,
        starts_on__lte=last,
    ).values_list("hospital_id", "starts_on", "ends_on", "daily_target"):
        raised.setdefault(hospital_id, []).append((starts_on, ends_on, daily))
    days = [start + dt.timedelta(days=n) for n in range((last - start).days + 1)]
    result = []
    for pk, name, region in rows:
        line = HospitalShortfall(pk, name, region, len(days))
        periods = raised.get(pk, ())
        for day in days:
            needed = max(
                [target]
                + [
                    n
                    for first, until, n in periods
                    if first <= day and (until is None or day <= until)
                ]
            )
            patrols = counts.get((pk, day), 0)
            if patrols < needed:
                line.short.append(ShortDay(day, patrols, needed))
        result.append(line)
    return result


def short_day_totals(
    *, hospitals: QuerySet[Hospital], start: dt.date, end: dt.date, on: dt.date | None = None
) -> tuple[int, int, int]:
    """(hospital-days short, hospitals with a short day, active hospitals) over a period, as
    `patrol_short_days` counts them, without fetching a row per hospital and day: the days
    that met the rule are counted per hospital in the database (one row per hospital), and
    only the few hospitals with a raised target in the period take the day-by-day path.
    Bounded queries for any region and period (a province over a year)."""
    last = last_judged_day(end, on)
    active = Hospital.objects.filter(pk__in=hospitals.values("pk"), is_active=True)
    ids = list(active.values_list("pk", flat=True))
    if last < start or not ids:
        return 0, 0, len(ids)
    days = (last - start).days + 1
    raised = set(
        PatrolTarget.objects.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=start),
            hospital__in=active,
            starts_on__lte=last,
        ).values_list("hospital_id", flat=True)
    )
    met_days = (
        Patrol.objects.filter(hospital__in=active, patrolled_on__gte=start, patrolled_on__lte=last)
        .values("hospital_id", "patrolled_on")
        .annotate(n=Count("id"))
        .filter(n__gte=MIN_PATROLS_PER_DAY)
        .order_by()
    )
    sql, params = met_days.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT met.hospital_id, COUNT(*) FROM ({sql}) AS met GROUP BY met.hospital_id",
            params,
        )
        met = dict(cursor.fetchall())
    short_days = short_hospitals = 0
    for pk in ids:
        if pk in raised:
            continue
        short = days - met.get(pk, 0)
        short_days += short
        short_hospitals += 1 if short else 0
    if raised:
        for line in patrol_short_days(
            hospitals=Hospital.objects.filter(pk__in=raised), start=start, end=end, on=on
        ):
            short_days += line.short_count
            short_hospitals += 1 if line.short else 0
    return short_days, short_hospitals, len(ids)


def _list_url(name: str, **params: Any) -> str:
    params = {key: value for key, value in params.items() if value not in (None, "")}
    url = reverse(name)
    return f"{url}?{urlencode(params)}" if params else url


def dashboard_figures(
    *,
    hospitals: QuerySet[Hospital],
    start: dt.date,
    end: dt.date,
    as_of: dt.datetime | dt.date | None = None,
) -> dict[str, Any]:
    """The bureau dashboard card: incidents of the period by kind (as of `as_of`) and the
    hospital-days that fell short of patrols. Four queries for any region (three more when a
    hospital in it has a raised target in the period)."""
    as_of = as_of_instant(as_of)
    # Patrol days are judged once over: through the as-of day when the instant is that day's
    # end (a past period), through the day before when it is "now".
    local = timezone.localtime(as_of)
    on = local.date() + dt.timedelta(days=1) if local.time() == dt.time.max else local.date()
    upper = min(end_of_day(end), as_of)
    lower = end_of_day(start - dt.timedelta(days=1))
    counts = dict(
        Incident.objects.filter(
            hospital__in=hospitals, occurred_at__gt=lower, occurred_at__lte=upper
        )
        .values_list("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    kinds = [
        {
            "value": kind.value,
            "label": kind.label,
            "count": counts.get(kind.value, 0),
            "url": _list_url(
                "incidents:incident_list",
                kind=kind.value,
                date_from=start.isoformat(),
                date_to=end.isoformat(),
            ),
        }
        for kind in IncidentKind
    ]
    short_days, short_hospitals, hospital_count = short_day_totals(
        hospitals=hospitals, start=start, end=end, on=min(on, today())
    )
    return {
        "incident_kinds": kinds,
        "incidents_total": sum(counts.values()),
        "incidents_url": _list_url(
            "incidents:incident_list", date_from=start.isoformat(), date_to=end.isoformat()
        ),
        "short_days": short_days,
        "short_hospitals": short_hospitals,
        "hospitals": hospital_count,
        "short_url": _list_url("incidents:short_days", month=f"{end:%Y-%m}"),
        "target": MIN_PATROLS_PER_DAY,
    }
