"""One period rule for every figure (issue 10 part 2), checked on random histories.

Hypothesis builds hazard and inspection histories across two counties — found dates,
deadlines, close-outs, deadline changes and regrades recorded as events with the previous
value at random instants, inspection days with submissions at random instants — up to a month
after "now". The database first holds the history up to NOW; the rest happens a month later
(time travel). For a random period and scope, the dashboard, the quarterly report, the
信息月报 (progress), the ledger, the inspection-day summary and the 隐患排查治理情况统计表 —
read back from the workbooks or the page's selector — and the dashboard read from a stored
figure run must equal a direct count in Python as of `as_of_for(period, NOW)`; a past period's
figures must not change when rebuilt a month later.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from core.dates import end_of_day
from hazards.choices import (
    OPEN_STATUSES,
    EventType,
    RectificationMode,
    RiskLevel,
    Status,
)
from hazards.models import Hazard, HazardEvent
from hazards.selectors import format_rate
from inspections.choices import AssignmentKind, InspectionKind, InspectionStatus
from inspections.models import Assignment, Inspection
from reports.choices import ReportType
from reports.dashboard import bureau_dashboard
from reports.periods import Period, as_of_for
from reports.scope import ReportScope
from reports.services import build_report_bytes
from reports.snapshots import figures_refresh, latest_run
from reports.statutory import statutory_table
from tests.factories import HospitalFactory, OfficerFactory, RegionFactory
from tests.reports.factories import make_hazard
from tests.reports.helpers import as_dicts, load

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = dt.date(2026, 1, 1)
NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=SHANGHAI)
TODAY = NOW.date()
LATER = NOW + dt.timedelta(days=30)
HORIZON = (TODAY - START).days  # found dates run from START to TODAY


def instant(day: dt.date, minute: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=SHANGHAI)


# ---- the generated history ----------------------------------------------------------------


@dataclass
class HazardHistory:
    hospital: int
    found_on: dt.date
    immediate: bool
    risk: str  # the risk level when found
    first_deadline: dt.date
    changes: list  # [(at, previous deadline, new deadline)] in time order
    regrade: tuple | None  # (at, previous risk level, new risk level)
    closed_on: dt.date | None  # may lie after TODAY (closed a month later)
    open_status: str
    code: str = ""

    def deadline_at(self, at: dt.datetime) -> dt.date:
        for when, previous, _new in self.changes:
            if when > at:
                return previous
        return self.changes[-1][2] if self.changes else self.first_deadline

    def risk_at(self, at: dt.datetime) -> str:
        if self.regrade and self.regrade[0] > at:
            return self.regrade[1]
        return self.regrade[2] if self.regrade else self.risk

    def deadline_on(self, moment: dt.datetime) -> dt.date:
        """The deadline on the hazard row once everything up to `moment` has happened."""
        done = [c for c in self.changes if c[0] <= moment]
        return done[-1][2] if done else self.first_deadline


@dataclass
class AssignmentHistory:
    hospital: int
    month: int
    kind: str
    submitted_at: dt.datetime | None

    @property
    def due_date(self) -> dt.date:
        return dt.date(2026, self.month, 15 if self.kind == AssignmentKind.SELF else 26)

    @property
    def inspected_on(self) -> dt.date | None:
        return self.submitted_at.date() if self.submitted_at else None


@dataclass
class History:
    hazards: list[HazardHistory] = field(default_factory=list)
    assignments: list[AssignmentHistory] = field(default_factory=list)


@st.composite
def hazard_histories(draw) -> HazardHistory:
    found_on = START + dt.timedelta(days=draw(st.integers(0, HORIZON)))
    immediate = draw(st.integers(0, 5)) == 0
    risk = draw(st.sampled_from([RiskLevel.GENERAL, RiskLevel.GENERAL, RiskLevel.MAJOR]))
    deadline = found_on + dt.timedelta(days=draw(st.integers(0, 60)))
    changes, regrade, closed_on = [], None, found_on if immediate else None
    if not immediate:
        if draw(st.booleans()):
            closed_on = found_on + dt.timedelta(days=draw(st.integers(0, 150)))
        raw = draw(
            st.lists(
                st.tuples(st.integers(0, 150), st.integers(0, 1439), st.integers(-5, 90)),
                max_size=2,
                unique_by=lambda c: (c[0], c[1]),
            )
        )
        current = deadline
        for days, minute, offset in sorted(raw):
            new = found_on + dt.timedelta(days=offset)
            if new != current:
                changes.append((instant(found_on + dt.timedelta(days=days), minute), current, new))
                current = new
        if draw(st.integers(0, 3)) == 0:
            days, minute = draw(st.integers(0, 150)), draw(st.integers(0, 1439))
            other = RiskLevel.GENERAL if risk == RiskLevel.MAJOR else RiskLevel.MAJOR
            regrade = (instant(found_on + dt.timedelta(days=days), minute + 0), risk, other)
    return HazardHistory(
        hospital=draw(st.integers(0, 2)),
        found_on=found_on,
        immediate=immediate,
        risk=risk,
        first_deadline=deadline,
        changes=changes,
        regrade=regrade,
        closed_on=closed_on,
        open_status=draw(st.sampled_from(OPEN_STATUSES)),
    )


@st.composite
def assignment_histories(draw) -> AssignmentHistory:
    hospital = draw(st.integers(0, 2))
    month = draw(st.integers(1, 11))
    kind = draw(st.sampled_from([AssignmentKind.SELF, AssignmentKind.LINKED]))
    due = dt.date(2026, month, 15 if kind == AssignmentKind.SELF else 26)
    submitted = None
    if draw(st.integers(0, 3)):
        days, minute = draw(st.integers(-3, 45)), draw(st.integers(0, 1439))
        submitted = instant(due + dt.timedelta(days=days), minute)
    return AssignmentHistory(hospital, month, kind, submitted)


histories = st.builds(
    History,
    hazards=st.lists(hazard_histories(), max_size=9),
    assignments=st.lists(
        assignment_histories(), max_size=8, unique_by=lambda a: (a.hospital, a.month, a.kind)
    ),
)


@st.composite
def periods(draw) -> Period:
    kind = draw(st.sampled_from(["month", "quarter", "half", "year", "custom"]))
    if kind == "month":
        return Period.month(2026, draw(st.integers(1, 11)))
    if kind == "quarter":
        return Period.quarter(2026, draw(st.integers(1, 4)))
    if kind == "half":
        return Period.half_year(2026, draw(st.integers(1, 2)))
    if kind == "year":
        return Period.year(2026)
    start = START + dt.timedelta(days=draw(st.integers(0, HORIZON + 20)))
    return Period.custom(start, start + dt.timedelta(days=draw(st.integers(0, 120))))


# ---- the direct count -----------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    found: int
    rectified: int
    overdue: int
    major: int
    immediate: int
    major_open: int
    overdue_all: dict  # {code: days overdue}
    closed: int
    done: int
    due: int
    inspections: int

    @property
    def rate(self) -> Decimal | None:
        if not self.found:
            return None
        return (Decimal(self.rectified) / Decimal(self.found)).quantize(Decimal("0.0001"))

    @property
    def coverage(self) -> Decimal | None:
        if not self.due:
            return None
        return (Decimal(self.done) / Decimal(self.due)).quantize(Decimal("0.0001"))


def expected(history: History, hospitals: set[int], period: Period, at: dt.datetime) -> Expected:
    """Every figure counted in Python from the history, as of the instant `at`."""
    day = timezone.localdate(at)
    last = min(period.end, day)
    found = rectified = overdue = major = immediate = major_open = closed = 0
    overdue_all = {}
    for h in history.hazards:
        if h.hospital not in hospitals or h.found_on > day:
            continue
        in_period = period.start <= h.found_on <= last
        closed_then = h.closed_on is not None and h.closed_on <= day
        late = not closed_then and h.deadline_at(at) < day
        is_major = h.risk_at(at) == RiskLevel.MAJOR
        if in_period:
            found += 1
            rectified += closed_then
            overdue += late
            major += is_major
            immediate += h.immediate
        if late:
            overdue_all[h.code] = (day - h.deadline_at(at)).days
        major_open += is_major and not closed_then
        closed += closed_then and period.start <= h.closed_on <= last
    done = due = inspections = 0
    for a in history.assignments:
        if a.hospital not in hospitals:
            continue
        submitted = a.submitted_at is not None and a.submitted_at <= at
        if period.start <= a.due_date <= period.end:
            done += submitted
            due += submitted or a.due_date <= day
        if submitted and period.start <= a.inspected_on <= last:
            inspections += 1
    return Expected(
        found=found,
        rectified=rectified,
        overdue=overdue,
        major=major,
        immediate=immediate,
        major_open=major_open,
        overdue_all=overdue_all,
        closed=closed,
        done=done,
        due=due,
        inspections=inspections,
    )


def approx(value: Decimal | None):
    return None if value is None else pytest.approx(float(value), abs=1e-4)


# ---- reading the figures back from every consumer ------------------------------------------


def dashboard_figures(scope: ReportScope, run=None) -> dict:
    """The dashboard's KPIs, computed live or read from a stored figure run."""
    kpis = {kpi.key: kpi for kpi in bureau_dashboard(scope, run=run)["kpis"]}
    return {
        "found": kpis["found"].value,
        "rectified": kpis["rectified"].value,
        "rate": kpis["rate"].value,
        "overdue": kpis["overdue"].value,
        "overdue_hint": kpis["overdue"].hint,
        "major_open": kpis["major_open"].value,
        "coverage": kpis["coverage"].value,
        "coverage_hint": kpis["coverage"].hint,
    }


