"""安全生产检查日月度汇总: per hospital and month, the 15th (self) and 26th (linked department)
assignments, items checked and failed, hazards raised and 立查立改 — in 4 queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from core.dates import as_of_date
from core.excel import Column, Sheet
from hazards.choices import RectificationMode, Source
from hazards.selectors import format_rate, rectified_q
from inspections.choices import AssignmentKind, AssignmentState, InspectionStatus, Result
from inspections.models import Answer, Assignment
from inspections.selectors import with_state

from ..choices import ReportType
from ..selectors import scope_hazards
from . import WorkbookPlan

INSPECTION_DAY_SOURCES = (Source.SELF_INSPECTION, Source.LINKED_DEPARTMENT)


@dataclass
class MonthLine:
    hospital: object
    month: dt.date
    assignments: dict = field(default_factory=dict)  # kind -> annotated Assignment
    checked: int = 0
    failed: int = 0
    hazards: int = 0
    immediate: int = 0
    rectified: int = 0

    @property
    def rate(self):
        return self.rectified / self.hazards if self.hazards else None

    def state(self, kind) -> str:
        assignment = self.assignments.get(kind)
        return assignment.state if assignment is not None else ""

    def state_label(self, kind) -> str:
        assignment = self.assignments.get(kind)
        if assignment is None:
            return _("未安排")
        label = str(AssignmentState(assignment.state).label)
        if assignment.state == AssignmentState.DONE and assignment.is_late:
            label += _("(补检)")
        return label

    def due(self, kind):
        assignment = self.assignments.get(kind)
        return assignment.due_date if assignment is not None else None

    def submitted(self, kind):
        assignment = self.assignments.get(kind)
        return assignment.submitted_on if assignment is not None else None

    @property
    def missed(self) -> bool:
        return any(a.state == AssignmentState.MISSED for a in self.assignments.values())


def month_lines(scope) -> list[MonthLine]:
    """Lines as of `scope.as_of`: an inspection counts once submitted by then."""
    as_of = scope.as_of
    months = [dt.date(y, m, 1) for y, m in scope.period.months()]
    hospitals = list(
        scope.hospitals()
        .select_related("region", "linked_department")
        .order_by("region__path", "name")
    )
    lines = {}
    for month in months:
        for hospital in hospitals:
            lines[(hospital.pk, month)] = MonthLine(hospital, month)
    assignments = with_state(
        Assignment.objects.filter(scope.hospital_filter(), period__in=months), as_of=as_of
    ).select_related("department")
    for assignment in assignments:
        line = lines.get((assignment.hospital_id, assignment.period))
        if line is not None:
            line.assignments[assignment.kind] = assignment
    answers = (
        Answer.objects.filter(
            scope.hospital_filter("inspection__hospital"),
            inspection__status=InspectionStatus.SUBMITTED,
            inspection__submitted_at__lte=as_of,
            inspection__assignment__period__in=months,
        )
        .order_by()
        .values("inspection__hospital_id", "inspection__assignment__period")
        .annotate(
            checked=Count("pk", filter=Q(result__in=[Result.PASS, Result.FAIL])),
            failed=Count("pk", filter=Q(result=Result.FAIL)),
        )
    )
    for row in answers:
        line = lines.get((row["inspection__hospital_id"], row["inspection__assignment__period"]))
        if line is not None:
            line.checked, line.failed = row["checked"], row["failed"]
    hazards = (
        scope_hazards(scope)
        .filter(
            source__in=INSPECTION_DAY_SOURCES,
            found_on__gte=months[0],
            found_on__lte=min(scope.period.end, as_of_date(as_of)),
        )
        .annotate(month=TruncMonth("found_on"))
        .order_by()
        .values("hospital_id", "month")
        .annotate(
            n=Count("pk"),
            immediate=Count("pk", filter=Q(mode=RectificationMode.IMMEDIATE)),
            rectified=Count("pk", filter=rectified_q(as_of)),
        )
    )
    for row in hazards:
        month = row["month"]
        if isinstance(month, dt.datetime):
            month = month.date()
        line = lines.get((row["hospital_id"], month))
        if line is not None:
            line.hazards, line.immediate = row["n"], row["immediate"]
            line.rectified = row["rectified"]
    # Hospitals with nothing due and nothing recorded (e.g. deactivated) are left out.
    return [
        line
        for line in lines.values()
        if line.hospital.is_active or line.assignments or line.hazards
    ]


def totals(lines: list[MonthLine]) -> dict:
    result = defaultdict(int)
    for line in lines:
        for kind in (AssignmentKind.SELF, AssignmentKind.LINKED):
            state = line.state(kind)
            if state:
                result[f"{kind}_{state}"] += 1
        result["checked"] += line.checked
        result["failed"] += line.failed
        result["hazards"] += line.hazards
        result["immediate"] += line.immediate
        result["rectified"] += line.rectified
    return dict(result)


def headline(lines: list[MonthLine]) -> str:
    """The sentence bureaus publish: "发现隐患143条,整改143条,整改率100%"."""
    found = sum(line.hazards for line in lines)
    rectified = sum(line.rectified for line in lines)
    rate = format_rate(Decimal(rectified) / Decimal(found) if found else None)
    return _("检查日发现隐患%(found)d条,整改%(rectified)d条,整改率%(rate)s。") % {
        "found": found,
        "rectified": rectified,
        "rate": rate,
    }


def build(scope) -> WorkbookPlan:
    lines = month_lines(scope)
    self_kind, linked_kind = AssignmentKind.SELF, AssignmentKind.LINKED
    sheet = Sheet(
        title=_("检查日汇总"),
        columns=[
            Column(_("月份"), lambda ln: f"{ln.month.year}-{ln.month.month:02d}", width=9),
            Column(_("区域"), lambda ln: ln.hospital.region.name, width=12),
            Column(_("医疗机构"), lambda ln: ln.hospital.name, width=26),
            Column(_("自查日"), lambda ln: ln.due(self_kind), width=12, kind="date"),
            Column(_("医院自查"), lambda ln: ln.state_label(self_kind), width=12),
            Column(_("自查提交日期"), lambda ln: ln.submitted(self_kind), width=12, kind="date"),
            Column(
                _("挂钩科室"),
                lambda ln: (
                    ln.hospital.linked_department.name if ln.hospital.linked_department else ""
                ),
                width=14,
            ),
            Column(_("挂钩科室检查日"), lambda ln: ln.due(linked_kind), width=12, kind="date"),
            Column(_("挂钩科室检查"), lambda ln: ln.state_label(linked_kind), width=12),
            Column(
                _("检查项数(自查+挂钩)"),
                lambda ln: ln.checked,
                width=11,
                kind="int",
                total="sum",
                key="checked",
            ),
            Column(_("不合格项"), lambda ln: ln.failed, width=9, kind="int", total="sum"),
            Column(
                _("发现隐患"), lambda ln: ln.hazards, width=9, kind="int", total="sum", key="found"
            ),
            Column(_("立查立改"), lambda ln: ln.immediate, width=9, kind="int", total="sum"),
            Column(
                _("已整改"),
                lambda ln: ln.rectified,
                width=9,
                kind="int",
                total="sum",
                key="rectified",
            ),
            Column(
                _("整改率"),
                lambda ln: ln.rate,
                width=9,
                kind="percent",
                total=lambda sums: sums["rectified"] / sums["found"] if sums["found"] else None,
            ),
        ],
        rows=lines,
        highlight=lambda ln: ln.missed,
        subtitle=headline(lines) + _("错过检查日的机构以红色底纹标出;“补检”为检查日之后才提交。"),
        notes=[
            _(
                "检查项数:当月医院自查与挂钩科室检查两次检查中已作出判定(合格或不合格)的"
                "检查项之和,两次检查各自计数;不适用项不计。发现隐患、已整改、整改率只计"
                "检查日(医院自查、挂钩科室检查)发现的隐患;已整改为截至统计时点已销号。"
            )
        ],
    )
    return WorkbookPlan(
        title=f"{scope.period.label}{ReportType.INSPECTION_MONTH.label}", sheets=[sheet]
    )
