"""Excel output of the training records and letters: one column spec per sheet, rows from the
same scoped, filtered querysets as the list pages (core.excel's public API only)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from core.excel import Column, Sheet, workbook_bytes

from .choices import CertificateState
from .selectors import certificate_state


def session_sheet(rows) -> Sheet:
    return Sheet(
        title=_("安全教育培训"),
        columns=[
            Column(_("医疗机构"), lambda s: s.hospital.name, width=28),
            Column(_("培训日期"), lambda s: s.held_on, kind="date"),
            Column(_("培训类别"), lambda s: s.get_kind_display(), width=20),
            Column(_("培训主题"), lambda s: s.title, width=30, wrap=True),
            Column(_("授课人"), lambda s: s.trainer, width=12),
            Column(_("学时"), lambda s: s.hours, kind="decimal"),
            Column(_("参训人数"), lambda s: s.attendee_count, kind="int"),
            Column(_("参训人员名单"), lambda s: "、".join(s.attendee_names), width=40, wrap=True),
        ],
        rows=rows,
    )


def certificate_sheet(rows, *, on) -> Sheet:
    return Sheet(
        title=_("特种作业人员证书"),
        columns=[
            Column(_("医疗机构"), lambda c: c.hospital.name, width=28),
            Column(_("持证人"), lambda c: c.holder, width=12),
            Column(_("作业类别"), lambda c: c.get_cert_type_display(), width=16),
            Column(_("证书编号"), lambda c: c.number, width=22),
            Column(_("有效期至"), lambda c: c.valid_until, kind="date"),
            Column(
                _("状态"), lambda c: str(CertificateState(certificate_state(c, on)).label), width=10
            ),
        ],
        rows=rows,
        highlight=lambda c: certificate_state(c, on) != CertificateState.VALID,
    )


def letter_sheet(rows) -> Sheet:
    return Sheet(
        title=_("安全生产责任书"),
        columns=[
            Column(_("医疗机构"), lambda r: r.hospital.name, width=28),
            Column(_("年度"), lambda r: r.year, kind="int"),
            Column(_("签订层级"), lambda r: r.get_level_display(), width=14),
            Column(_("甲方"), lambda r: r.party_a, width=24),
            Column(_("乙方"), lambda r: r.party_b, width=24),
            Column(_("签订日期"), lambda r: r.signed_on, kind="date"),
            Column(_("扫描件份数"), lambda r: r.scan_count, kind="int"),
        ],
        rows=rows,
    )


def workbook(sheet: Sheet, *, scope: str, period: str) -> bytes:
    return workbook_bytes([sheet], report_title=sheet.title, scope=scope, period=period)