def quarterly_figures(scope: ReportScope) -> dict:
    wb = load(build_report_bytes(ReportType.QUARTERLY, scope)[0])
    total = next(row for row in as_dicts(wb["汇总"], totals=True) if row["区域"] == "合计")
    return {
        "title": wb["汇总"]["A2"].value.split("生成时间")[1].split("    ", 1)[1],
        "total": {k: v for k, v in total.items() if k != "区域"},
        "hospitals": {
            row["医疗机构"]: (row["发现隐患"], row["已整改"], row["逾期未整改"])
            for row in as_dicts(wb["各机构"])
        },
        "majors": sorted(row["编号"] for row in as_dicts(wb["重大隐患"])),
        "late": {row["编号"]: row["逾期天数"] for row in as_dicts(wb["逾期隐患"])},
    }


def progress_figures(scope: ReportScope) -> dict:
    wb = load(build_report_bytes(ReportType.PROGRESS, scope)[0])
    now, before = f"本期({scope.period.label})", f"上期({scope.period.previous().label})"
    counts = {row["指标"]: (row[now], row[before]) for row in as_dicts(wb["主要指标"])}
    rates = {row["指标"]: (row[now], row[before]) for row in as_dicts(wb["比率"])}
    return {"counts": counts, "rates": rates}


