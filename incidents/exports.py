"""Excel output of the incident register and the patrol log, driven by the lists' filters."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from core.excel import Column, Sheet, workbook_bytes

from .models import Incident, Patrol


def _link(name: str, pk: int) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=[pk])


def incident_columns() -> list[Column]:
    return [
        Column(_("发生时间"), lambda i: i.occurred_at, kind="datetime", width=18),
        Column(_("医疗机构"), lambda i: i.hospital.name, width=28),
        Column(_("所属区域"), lambda i: i.hospital.region.name),
        Column(_("事件类型"), lambda i: i.get_kind_display()),
        Column(_("发生地点"), lambda i: i.location, width=20, wrap=True),
        Column(_("事件经过"), lambda i: i.description, width=40, wrap=True),
        Column(_("处置人员"), lambda i: i.handled_by, width=20),
        Column(_("公安介入"), lambda i: _("是") if i.police_involved else _("否")),
        Column(_("警情号"), lambda i: i.police_case_number, width=18),
        Column(_("处置结果"), lambda i: i.outcome, width=40, wrap=True),
        Column(_("附件数"), lambda i: i.attachment_count, kind="int"),
        Column(_("链接"), lambda i: _link("incidents:incident_detail", i.pk), width=40),
    ]


def incidents_workbook(qs: QuerySet[Incident], *, scope: str, period: str) -> bytes:
    sheet = Sheet(
        title=_("治安事件"),
        columns=incident_columns(),
        rows=qs.select_related("hospital", "hospital__region")
        .annotate(attachment_count=Count("attachments"))
        .order_by("-occurred_at", "-id")
        .iterator(chunk_size=500),
        highlight=lambda i: i.police_involved,
    )
    return workbook_bytes([sheet], report_title=_("治安事件登记台账"), scope=scope, period=period)


def patrol_columns() -> list[Column]:
    return [
        Column(_("巡查日期"), lambda p: p.patrolled_on, kind="date"),
        Column(_("开始时间"), lambda p: f"{p.started_at:%H:%M}"),
        Column(_("医疗机构"), lambda p: p.hospital.name, width=28),
        Column(_("所属区域"), lambda p: p.hospital.region.name),
        Column(_("巡查路线/区域"), lambda p: p.route, width=36, wrap=True),
        Column(_("巡查人员"), lambda p: p.patroller, width=16),
        Column(_("发现问题"), lambda p: p.findings, width=40, wrap=True),
        Column(_("登记隐患数"), lambda p: p.hazard_count, kind="int"),
        Column(_("链接"), lambda p: _link("incidents:patrol_detail", p.pk), width=40),
    ]


def patrols_workbook(qs: QuerySet[Patrol], *, scope: str, period: str) -> bytes:
    sheet = Sheet(
        title=_("安保巡查"),
        columns=patrol_columns(),
        rows=qs.select_related("hospital", "hospital__region")
        .annotate(hazard_count=Count("hazards"))
        .order_by("-patrolled_on", "-started_at", "-id")
        .iterator(chunk_size=500),
        highlight=lambda p: bool(p.findings),
    )
    return workbook_bytes([sheet], report_title=_("安保巡查记录台账"), scope=scope, period=period)
