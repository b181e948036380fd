"""隐患台账: one row per hazard found in the period, the columns bureaus keep (DOMAIN.md)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from core.dates import as_of_date
from core.excel import Column, Sheet
from hazards.choices import (
    Category,
    EvidenceStage,
    RectificationMode,
    RiskLevel,
    Source,
    Status,
)
from hazards.selectors import days_overdue_at, with_state_as_of

from ..choices import ReportType
from ..selectors import period_hazards
from . import WorkbookPlan, labels

CHUNK_SIZE = 2000


def ledger_queryset(scope):
    """Hazards found in the period, with their state as of `scope.as_of`: deadline, risk level
    and status then, and the photos uploaded by then."""
    uploaded = Q(evidence__uploaded_at__lte=scope.as_of)
    return (
        with_state_as_of(period_hazards(scope), scope.as_of)
        .select_related("hospital", "found_by", "closed_by", "rechecked_by")
        .annotate(
            photos_before=Count(
                "evidence", filter=uploaded & Q(evidence__stage=EvidenceStage.BEFORE)
            ),
            photos_after=Count(
                "evidence", filter=uploaded & Q(evidence__stage=EvidenceStage.AFTER)
            ),
        )
        .order_by("found_on", "code", "pk")
    )


def estimate_rows(scope) -> int:
    return period_hazards(scope).count()


def _person(user) -> str:
    return user.display_name if user else ""


def _progress(hazard, status_labels) -> str:
    text = status_labels[hazard.status_then]
    if hazard.progress:
        text = f"{text}:{hazard.progress}"
    return text


def _closed_by_then(hazard, day) -> bool:
    return hazard.closed_on is not None and hazard.closed_on <= day


def _verified(hazard, day) -> str:
    if not _closed_by_then(hazard, day):
        return ""
    people = []
    if hazard.rechecked_by_id:
        people.append(_("复查:%(name)s") % {"name": _person(hazard.rechecked_by)})
    if hazard.closed_by_id:
        people.append(_("验收:%(name)s") % {"name": _person(hazard.closed_by)})
    return ";".join(people)


def ledger_columns(as_of) -> list[Column]:
    source, risk, category = labels(Source), labels(RiskLevel), labels(Category)
    mode, status = labels(RectificationMode), labels(Status)
    closed, not_closed = _("已销号"), _("未销号")
    day = as_of_date(as_of)
    return [
        Column(_("序号"), lambda r: r[0], width=6, kind="int"),
        Column(_("编号"), lambda r: r[1].code, width=18),
        Column(_("医疗机构"), lambda r: r[1].hospital.name, width=24),
        Column(_("排查时间"), lambda r: r[1].found_on, width=12, kind="date"),
        Column(_("部位"), lambda r: r[1].location, width=20, wrap=True),
        Column(_("排查人"), lambda r: _person(r[1].found_by), width=10),
        Column(_("发现途径"), lambda r: source[r[1].source], width=14),
        Column(_("隐患描述"), lambda r: r[1].description, width=40, wrap=True),
        Column(_("等级"), lambda r: risk[r[1].risk_level_then], width=10),
        Column(_("类别"), lambda r: category[r[1].category], width=14),
        Column(_("整改方式"), lambda r: mode[r[1].mode], width=10),
        Column(_("整改措施"), lambda r: r[1].rectification_measures, width=30, wrap=True),
        Column(_("资金(元)"), lambda r: r[1].funds, width=12, kind="decimal"),
        Column(_("责任科室"), lambda r: r[1].responsible_department, width=14),
        Column(_("责任人"), lambda r: r[1].responsible_person, width=10),
        Column(_("整改期限"), lambda r: r[1].deadline_then, width=12, kind="date"),
        Column(_("临时安全措施"), lambda r: r[1].interim_measures, width=24, wrap=True),
        Column(_("进度"), lambda r: _progress(r[1], status), width=24, wrap=True),
        Column(_("逾期天数"), lambda r: days_overdue_at(r[1], as_of) or None, width=9, kind="int"),
        Column(_("整改前照片"), lambda r: r[1].photos_before, width=10, kind="int"),
        Column(_("整改后照片"), lambda r: r[1].photos_after, width=10, kind="int"),
        Column(_("复查验收人"), lambda r: _verified(r[1], day), width=20),
        Column(
            _("复查验收日期"),
            lambda r: r[1].closed_on if _closed_by_then(r[1], day) else None,
            width=12,
            kind="date",
        ),
        Column(
            _("销号"),
            lambda r: closed if _closed_by_then(r[1], day) else not_closed,
            width=8,
        ),
    ]


def build(scope) -> WorkbookPlan:
    as_of = scope.as_of
    rows = enumerate(ledger_queryset(scope).iterator(chunk_size=CHUNK_SIZE), start=1)
    sheet = Sheet(
        title=_("隐患台账"),
        columns=ledger_columns(as_of),
        rows=rows,
        highlight=lambda r: days_overdue_at(r[1], as_of) > 0,
        subtitle=_("逾期未整改的隐患以红色底纹标出(截至 %(date)s)。")
        % {"date": as_of_date(as_of).isoformat()},
    )
    return WorkbookPlan(
        title=f"{scope.period.label}{ReportType.HAZARD_LEDGER.label}", sheets=[sheet]
    )