def ledger_figures(scope: ReportScope) -> dict:
    wb = load(build_report_bytes(ReportType.HAZARD_LEDGER, scope)[0])
    rows = as_dicts(wb["隐患台账"])
    return {
        "found": len(rows),
        "rectified": sum(row["销号"] == "已销号" for row in rows),
        "late": {row["编号"]: row["逾期天数"] for row in rows if row["逾期天数"]},
        "deadlines": {row["编号"]: row["整改期限"] for row in rows},
        "levels": {row["编号"]: row["等级"] for row in rows},
    }


def statutory_figures(scope: ReportScope) -> dict:
    """The 隐患排查治理情况统计表's total line (what its page and workbook print)."""
    total = statutory_table(scope).total
    return {
        "found": total.found,
        "rectified": total.rectified,
        "major_found": total.major_found,
        "general_found": total.general_found,
    }


def inspection_month_figures(scope: ReportScope) -> dict:
    wb = load(build_report_bytes(ReportType.INSPECTION_MONTH, scope)[0])
    states = [
        row[column] for row in as_dicts(wb["检查日汇总"]) for column in ("医院自查", "挂钩科室检查")
    ]
    return {
        "done": sum(state.startswith("已完成") for state in states),
        "missed": states.count("已错过"),
    }


# ---- the test -------------------------------------------------------------------------------


