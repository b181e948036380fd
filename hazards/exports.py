"""Excel output: the hazard ledger (隐患台账) and the 一患一档 dossier workbook."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from core.excel import Column, Sheet, workbook_bytes

from .choices import EvidenceStage
from .models import Hazard


def ledger_queryset(qs: QuerySet[Hazard]) -> QuerySet[Hazard]:
    return qs.select_related("hospital", "found_by", "closed_by", "rechecked_by").annotate(
        before_count=Count("evidence", filter=Q(evidence__stage=EvidenceStage.BEFORE)),
        after_count=Count("evidence", filter=Q(evidence__stage=EvidenceStage.AFTER)),
    )


def _absolute(url: str) -> str:
    return settings.SITE_URL.rstrip("/") + url


def _responsible(h: Hazard) -> str:
    return " ".join(part for part in (h.responsible_department, h.responsible_person) if part)


def _progress(h: Hazard) -> str:
    text = h.get_status_display()
    if h.is_overdue():
        text += _("(逾期%(days)d天)") % {"days": h.days_overdue()}
    last_line = h.progress.strip().splitlines()[-1] if h.progress.strip() else ""
    return f"{text}\n{last_line}" if last_line else text


def _photos(h: Hazard) -> str:
    return _("整改前 %(before)d 张 / 整改后 %(after)d 张\n%(url)s") % {
        "before": h.before_count,
        "after": h.after_count,
        "url": _absolute(h.get_absolute_url()),
    }


def _acceptance(h: Hazard) -> str:
    parts = []
    if h.rechecked_by_id:
        parts.append(
            _("复查:%(who)s %(date)s")
            % {"who": h.rechecked_by.display_name, "date": f"{h.rechecked_at:%Y-%m-%d}"}
        )
    if h.closed_by_id:
        parts.append(
            _("验收:%(who)s %(date)s") % {"who": h.closed_by.display_name, "date": h.closed_on}
        )
    return "\n".join(parts)


def _closed(h: Hazard) -> str:
    if h.closed_on:
        return _("已销号 %(date)s") % {"date": h.closed_on}
    return _("未销号")


def ledger_columns() -> list[Column]:
    return [
        Column(_("编号"), lambda h: h.code, width=18),
        Column(_("医疗机构"), lambda h: h.hospital.name, width=22),
        Column(_("排查时间"), lambda h: h.found_on, kind="date", width=12),
        Column(_("部位"), lambda h: h.location, width=20, wrap=True),
        Column(_("排查人"), lambda h: h.found_by.display_name, width=10),
        Column(_("隐患描述"), lambda h: h.description, width=40, wrap=True),
        Column(
            _("等级/类别"),
            lambda h: f"{h.get_risk_level_display()}/{h.get_category_display()}",
            width=18,
        ),
        Column(
            _("发现途径"),
            lambda h: h.get_source_display() + (f"\n{h.source_label}" if h.source_label else ""),
            width=16,
            wrap=True,
        ),
        Column(_("整改措施"), lambda h: h.rectification_measures, width=36, wrap=True),
        Column(_("资金(元)"), lambda h: h.funds, kind="decimal", width=12),
        Column(_("责任人"), _responsible, width=16, wrap=True),
        Column(_("整改期限"), lambda h: h.deadline, kind="date", width=12),
        Column(_("临时安全措施"), lambda h: h.interim_measures, width=30, wrap=True),
        Column(_("进度"), _progress, width=24, wrap=True),
        Column(_("整改前后照片"), _photos, width=30, wrap=True),
        Column(_("复查验收人/日期"), _acceptance, width=24, wrap=True),
        Column(_("销号"), _closed, width=16),
    ]


def ledger_workbook(qs: QuerySet[Hazard], *, scope: str, period: str) -> bytes:
    sheet = Sheet(
        title=_("隐患台账"),
        columns=ledger_columns(),
        rows=ledger_queryset(qs).iterator(chunk_size=500),
        highlight=lambda h: h.is_overdue(),
    )
    return workbook_bytes(
        [sheet], report_title=_("安全隐患排查整改台账"), scope=scope, period=period
    )


def dossier_items(hazard: Hazard) -> list[tuple[str, object]]:
    """(label, value) pairs of the 一患一档 dossier, shared by the page and the workbook."""
    field = Hazard._meta.get_field

    def label(name: str) -> str:
        return str(field(name).verbose_name)

    items: list[tuple[str, object]] = [
        (label("code"), hazard.code),
        (label("hospital"), hazard.hospital.name),
        (label("risk_level"), hazard.get_risk_level_display()),
        (label("category"), hazard.get_category_display()),
        (label("source"), hazard.get_source_display()),
        (label("source_label"), hazard.source_label),
        (label("found_on"), hazard.found_on),
        (label("found_by"), hazard.found_by.display_name),
        (label("location"), hazard.location),
        (label("description"), hazard.description),
        (label("mode"), hazard.get_mode_display()),
        (label("deadline"), hazard.deadline),
        (label("responsible_department"), hazard.responsible_department),
        (label("responsible_person"), hazard.responsible_person),
        (label("rectification_measures"), hazard.rectification_measures),
        (label("funds"), hazard.funds),
        (label("interim_measures"), hazard.interim_measures),
    ]
    if hazard.is_major:
        items += [
            (label(name), getattr(hazard, name))
            for name in (
                "present_state_and_cause",
                "danger_analysis",
                "plan_goal",
                "plan_methods",
                "plan_funds_materials",
                "plan_organisation",
                "plan_time_limit",
                "plan_safety_emergency",
            )
        ]
        items += [
            (label("supervision_level"), hazard.get_supervision_level_display()),
            (label("supervision_notice_no"), hazard.supervision_notice_no),
            (label("suspension"), hazard.get_suspension_display()),
            (label("suspension_scope"), hazard.suspension_scope),
            (label("suspension_notice_no"), hazard.suspension_notice_no),
        ]
    items += [
        (label("progress"), hazard.progress),
        (label("overdue_explanation"), hazard.overdue_explanation),
        (label("status"), hazard.get_status_display()),
        (label("rechecked_by"), hazard.rechecked_by.display_name if hazard.rechecked_by else ""),
        (label("rechecked_at"), hazard.rechecked_at),
        (label("recheck_note"), hazard.recheck_note),
        (label("closed_by"), hazard.closed_by.display_name if hazard.closed_by else ""),
        (label("closed_on"), hazard.closed_on),
    ]
    return items


def dossier_workbook(hazard: Hazard, events, evidence) -> bytes:
    def value(item):
        v = item[1]
        if v is None:
            return ""
        if hasattr(v, "isoformat") or isinstance(v, int | float):
            return v
        return str(v)

    sheets = [
        Sheet(
            title=_("隐患档案"),
            columns=[
                Column(_("项目"), lambda item: item[0], width=26),
                Column(_("内容"), value, width=80, wrap=True),
            ],
            rows=dossier_items(hazard),
        ),
        Sheet(
            title=_("处理记录"),
            columns=[
                Column(_("时间"), lambda e: e.at, kind="datetime", width=18),
                Column(_("事件"), lambda e: e.get_kind_display(), width=16),
                Column(_("操作人"), lambda e: e.actor.display_name, width=12),
                Column(_("原状态"), lambda e: e.get_from_status_display(), width=10),
                Column(_("新状态"), lambda e: e.get_to_status_display(), width=10),
                Column(_("说明"), lambda e: e.note, width=60, wrap=True),
            ],
            rows=events,
        ),
        Sheet(
            title=_("佐证材料"),
            columns=[
                Column(_("类型"), lambda f: f.get_stage_display(), width=10),
                Column(_("文件名"), lambda f: f.original_name, width=30),
                Column(_("上传人"), lambda f: f.uploaded_by.display_name, width=12),
                Column(_("上传时间"), lambda f: f.uploaded_at, kind="datetime", width=18),
                Column(_("链接"), lambda f: _absolute(f.get_absolute_url()), width=60),
            ],
            rows=evidence,
        ),
    ]
    title = (
        _("重大事故隐患“一患一档”") if hazard.is_major else _("安全隐患档案")
    ) + f" {hazard.code}"
    return workbook_bytes(
        sheets, report_title=title, scope=hazard.hospital.name, period=str(hazard.found_on)
    )
