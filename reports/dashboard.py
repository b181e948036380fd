"""What the home pages show: the bureau/administrator dashboard (KPIs, trend, categories,
league tables) and the hospital officer's desk. A fixed number of queries per page; the
figures come from the same selectors as the Excel reports, as of the same instant (the end of
the selected period, or now while it runs), so the two always agree."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import add_months, as_of_date, today
from hazards.choices import RiskLevel
from hazards.models import Hazard
from hazards.selectors import format_rate, overdue, todo_for
from incidents.selectors import dashboard_figures as incidents_dashboard_figures
from inspections.choices import AssignmentKind
from inspections.days import inspection_day
from inspections.models import Assignment
from inspections.selectors import with_state
from security.selectors import build_rows
from training.selectors import training_summary

from .periods import Period, as_of_text
from .scope import ReportScope
from .selectors import (
    category_counts,
    monthly_counts,
    scope_hazards,
    summarise_scope,
    trend_months,
    trend_of,
)
from .snapshots import run_figures


def _url(name: str, **params) -> str:
    """A list URL with filter parameters, or "" when that list page does not exist (yet)."""
    try:
        base = reverse(name)
    except NoReverseMatch:
        return ""
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{base}?{query}" if query else base


def hazard_list_url(**params) -> str:
    return _url("hazards:list", **params)


def _scope_params(scope: ReportScope) -> dict:
    if scope.hospital is not None:
        return {"hospital": scope.hospital.pk}
    return {"region": scope.region.pk}


def _period_params(period: Period) -> dict:
    return {"found_from": period.start.isoformat(), "found_to": period.end.isoformat()}


@dataclass
class Kpi:
    key: str
    label: str
    value: object
    url: str = ""
    tone: str = "primary"
    hint: str = ""


def trend(scope: ReportScope, *, months: int = 12) -> dict:
    """Found and closed-out hazards per month over the `months` months up to the scope's as-of
    date (2 queries)."""
    on = as_of_date(scope.as_of)
    keys = trend_months(on, months)
    return trend_of(keys, monthly_counts(scope_hazards(scope), keys, on))


class LeagueRow:
    """A league-table line whose list links are built only when shown: a province has 2,000
    institutions and the page shows 50 (building every link took 1.7 s)."""

    def __init__(self, line, period: Period):
        self.rank, self.hospital, self.figures = line.rank, line.hospital, line.figures
        self._period = period

    def __getitem__(self, name: str):
        return getattr(self, name)

    def _link(self, **params) -> str:
        return hazard_list_url(hospital=self.hospital.pk, **params)

    @cached_property
    def url(self) -> str:
        return self._link(**_period_params(self._period))

    @cached_property
    def overdue_url(self) -> str:
        return self._link(**_period_params(self._period), overdue="on")

    @cached_property
    def rectified_url(self) -> str:
        return self._link(**_period_params(self._period), status="closed")

    @cached_property
    def major_url(self) -> str:
        return self._link(risk_level=RiskLevel.MAJOR, status="open")


class LeagueRows(Sequence):
    """The league table's rows, made only for the slice a page shows: a province has 2,000
    institutions, and 2,000 short-lived objects a request set off Python's full garbage
    collection every few requests (p95 149 ms against p50 43)."""

    def __init__(self, lines, period: Period):
        self._lines, self._period = lines, period

    def __len__(self) -> int:
        return len(self._lines)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [LeagueRow(line, self._period) for line in self._lines[index]]
        return LeagueRow(self._lines[index], self._period)


def bureau_dashboard(scope: ReportScope, run=None) -> dict:
    """Every KPI, the league tables, categories and trend of the selected period, as of
    `scope.as_of` (stated on the page): computed live, or read from a stored figure run
    (`reports.snapshots`, then `scope.as_of` is the run's instant)."""
    if run is None:
        summary, categories, trend_data = summarise_scope(scope), category_counts(scope), None
    else:
        summary, categories, trend_data = run_figures(run, scope)
    total = summary.total
    period = scope.period
    day = as_of_date(scope.as_of)
    base = _scope_params(scope)
    found_params = {**base, **_period_params(period)}
    kpis = [
        Kpi("found", _("发现隐患"), total.found, hazard_list_url(**found_params)),
        Kpi(
            "rectified",
            _("已整改"),
            total.rectified,
            hazard_list_url(**found_params, status="closed"),
            "success",
        ),
        Kpi(
            "rate",
            _("整改率"),
            total.rate_display,
            hazard_list_url(**found_params, status="open"),
            "success" if (total.rate or 0) >= 1 else "warning",
            _("点击查看未销号隐患"),
        ),
        Kpi(
            "overdue",
            _("逾期未整改"),
            total.overdue,
            hazard_list_url(**found_params, overdue="on"),
            "danger" if total.overdue else "secondary",
            _("本期发现的隐患中;含以前各期共 %(n)d 条") % {"n": total.overdue_all},
        ),
        Kpi(
            "major_open",
            _("重大隐患未销号"),
            total.major_open,
            hazard_list_url(**base, risk_level=RiskLevel.MAJOR, status="open"),
            "danger" if total.major_open else "secondary",
        ),
        Kpi(
            "coverage",
            _("检查日覆盖率"),
            total.coverage_display,
            _url(
                "inspections:calendar",
                region=scope.region.pk,
                month=f"{day.year}-{day.month:02d}",
            ),
            "info",
            _("已检 %(done)d / 应检 %(due)d")
            % {"done": total.inspections_done, "due": total.inspections_due},
        ),
        Kpi(
            "security",
            _("4+N 达标项"),
            f"{total.security_met}/{total.security_total}",
            _url("security:overview", region=scope.region.pk),
            "info",
            format_rate(total.security_rate),
        ),
    ]
    # A new list: the figures read from a stored run are shared between requests.
    categories = [
        {
            "value": value,
            "label": label,
            "found": found,
            "open": still_open,
            "url": hazard_list_url(**found_params, category=value),
        }
        for value, label, found, still_open in categories
    ]
    hospitals = LeagueRows(summary.hospitals, period)
    regions = [
        {
            "region": region,
            "label": label,
            "figures": figures,
            # The region's own (本级) row has no list of its own: the filter includes sub-regions.
            "url": ""
            if region.pk == scope.region.pk
            else hazard_list_url(region=region.pk, **_period_params(period)),
            "overdue_url": ""
            if region.pk == scope.region.pk
            else hazard_list_url(region=region.pk, **_period_params(period), overdue="on"),
        }
        for region, label, figures in sorted(
            summary.regions,
            key=lambda row: (row[2].rate is None, -(row[2].rate or 0), row[2].overdue, row[1]),
        )
    ]
    return {
        "summary": summary,
        "kpis": kpis,
        "as_of": scope.as_of,
        "as_of_text": scope.as_of_text,
        "categories": categories,
        "league_hospitals": hospitals,
        "league_regions": regions if len(regions) > 1 else [],
        "trend": trend_data or trend(scope),
        "chart_categories": {
            "labels": [c["label"] for c in categories],
            "found": [c["found"] for c in categories],
            "open": [c["open"] for c in categories],
        },
        # 安全教育培训与责任书 card (training.selectors): a fixed number of queries per scope.
        "training": training_summary(scope.hospitals().active(), on=day),
        # The incidents card (templates/incidents/_dashboard_card.html), same scope and instant.
        "incidents": incidents_dashboard_figures(
            hospitals=scope.hospitals(), start=period.start, end=period.end, as_of=scope.as_of
        ),
    }


def officer_dashboard(user) -> dict:
    """The hospital officer's desk: to-do, overdue, next inspection day, 4+N progress — all as
    of now (no period), stated on the page."""

    on = today()
    hospital = user.hospital
    hazards = Hazard.objects.visible_to(user)
    todo = todo_for(user, hazards).select_related("hospital").order_by("deadline", "pk")
    late = overdue(hazards, on=on).order_by("deadline", "pk")
    upcoming = (
        with_state(
            Assignment.objects.filter(
                hospital=hospital, kind=AssignmentKind.SELF, due_date__gte=on
            ),
            on=on,
        )
        .filter(is_done=False)
        .order_by("due_date")
        .first()
    )
    missed = (
        with_state(
            Assignment.objects.filter(
                hospital=hospital,
                kind=AssignmentKind.SELF,
                due_date__lt=on,
                due_date__gte=on - dt.timedelta(days=62),
            ),
            on=on,
        )
        .filter(is_done=False)
        .order_by("-due_date")
    )
    next_day = upcoming.due_date if upcoming else None
    if next_day is None:
        # No assignment generated yet: the region's rule (the same one that sets due dates,
        # holidays included) still says when the next day is.
        region = hospital.region
        next_day = inspection_day(
            kind=AssignmentKind.SELF, year=on.year, month=on.month, setting=region.setting
        )
        if next_day < on:
            year, month = add_months(on.year, on.month, 1)
            next_day = inspection_day(
                kind=AssignmentKind.SELF, year=year, month=month, setting=region.setting
            )
    rows = build_rows(type(hospital).objects.filter(pk=hospital.pk), today=on)
    return {
        "hospital": hospital,
        "todo": list(todo[:10]),
        "todo_count": todo.count(),
        "overdue": list(late[:10]),
        "overdue_count": late.count(),
        "next_assignment": upcoming,
        "next_day": next_day,
        "next_days": (next_day - on).days,
        "missed_assignments": list(missed),
        "security_row": rows[0] if rows else None,
        "todo_url": _url("hazards:todo"),
        "overdue_url": _url("hazards:overdue"),
        "today": on,
        "as_of_text": as_of_text(timezone.now()),
    }
