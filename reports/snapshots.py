"""Stored figure runs: every hospital's figures for a period, computed as of one instant and
kept, so that a province dashboard adds up 2,000 stored lines instead of a million hazards.

A run (`FigureRun`) holds, per hospital, exactly the line `reports.selectors.figures_by_hospital`
computes for the run's period as of the run's instant, plus the per-category and per-month
counts the dashboard draws. A page built from a run states that instant ("数据截至 …"), like
every other page states its own.

Why the lines stay equal to the live figures of their instant:
- Runs of a running period are recomputed on a schedule (`FIGURES_REFRESH_MINUTES`, the beat
  task `reports.refresh_figures`) while pages ask for them (the running year always); a page
  never uses a run older than `FIGURES_RUN_MAX_AGE` (it computes a new one instead).
  A past period's run is as of the end of the period, computed once and kept.
- Every write to a hospital's records (a hazard, an inspection, an assignment, a 4+N item or
  record, the hospital itself) bumps `dirty` on that hospital's stored lines when it commits
  (`figures_touch`). A dirty line is recomputed, as of its run's instant, before it is read.
  Most writes cannot change the past (a transition at 10:07 does not change figures as of
  10:05), so this recomputes more than it must, one hospital at a time, which is cheap.
- Lines are per hospital; the region a hospital belongs to is read when the run is read, so
  moving a hospital or re-parenting a region needs no repair.
- Bulk writes send no signals (the demo seeder, the benchmark generator, the monthly
  assignment generator): `manage.py figures_reconcile` compares every stored line with the live
  figures of its instant and repairs the difference; it also runs nightly.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import OrderedDict, defaultdict
from dataclasses import fields as dataclass_fields

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import get_language

from core.dates import as_of_date, end_of_day, today
from hazards.choices import Category
from hazards.selectors import hazard_figures_by
from hospitals.models import Region

from .choices import PeriodKind
from .models import FigureRun, HospitalFigures
from .periods import Period, as_of_for
from .scope import ReportScope
from .selectors import (
    Figures,
    assemble_summary,
    figures_by_hospital,
    monthly_counts,
    scope_hazards,
    trend_months,
    trend_of,
)

logger = logging.getLogger(__name__)

FIGURE_FIELDS = tuple(f.name for f in dataclass_fields(Figures))
TREND_MONTHS = 12


def dashboard_periods(on: dt.date | None = None) -> list[Period]:
    """The periods the dashboard offers: the running month, quarter, half-year and year, and
    the previous month, quarter and year."""
    on = on or today()
    return [
        Period.containing(PeriodKind.MONTH, on),
        Period.containing(PeriodKind.MONTH, on).previous(),
        Period.containing(PeriodKind.QUARTER, on),
        Period.containing(PeriodKind.QUARTER, on).previous(),
        Period.containing(PeriodKind.HALF_YEAR, on),
        Period.containing(PeriodKind.YEAR, on),
        Period.containing(PeriodKind.YEAR, on).previous(),
    ]


# ---- computing lines -----------------------------------------------------------------------


def compute_lines(period: Period, as_of: dt.datetime, hospital_ids=None) -> dict[int, dict]:
    """{hospital_id: field values of a HospitalFigures line} for every hospital (or those of
    `hospital_ids`), as of `as_of`: the live selectors, grouped per hospital (a fixed number of
    queries per top-level region)."""
    on = as_of_date(as_of)
    months = trend_months(on, TREND_MONTHS)
    result: dict[int, dict] = {}
    for root in Region.objects.filter(parent__isnull=True).order_by("path"):
        scope = ReportScope(region=root, period=period, as_of=as_of)
        figures, _security = figures_by_hospital(scope, hospital_ids)
        if not figures:
            continue
        hazards = scope_hazards(scope)
        if hospital_ids is not None:
            hazards = hazards.filter(hospital_id__in=list(hospital_ids))
        categories: dict[int, dict] = defaultdict(dict)
        by_category = hazard_figures_by(
            hazards,
            group_by=("hospital_id", "category"),
            period=(period.start, period.end),
            as_of=as_of,
        )
        for (hospital_id, category), counts in by_category.items():
            if counts.found:
                categories[hospital_id][category] = [counts.found, counts.open]
        per_month: dict[int, dict] = defaultdict(dict)
        for (kind, month, hospital_id), n in monthly_counts(
            hazards, months, on, by="hospital_id"
        ).items():
            key = f"{month.year}-{month.month:02d}"
            pair = per_month[hospital_id].setdefault(key, [0, 0])
            pair[0 if kind == "found" else 1] = n
        for hospital_id, line in figures.items():
            result[hospital_id] = {
                **{name: getattr(line, name) for name in FIGURE_FIELDS},
                "categories": categories.get(hospital_id, {}),
                "months": per_month.get(hospital_id, {}),
            }
    return result


def figures_refresh(*, period: Period, now: dt.datetime | None = None) -> FigureRun:
    """Compute and store every hospital's line for `period` as of `as_of_for(period, now)`; keep
    the previous run of the period (a page may be reading it) and delete older ones."""
    as_of = as_of_for(period, now)
    started = time.monotonic()
    run = FigureRun.objects.create(period_key=period.key, as_of=as_of)
    lines = compute_lines(period, as_of)
    HospitalFigures.objects.bulk_create(
        [HospitalFigures(run=run, hospital_id=pk, **values) for pk, values in lines.items()],
        batch_size=1000,
    )
    run.complete = True
    run.duration_ms = int((time.monotonic() - started) * 1000)
    run.save(update_fields=["complete", "duration_ms"])
    older = list(
        FigureRun.objects.filter(period_key=period.key)
        .exclude(pk=run.pk)
        .order_by("-as_of", "-pk")
        .values_list("pk", flat=True)[1:]
    )
    if older:
        FigureRun.objects.filter(pk__in=older).delete()
    logger.info(
        "figures %s as of %s: %d lines in %d ms", period.key, as_of, len(lines), run.duration_ms
    )
    return run


def run_max_age() -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, "FIGURES_RUN_MAX_AGE", 3600))


def latest_run(period: Period, *, now: dt.datetime | None = None) -> FigureRun | None:
    """The stored run a page may use for `period`: for a past period, the one as of its end;
    for a running one, the newest that is not older than `FIGURES_RUN_MAX_AGE`."""
    now = now or timezone.now()
    runs = FigureRun.objects.filter(period_key=period.key, complete=True)
    if now >= end_of_day(period.end):
        runs = runs.filter(as_of=end_of_day(period.end))
    else:
        runs = runs.filter(as_of__gte=now - run_max_age(), as_of__lte=now)
    return runs.order_by("-as_of", "-pk").first()


WANTED_SECONDS = 3600


def _wanted_key(period: Period) -> str:
    return f"figures-wanted:{period.key}"


def run_for(period: Period) -> FigureRun:
    """The run to show for `period`: the stored one, or one computed now (once: concurrent
    requests for the same period wait for the first instead of computing it again). The
    period is then kept fresh by the scheduled refresh for the next hour."""
    cache.set(_wanted_key(period), 1, WANTED_SECONDS)
    run = latest_run(period)
    if run is not None:
        return run
    lock = f"figures-run-lock:{period.key}"
    if cache.add(lock, 1, timeout=600):
        try:
            return figures_refresh(period=period)
        finally:
            cache.delete(lock)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        time.sleep(0.25)
        run = latest_run(period)
        if run is not None:
            return run
    return figures_refresh(period=period)


def figures_refresh_due(*, now: dt.datetime | None = None, every: bool = False) -> list[FigureRun]:
    """The scheduled refresh: a new run of the dashboard's default period (the running year)
    and of every running period a page asked for in the last hour, and the run of each such
    past period that has none yet (`every`: of all the dashboard's periods). A province's run
    costs seconds of database time, so periods nobody looks at are not recomputed."""
    now = now or timezone.now()
    periods = dashboard_periods(as_of_date(now))
    default = Period.containing(PeriodKind.YEAR, as_of_date(now))
    runs = []
    for period in periods:
        wanted = every or period == default or cache.get(_wanted_key(period)) is not None
        if not wanted:
            continue
        if now < end_of_day(period.end) or latest_run(period, now=now) is None:
            runs.append(figures_refresh(period=period, now=now))
    return runs


# ---- reading a run ---------------------------------------------------------------------------


LINE_FIELDS = (*FIGURE_FIELDS, "categories", "months")


def refresh_lines(run: FigureRun, dirty: dict[int, int | None]) -> dict[int, dict]:
    """Recompute the lines of the hospitals in `dirty` ({hospital_id: dirty count as read, or
    None when the run has no line for it}) as of the run's instant, store them and return
    {hospital_id: values}. A line written to again meanwhile stays dirty (the update matches
    the dirty count that was read)."""
    values = compute_lines(Period.parse(run.period_key), run.as_of, list(dirty))
    for hospital_id, line_values in values.items():
        seen = dirty.get(hospital_id)
        if seen is None:
            try:
                with transaction.atomic():
                    HospitalFigures.objects.create(run=run, hospital_id=hospital_id, **line_values)
            except IntegrityError:  # a concurrent reader stored it first
                pass
        else:
            HospitalFigures.objects.filter(run=run, hospital_id=hospital_id, dirty=seen).update(
                dirty=0, **line_values
            )
    FigureRun.objects.filter(pk=run.pk).update(generation=F("generation") + 1)
    return values


class _Place:
    """What the summary needs of a hospital or a region, read as plain values (a province has
    2,000 institutions: model instances would cost more than the figures)."""

    __slots__ = ("is_active", "name", "path", "pk", "region", "region_id")

    def __init__(self, **values):
        for name, value in values.items():
            setattr(self, name, value)


def run_lines(run: FigureRun, scope: ReportScope) -> tuple[list, dict[int, dict]]:
    """(hospitals of the scope as `_Place`s in league order of name, {hospital_id: line values})
    of the run, the dirty and missing lines recomputed first (4 queries when none is)."""
    hospitals = scope.hospitals()
    regions = {
        pk: _Place(pk=pk, name=name, path=path)
        for pk, name, path in Region.objects.filter(
            pk__in=hospitals.order_by().values("region_id")
        ).values_list("pk", "name", "path")
    }
    places = [
        _Place(pk=pk, name=name, region=regions[region_id], region_id=region_id, is_active=active)
        for pk, name, region_id, active in hospitals.order_by("region__path", "name").values_list(
            "pk", "name", "region_id", "is_active"
        )
    ]
    lines: dict[int, dict] = {}
    dirty: dict[int, int | None] = {}
    for hospital_id, seen, *values in HospitalFigures.objects.filter(
        run=run, hospital_id__in=hospitals.order_by().values("pk")
    ).values_list("hospital_id", "dirty", *LINE_FIELDS):
        if seen:
            dirty[hospital_id] = seen
        lines[hospital_id] = dict(zip(LINE_FIELDS, values, strict=True))
    for place in places:
        if place.pk not in lines:
            dirty[place.pk] = None
    if dirty:
        lines.update(refresh_lines(run, dirty))
    return places, lines


def run_figures(run: FigureRun, scope: ReportScope):
    """(ScopeSummary, category rows, trend) of a scope from a stored run — what
    `summarise_scope`, `category_counts` and `trend` give live as of the run's instant.
    Memoised per (run, generation, scope, language) while none of the scope's lines is dirty."""
    hospitals = scope.hospitals().order_by().values("pk")
    if HospitalFigures.objects.filter(run=run, dirty__gt=0, hospital_id__in=hospitals).exists():
        return _run_figures(run, scope)  # recomputes the dirty lines: a new generation
    key = "figures-read:" + ":".join(
        str(part)
        for part in (
            run.pk,
            run.computed_at.isoformat(),  # a pk may come back after a rollback (SQLite)
            run.generation,
            scope.region.pk,
            scope.hospital.pk if scope.hospital else "",
            get_language(),
        )
    )
    # Kept in this process, not in the shared cache: the key names the run and its generation,
    # so the value never changes, and unpickling a province's 2,000 lines on every request set
    # off Python's full garbage collection every few requests.
    result = _READS.get(key)
    if result is None:
        result = _run_figures(run, scope)
        _READS[key] = result
        while len(_READS) > READ_MEMO_SIZE:
            _READS.popitem(last=False)
    else:
        _READS.move_to_end(key)
    return result


READ_MEMO_SIZE = 64
_READS: OrderedDict[str, tuple] = OrderedDict()


def _run_figures(run: FigureRun, scope: ReportScope):
    places, lines = run_lines(run, scope)
    figures = {
        pk: Figures(**{name: line[name] for name in FIGURE_FIELDS}) for pk, line in lines.items()
    }
    summary = assemble_summary(scope, figures, hospitals=places)
    found: dict[str, int] = defaultdict(int)
    still_open: dict[str, int] = defaultdict(int)
    months: dict[tuple, int] = defaultdict(int)
    for line in lines.values():
        for category, (n_found, n_open) in line["categories"].items():
            found[category] += n_found
            still_open[category] += n_open
        for key, (n_found, n_closed) in line["months"].items():
            year, month = (int(part) for part in key.split("-"))
            months[("found", dt.date(year, month, 1))] += n_found
            months[("closed", dt.date(year, month, 1))] += n_closed
    categories = [
        (value, str(label), found[value], still_open[value])
        for value, label in Category.choices
        if found.get(value)
    ]
    trend = trend_of(trend_months(as_of_date(run.as_of), TREND_MONTHS), months)
    return summary, categories, trend


# ---- keeping lines honest ------------------------------------------------------------------


def figures_touch(hospital_ids) -> int:
    """Mark the stored lines of these hospitals dirty (called when a write commits)."""
    ids = [pk for pk in hospital_ids if pk]
    if not ids:
        return 0
    return HospitalFigures.objects.filter(hospital_id__in=ids).update(dirty=F("dirty") + 1)


def touch_on_commit(hospital_id) -> None:
    if hospital_id:
        transaction.on_commit(lambda: figures_touch([hospital_id]))


def regions_changed_on_commit() -> None:
    """A region renamed, added or moved: what pages cached from runs is read again (the lines
    themselves are per hospital and stay true)."""
    transaction.on_commit(lambda: FigureRun.objects.update(generation=F("generation") + 1))


def figures_reconcile(*, repair: bool = True) -> list[tuple[FigureRun, int, list[str]]]:
    """Compare every stored line of every complete run with the live figures of the run's
    instant; return (run, hospital_id, differing fields) for each line that differs (or is
    missing, or should not exist) and, with `repair`, store the live values."""
    differences = []
    for run in FigureRun.objects.filter(complete=True).order_by("period_key", "as_of"):
        live = compute_lines(Period.parse(run.period_key), run.as_of)
        stored = {line.hospital_id: line for line in run.lines.all()}
        for hospital_id in sorted(set(live) | set(stored)):
            values = live.get(hospital_id)
            line = stored.get(hospital_id)
            if values is None:
                differences.append((run, hospital_id, ["missing hospital"]))
                if repair:
                    line.delete()
                continue
            if line is None:
                differences.append((run, hospital_id, ["missing line"]))
                if repair:
                    HospitalFigures.objects.create(run=run, hospital_id=hospital_id, **values)
                continue
            changed = [name for name, value in values.items() if getattr(line, name) != value]
            if changed:
                differences.append((run, hospital_id, changed))
            if repair and (changed or line.dirty):
                HospitalFigures.objects.filter(pk=line.pk).update(dirty=0, **values)
    return differences