class TestOnePeriodRule(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.city = RegionFactory(name="泉州市", code="QZ", level="city")
        cls.county_a = RegionFactory(name="晋江市", code="JJ", parent=cls.city)
        cls.county_b = RegionFactory(name="南安市", code="NA", parent=cls.city)
        cls.hospitals = [
            HospitalFactory(name="晋江市医院", region=cls.county_a, level="3"),
            HospitalFactory(name="晋江市安海卫生院", region=cls.county_a, level="1"),
            HospitalFactory(name="南安市医院", region=cls.county_b, level="2"),
        ]
        cls.officers = [OfficerFactory(hospital=h) for h in cls.hospitals]
        from inspections.checklist_seed import SAFETY_CODE
        from inspections.models import ChecklistTemplate

        cls.template = ChecklistTemplate.objects.filter(code=SAFETY_CODE).first()
        if cls.template is None:
            from inspections import checklist_seed
            from inspections.models import ChecklistItem, ChecklistSection

            checklist_seed.install(ChecklistTemplate, ChecklistSection, ChecklistItem)
            cls.template = ChecklistTemplate.objects.filter(code=SAFETY_CODE).first()

    # -- writing the history ------------------------------------------------------------------

    def _event(self, hazard, officer, kind, at, **values):
        event = HazardEvent.objects.create(hazard=hazard, actor=officer, kind=kind, **values)
        HazardEvent.objects.filter(pk=event.pk).update(at=at)

    def write_until_now(self, history: History) -> None:
        """The database as it stands at NOW: what happened later is left for `write_later`."""
        for h in history.hazards:
            officer = self.officers[h.hospital]
            closed = h.closed_on is not None and h.closed_on <= TODAY
            regraded = h.regrade is not None and h.regrade[0] <= NOW
            hazard = make_hazard(
                hospital=self.hospitals[h.hospital],
                found_by=officer,
                found_on=h.found_on,
                status=Status.CLOSED if closed else h.open_status,
                closed_on=h.closed_on if closed else None,
                deadline=h.deadline_on(NOW),
                risk_level=h.regrade[2] if regraded else h.risk,
                mode=RectificationMode.IMMEDIATE if h.immediate else RectificationMode.DEADLINE,
            )
            h.code = hazard.code
            for at, previous, _new in h.changes:
                if at <= NOW:
                    self._event(
                        hazard, officer, EventType.DEADLINE_SET, at, previous_deadline=previous
                    )
            if regraded:
                self._event(
                    hazard, officer, EventType.UPDATED, h.regrade[0], previous_risk_level=h.risk
                )
        for a in history.assignments:
            assignment = Assignment.objects.create(
                kind=a.kind,
                hospital=self.hospitals[a.hospital],
                period=dt.date(2026, a.month, 1),
                due_date=a.due_date,
            )
            if a.submitted_at is not None and a.submitted_at <= NOW:
                self._submit(assignment, a)

    def _submit(self, assignment, a: AssignmentHistory) -> None:
        officer = self.officers[a.hospital]
        Inspection.objects.create(
            hospital=assignment.hospital,
            kind=InspectionKind.SELF,
            template=self.template,
            assignment=assignment,
            inspected_on=a.inspected_on,
            status=InspectionStatus.SUBMITTED,
            created_by=officer,
            submitted_by=officer,
            submitted_at=a.submitted_at,
        )

    def write_later(self, history: History) -> None:
        """A month of work after NOW: close-outs, deadline changes, regrades, late submissions
        and a new hazard."""
        hazards = {h.code: h for h in history.hazards}
        for hazard in Hazard.objects.filter(code__in=hazards):
            h = hazards[hazard.code]
            officer = self.officers[h.hospital]
            for at, previous, _new in h.changes:
                if NOW < at <= LATER:
                    self._event(
                        hazard,
                        officer,
                        EventType.EXTENSION_APPROVED,
                        at,
                        previous_deadline=previous,
                    )
            hazard.deadline = h.deadline_on(LATER)
            if h.regrade and NOW < h.regrade[0] <= LATER:
                self._event(
                    hazard, officer, EventType.UPDATED, h.regrade[0], previous_risk_level=h.risk
                )
                hazard.risk_level = h.regrade[2]
            if h.closed_on and TODAY < h.closed_on <= LATER.date():
                hazard.status, hazard.closed_on = Status.CLOSED, h.closed_on
                hazard.closed_at = instant(h.closed_on, 600)
            hazard.save()
        for a in history.assignments:
            if a.submitted_at is not None and NOW < a.submitted_at <= LATER:
                assignment = Assignment.objects.get(
                    hospital=self.hospitals[a.hospital],
                    kind=a.kind,
                    period=dt.date(2026, a.month, 1),
                )
                self._submit(assignment, a)
        late = HazardHistory(
            hospital=0,
            found_on=TODAY + dt.timedelta(days=3),
            immediate=False,
            risk=RiskLevel.MAJOR,
            first_deadline=TODAY + dt.timedelta(days=4),
            changes=[],
            regrade=None,
            closed_on=None,
            open_status=Status.PENDING,
        )
        late.code = make_hazard(
            hospital=self.hospitals[0],
            found_by=self.officers[0],
            found_on=late.found_on,
            deadline=late.first_deadline,
            risk_level=late.risk,
        ).code
        history.hazards.append(late)

    # -- checking -----------------------------------------------------------------------------

    def scope_for(self, key: str, period: Period) -> tuple[ReportScope, set[int]]:
        if key == "city":
            return ReportScope(region=self.city, period=period), {0, 1, 2}
        if key == "county_a":
            return ReportScope(region=self.county_a, period=period), {0, 1}
        if key == "county_b":
            return ReportScope(region=self.county_b, period=period), {2}
        index = int(key[-1])
        hospital = self.hospitals[index]
        return ReportScope(region=hospital.region, hospital=hospital, period=period), {index}

    def figures(self, scope: ReportScope) -> dict:
        return {
            "dashboard": dashboard_figures(scope),
            "quarterly": quarterly_figures(scope),
            "progress": progress_figures(scope),
            "ledger": ledger_figures(scope),
            "inspection_month": inspection_month_figures(scope),
            "statutory": statutory_figures(scope),
        }

    def check(self, figures: dict, history: History, scope, members, at) -> None:
        e = expected(history, members, scope.period, at)
        board = figures["dashboard"]
        assert (board["found"], board["rectified"], board["overdue"]) == (
            e.found,
            e.rectified,
            e.overdue,
        )
        assert board["rate"] == format_rate(e.rate)
        assert board["major_open"] == e.major_open
        assert f"含以前各期共 {len(e.overdue_all)} 条" in board["overdue_hint"]
        assert board["coverage"] == format_rate(e.coverage)
        assert board["coverage_hint"] == f"已检 {e.done} / 应检 {e.due}"

        q = figures["quarterly"]["total"]
        assert (q["发现隐患"], q["已整改"], q["逾期未整改"]) == (e.found, e.rectified, e.overdue)
        assert q["整改率"] == approx(e.rate)
        assert q["重大隐患未销号"] == e.major_open
        assert q["累计逾期未整改"] == len(e.overdue_all)
        assert (q["检查日已检"], q["检查日应检"]) == (e.done, e.due)
        assert q["检查覆盖率"] == approx(e.coverage)
        assert figures["quarterly"]["late"] == e.overdue_all
        assert len(figures["quarterly"]["majors"]) == e.major_open
        for index in members:
            h = self.hospitals[index]
            mine = expected(history, {index}, scope.period, at)
            row = figures["quarterly"]["hospitals"].get(h.name, (0, 0, 0))
            assert row == (mine.found, mine.rectified, mine.overdue), h.name

        counts = {label: now for label, (now, _before) in figures["progress"]["counts"].items()}
        assert counts["新发现隐患(条)"] == e.found
        assert counts["其中:重大隐患(条)"] == e.major
        assert counts["其中:立查立改(条)"] == e.immediate
        assert counts["其中:已整改(条)"] == e.rectified
        assert counts["其中:逾期未整改(条)"] == e.overdue
        assert counts["本期整改销号(条)"] == e.closed
        assert counts["累计逾期未整改(条)"] == len(e.overdue_all)
        assert counts["重大隐患未销号(条)"] == e.major_open
        assert counts["开展安全检查(次)"] == e.inspections
        assert (counts["检查日已检(家次)"], counts["检查日应检(家次)"]) == (e.done, e.due)
        rates = figures["progress"]["rates"]
        assert rates["整改率(本期发现)"][0] == approx(e.rate)
        assert rates["检查日覆盖率"][0] == approx(e.coverage)
        # The previous period's column: that period's figures as of its own end.
        previous = scope.period.previous()
        before = expected(history, members, previous, as_of_for(previous, at))
        befores = {label: b for label, (_now, b) in figures["progress"]["counts"].items()}
        assert befores["新发现隐患(条)"] == before.found
        assert befores["其中:逾期未整改(条)"] == before.overdue
        assert rates["整改率(本期发现)"][1] == approx(before.rate)

        statutory = figures["statutory"]
        assert (statutory["found"], statutory["rectified"]) == (e.found, e.rectified)
        assert statutory["major_found"] == e.major  # 重大 at the as-of instant
        assert statutory["general_found"] == e.found - e.major

        ledger = figures["ledger"]
        assert (ledger["found"], ledger["rectified"]) == (e.found, e.rectified)
        assert len(ledger["late"]) == e.overdue
        assert all(e.overdue_all[code] == days for code, days in ledger["late"].items())
        for h in history.hazards:
            if h.code in ledger["deadlines"]:
                assert ledger["deadlines"][h.code].date() == h.deadline_at(at), h.code
                major = h.risk_at(at) == RiskLevel.MAJOR
                assert (ledger["levels"][h.code] == str(RiskLevel.MAJOR.label)) == major

        month_days = {
            (a.hospital, a.month, a.kind)
            for a in history.assignments
            if a.hospital in members and (2026, a.month) in scope.period.months()
        }
        done = sum(
            a.submitted_at is not None and a.submitted_at <= at
            for a in history.assignments
            if (a.hospital, a.month, a.kind) in month_days
        )
        assert figures["inspection_month"]["done"] == done

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        history=histories,
        period=periods(),
        scope_key=st.sampled_from(["city", "county_a", "county_b", "hospital0", "hospital2"]),
    )
    def test_every_figure_agrees_as_of_the_period_rule(self, history, period, scope_key):
        with time_machine.travel(NOW, tick=False):
            self.write_until_now(history)
            scope, members = self.scope_for(scope_key, period)
            at = scope.as_of
            assert at == min(end_of_day(period.end), NOW)
            first = self.figures(scope)
            # The stored run of the period (what a province dashboard reads) says the same.
            run = figures_refresh(period=period, now=NOW)
            assert run.as_of == at
            assert dashboard_figures(scope, run) == first["dashboard"]
        self.check(first, history, scope, members, at)
        assert first["quarterly"]["title"] == scope.as_of_text

        with time_machine.travel(LATER, tick=False):
            self.write_later(history)
            again_scope, _members = self.scope_for(scope_key, period)
            again = self.figures(again_scope)
            kept = latest_run(period, now=LATER)
            if kept is not None:  # a past period's run, stored at NOW, is still the truth
                assert dashboard_figures(again_scope, kept) == again["dashboard"]
            fresh = figures_refresh(period=period, now=LATER)
            assert dashboard_figures(again_scope, fresh) == again["dashboard"]
        if period.end < TODAY:
            # A past period: rebuilt a month later, after close-outs, extensions, regrades and
            # late submissions, every figure is the same.
            assert again_scope.as_of == at
            assert again == first
        else:
            # A period still running at NOW is as of the new now (or its end) a month later.
            assert again_scope.as_of == min(end_of_day(period.end), LATER)
            self.check(again, history, again_scope, members, again_scope.as_of)
