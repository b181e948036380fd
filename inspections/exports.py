"""Excel output of the inspection list (检查记录台账), driven by the list's filters."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from core.excel import Column, Sheet, workbook_bytes

from .models import Inspection


def columns() -> list[Column]:
    return [
        Column(_("检查日期"), lambda i: i.inspected_on, kind="date"),
        Column(_("受检机构"), lambda i: i.hospital.name, width=28),
        Column(_("所属区域"), lambda i: i.hospital.region.name),
        Column(_("检查类型"), lambda i: i.get_kind_display()),
        Column(_("第三方机构"), lambda i: i.third_party_firm, width=24),
        Column(
            _("检查日任务"),
            lambda i: (
                f"{i.assignment.get_kind_display()} {i.assignment.due_date:%Y-%m-%d}"
                if i.assignment_id
                else ""
            ),
        ),
        Column(_("检查人"), lambda i: i.created_by.display_name),
        Column(_("同行检查人员"), lambda i: i.participants, width=24, wrap=True),
        Column(_("检查部位/区域"), lambda i: i.location, width=20, wrap=True),
        Column(_("检查表"), lambda i: f"{i.template.name} v{i.template.version}", width=30),
        Column(_("不合格项数"), lambda i: i.failed_count, kind="int", total="sum"),
        Column(_("状态"), lambda i: i.get_status_display()),
        Column(_("提交时间"), lambda i: i.submitted_at, kind="datetime"),
        Column(_("检查小结"), lambda i: i.summary, width=40, wrap=True),
        Column(
            _("链接"),
            lambda i: settings.SITE_URL.rstrip("/") + reverse("inspections:detail", args=[i.pk]),
            width=40,
        ),
    ]


def inspections_workbook(qs: QuerySet[Inspection], *, scope: str, period: str) -> bytes:
    sheet = Sheet(
        title=_("检查记录"),
        columns=columns(),
        rows=qs.select_related(
            "hospital", "hospital__region", "template", "created_by", "assignment"
        ).iterator(chunk_size=500),
        highlight=lambda i: i.failed_count > 0,
    )
    return workbook_bytes([sheet], report_title=_("安全检查记录台账"), scope=scope, period=period)
