"""PDF output of the 一患一档 dossier: the same fields as the printable page and the workbook."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, Spacer, Table

from core.pdf import A4_TEXT_WIDTH, FONT, a4_pdf, grid_table, paragraph

from .exports import dossier_items
from .models import Hazard

_BODY = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=13, wordWrap="CJK")
_LABEL = ParagraphStyle("label", parent=_BODY, fontSize=9.5)
_HEAD = ParagraphStyle("head", parent=_BODY, fontSize=9.5)
_TITLE = ParagraphStyle("title", fontName=FONT, fontSize=17, leading=24, alignment=TA_CENTER)
_SUBTITLE = ParagraphStyle(
    "subtitle", parent=_BODY, alignment=TA_CENTER, textColor=colors.HexColor("#555555")
)
_SECTION = ParagraphStyle("section", fontName=FONT, fontSize=11.5, leading=16, spaceBefore=10)


def _text(value) -> str:
    """A display string for a dossier value ("—" when empty)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return str(value)


def _para(value, style: ParagraphStyle = _BODY) -> Paragraph:
    return paragraph(_text(value), style)


def _table(header: list[str], rows: Iterable[list], widths: list[float]) -> Table:
    data = [[_para(h, _HEAD) for h in header]]
    data += [[_para(cell) for cell in row] for row in rows]
    return grid_table(data, widths, repeatRows=1, splitInRow=1)


def _numbered_canvas(footer: str):
    """A canvas that writes "第 n / N 页" and the generation time once the page count is known."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(FONT, 8)
                self.setFillColor(colors.HexColor("#666666"))
                self.drawString(18 * mm, 10 * mm, footer)
                self.drawRightString(
                    A4[0] - 18 * mm,
                    10 * mm,
                    _("第 %(page)d / %(total)d 页") % {"page": self._pageNumber, "total": total},
                )
                super().showPage()
            super().save()

    return NumberedCanvas


def dossier_pdf(hazard: Hazard, events, evidence, extensions=(), *, compress: bool = True) -> bytes:
    """The dossier as an A4 PDF (``compress=False`` leaves the page streams readable)."""
    title = _("重大事故隐患“一患一档”") if hazard.is_major else _("安全隐患档案")
    generated = f"{_('生成时间')}: {_text(timezone.now())}"
    width = A4_TEXT_WIDTH

    story: list = [
        Paragraph(escape(title), _TITLE),
        _para(f"{hazard.hospital.name} · {hazard.code}", _SUBTITLE),
        Spacer(1, 4 * mm),
    ]

    items = [[_para(label, _LABEL), _para(value)] for label, value in dossier_items(hazard)]
    story.append(
        grid_table(items, [width * 0.26, width * 0.74], shade=((0, 0), (0, -1)), splitInRow=1)
    )

    extensions = list(extensions)
    if extensions:
        story.append(Paragraph(escape(_("延期申请")), _SECTION))
        story.append(
            _table(
                [_("申请时间"), _("原期限 → 申请延至"), _("理由"), _("审批")],
                (
                    [
                        _text(ext.created_at.date() if ext.created_at else None),
                        f"{_text(ext.current_deadline)} → {_text(ext.requested_deadline)}",
                        ext.reason,
                        " ".join(
                            part
                            for part in (
                                ext.get_status_display(),
                                ext.decided_by.display_name if ext.decided_by else "",
                                ext.decision_note,
                            )
                            if part
                        ),
                    ]
                    for ext in extensions
                ),
                [width * 0.16, width * 0.26, width * 0.32, width * 0.26],
            )
        )

    story.append(Paragraph(escape(_("佐证材料")), _SECTION))
    files = list(evidence)
    if files:
        story.append(
            _table(
                [_("类型"), _("文件名"), _("上传人"), _("上传时间")],
                (
                    [
                        f.get_stage_display(),
                        f.original_name,
                        f.uploaded_by.display_name,
                        f.uploaded_at,
                    ]
                    for f in files
                ),
                [width * 0.14, width * 0.46, width * 0.18, width * 0.22],
            )
        )
    else:
        story.append(_para(_("暂无材料。")))

    story.append(Paragraph(escape(_("处理记录")), _SECTION))
    story.append(
        _table(
            [_("时间"), _("事件"), _("操作人"), _("状态"), _("说明")],
            (
                [
                    e.at,
                    e.get_kind_display(),
                    e.actor.display_name,
                    " → ".join(
                        s for s in (e.get_from_status_display(), e.get_to_status_display()) if s
                    ),
                    e.note,
                ]
                for e in events
            ),
            [width * 0.17, width * 0.14, width * 0.13, width * 0.18, width * 0.38],
        )
    )

    story.append(Spacer(1, 14 * mm))
    signatures = Table(
        [[_para(_("责任人签字:")), _para(_("验收人签字:"))]], colWidths=[width / 2, width / 2]
    )
    story.append(signatures)

    return a4_pdf(
        story,
        title=f"{title} {hazard.code}",
        author=hazard.hospital.name,
        compress=compress,
        canvasmaker=_numbered_canvas(generated),
    )
