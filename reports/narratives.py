"""The text sections of the 信息周报/月报 and the year-end 专项整治 summary: 工作开展情况 /
存在问题 / 下步打算, pre-filled from the period's figures and events (as of `scope.as_of`),
edited by bureau staff, printed by the export (`reports.builders.narrative`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from core.dates import as_of_instant, format_as_of
from core.errors import DomainError, NotAllowed
from hazards.choices import EventType
from hazards.models import HazardEvent
from hospitals.models import Hospital, Region

from .choices import NARRATIVE_REPORT_TYPES, PeriodKind, ReportType
from .models import Narrative
from .periods import Period
from .scope import ReportScope
from .selectors import ScopeSummary, summarise_scope

SECTIONS = ("work_done", "problems", "next_steps")
# How many hospitals the pre-filled 存在问题 names (the worst first).
NAMED_HOSPITALS = 5


class NarrativeError(DomainError):
    """The text cannot be saved; the message is translated and shown to users."""


@dataclass
class NarrativeText:
    work_done: str
    problems: str
    next_steps: str
    saved: Narrative | None = None

    @property
    def is_saved(self) -> bool:
        return self.saved is not None


def _this_period(period: Period) -> str:
    return {
        PeriodKind.WEEK: _("本周"),
        PeriodKind.MONTH: _("本月"),
        PeriodKind.QUARTER: _("本季度"),
        PeriodKind.HALF_YEAR: _("本半年"),
        PeriodKind.YEAR: _("今年以来"),
    }.get(period.kind, _("本期"))


def listed_in_period(scope: ReportScope) -> int:
    """重大隐患 listed for supervision (挂牌督办) in the period, by the as-of instant."""
    return HazardEvent.objects.filter(
        scope.hospital_filter("hazard__hospital"),
        kind=EventType.LISTED,
        at__date__gte=scope.period.start,
        at__date__lte=scope.period.end,
        at__lte=as_of_instant(scope.as_of),
    ).count()


def prefill(scope: ReportScope, summary: ScopeSummary | None = None) -> NarrativeText:
    """The three sections written from the period's figures ("本月开展检查 N 次,发现隐患 N 条,
    已整改 N 条,整改率 N%…") and events, as of `scope.as_of`."""
    summary = summary or summarise_scope(scope)
    t = summary.total
    when = _this_period(scope.period)
    work = [
        _(
            "%(when)s开展检查 %(inspections)d 次,发现隐患 %(found)d 条(其中重大隐患 %(major)d 条、"
            "立查立改 %(immediate)d 条),已整改 %(rectified)d 条,整改率 %(rate)s;"
            "整改销号 %(closed)d 条。"
        )
        % {
            "when": when,
            "inspections": t.inspections,
            "found": t.found,
            "major": t.major,
            "immediate": t.immediate,
            "rectified": t.rectified,
            "rate": t.rate_display,
            "closed": t.closed,
        }
    ]
    if t.inspections_due:
        work.append(
            _("安全生产检查日应检 %(due)d 家次,已检 %(done)d 家次,覆盖率 %(rate)s。")
            % {"due": t.inspections_due, "done": t.inspections_done, "rate": t.coverage_display}
        )
    listed = listed_in_period(scope)
    if listed:
        work.append(_("对 %(n)d 条重大隐患实行挂牌督办。") % {"n": listed})

    problems = []
    if t.overdue_all or t.major_open:
        problems.append(
            _("截至 %(as_of)s,累计逾期未整改隐患 %(overdue)d 条,重大隐患未销号 %(major)d 条。")
            % {"as_of": format_as_of(scope.as_of), "overdue": t.overdue_all, "major": t.major_open}
        )
        worst = sorted(
            (line for line in summary.hospitals if line.figures.overdue_all),
            key=lambda line: (-line.figures.overdue_all, line.hospital.name),
        )[:NAMED_HOSPITALS]
        if worst:
            problems.append(
                _("逾期隐患较多的单位:%(names)s。")
                % {
                    "names": "、".join(
                        _("%(name)s(%(n)d 条)")
                        % {"name": line.hospital.name, "n": line.figures.overdue_all}
                        for line in worst
                    )
                }
            )
    if t.inspections_due > t.inspections_done:
        problems.append(
            _("%(n)d 家次未按时开展安全生产检查日检查。")
            % {"n": t.inspections_due - t.inspections_done}
        )
    if not problems:
        problems.append(_("%(when)s未发现逾期未整改隐患。") % {"when": when})

    steps = []
    if t.overdue_all:
        steps.append(
            _("督促相关单位对 %(n)d 条逾期隐患限期整改,逾期未整改的书面说明理由。")
            % {"n": t.overdue_all}
        )
    if t.major_open:
        steps.append(
            _("对 %(n)d 条未销号重大隐患落实“一患一档”和挂牌督办,整改完成后及时复查验收。")
            % {"n": t.major_open}
        )
    steps.append(_("继续开展安全生产检查日检查,推动隐患“问题整改销号清零”。"))
    return NarrativeText(
        work_done="\n".join(work), problems="\n".join(problems), next_steps="\n".join(steps)
    )


def _saved(report_type: str, scope: ReportScope) -> Narrative | None:
    return Narrative.objects.filter(
        report_type=report_type,
        region=scope.region,
        hospital=scope.hospital,
        period_key=scope.period.key,
    ).first()


def narrative_for(
    report_type: str, scope: ReportScope, summary: ScopeSummary | None = None
) -> NarrativeText:
    """The text the export prints: the saved text of this scope and period, else the
    pre-filled one."""
    saved = _saved(report_type, scope)
    if saved is not None:
        return NarrativeText(saved.work_done, saved.problems, saved.next_steps, saved=saved)
    return prefill(scope, summary)


def can_edit(user, region: Region, hospital: Hospital | None = None) -> bool:
    """Bureau staff (and administrators) over the region edit its report texts."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if not (user.is_superuser or user.is_bureau_side):
        return False
    if not Region.objects.visible_to(user).filter(pk=region.pk).exists():
        return False
    return hospital is None or Hospital.objects.visible_to(user).filter(pk=hospital.pk).exists()


def narrative_save(
    *,
    report_type: str,
    region: Region,
    period: Period,
    work_done: str,
    problems: str,
    next_steps: str,
    by,
    hospital: Hospital | None = None,
) -> Narrative:
    """Save (create or replace) the text sections of a report for a scope and period."""
    if not can_edit(by, region, hospital):
        raise NotAllowed
    if report_type not in NARRATIVE_REPORT_TYPES:
        raise NarrativeError(_("该报表没有文字部分。"))
    if report_type == ReportType.CAMPAIGN_SUMMARY and period.kind != PeriodKind.YEAR:
        raise NarrativeError(_("专项整治年度工作总结的期间应为年度。"))
    with transaction.atomic():
        narrative, _created = Narrative.objects.select_for_update().get_or_create(
            report_type=report_type,
            region=region,
            hospital=hospital,
            period_key=period.key,
            defaults={"updated_by": by},
        )
        narrative.work_done = work_done.strip()
        narrative.problems = problems.strip()
        narrative.next_steps = next_steps.strip()
        narrative.updated_by = by
        narrative.save()
    return narrative
