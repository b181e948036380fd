"""PDF output of the 一患一档 dossier: the same fields as the printable page and the workbook,
the before/after photos (downscaled, embedded), 复查 and 验收 with names and dates, the
signature lines with dates and a seal area, and page numbers. The Chinese font is embedded
(core.pdf.FONT)."""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Iterable
from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image as PILImage
from PIL import ImageOps
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Image, KeepTogether, Paragraph, Spacer, Table, TableStyle

from core.pdf import A4_TEXT_WIDTH, FONT, GRID, a4_pdf, grid_table, paragraph

from .choices import EventType, EvidenceStage
from .exports import dossier_items
from .models import Hazard

logger = logging.getLogger(__name__)

# Photos are downscaled to this many pixels on their longer side and re-encoded as JPEG, so a
# dossier of a dozen phone photos stays a small file.
PHOTO_MAX_PIXELS = 900
PHOTO_JPEG_QUALITY = 72
PHOTO_MAX_HEIGHT = 62 * mm
PHOTO_STAGES = (EvidenceStage.BEFORE, EvidenceStage.AFTER, EvidenceStage.RECHECK)

_BODY = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=13, wordWrap="CJK")
_LABEL = ParagraphStyle("label", parent=_BODY, fontSize=9.5)
_HEAD = ParagraphStyle("head", parent=_BODY, fontSize=9.5)
_TITLE = ParagraphStyle("title", fontName=FONT, fontSize=17, leading=24, alignment=TA_CENTER)
_SUBTITLE = ParagraphStyle(
    "subtitle", parent=_BODY, alignment=TA_CENTER, textColor=colors.HexColor("#555555")
)
_SECTION = ParagraphStyle("section", fontName=FONT, fontSize=11.5, leading=16, spaceBefore=10)
_CAPTION = ParagraphStyle(
    "caption", parent=_BODY, fontSize=8, leading=11, alignment=TA_CENTER, textColor=colors.grey
)
_SEAL = ParagraphStyle("seal", parent=_BODY, alignment=TA_CENTER, textColor=colors.grey)


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
            # Start in the embedded font: the default Helvetica would be a non-embedded font.
            kwargs.setdefault("initialFontName", FONT)
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

    files = list(evidence)
    story += _photo_section(files, width)
    story.append(Paragraph(escape(_("佐证材料")), _SECTION))
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

    events = list(events)
    story.append(
        KeepTogether(
            [Paragraph(escape(_("复查与验收")), _SECTION), _check_table(hazard, events, width)]
        )
    )
    story.append(Spacer(1, 10 * mm))
    story.append(KeepTogether(_signature_block(hazard, width)))

    return a4_pdf(
        story,
        title=f"{title}({hazard.code})",
        author=hazard.hospital.name,
        compress=compress,
        canvasmaker=_numbered_canvas(generated),
    )


# ---- photos -----------------------------------------------------------------------------------


def downscaled_photo(evidence) -> io.BytesIO | None:
    """The evidence image re-encoded as a JPEG of at most PHOTO_MAX_PIXELS on its longer side
    (None when the file is missing or not a readable image)."""

    try:
        with evidence.file.open("rb") as handle, PILImage.open(handle) as image:
            image = ImageOps.exif_transpose(image)
            image.thumbnail((PHOTO_MAX_PIXELS, PHOTO_MAX_PIXELS))
            if image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            out = io.BytesIO()
            image.save(out, "JPEG", quality=PHOTO_JPEG_QUALITY, optimize=True)
    except (OSError, ValueError, SyntaxError):
        logger.warning("dossier photo %s could not be read", evidence.pk)
        return None
    out.seek(0)
    return out


def _photo(evidence, max_width: float):
    data = downscaled_photo(evidence)
    if data is None:
        return _para(_("(照片无法读取:%(name)s)") % {"name": evidence.original_name})
    image = Image(data)
    scale = min(max_width / image.imageWidth, PHOTO_MAX_HEIGHT / image.imageHeight)
    image.drawWidth = image.imageWidth * scale
    image.drawHeight = image.imageHeight * scale
    caption = " ".join(
        (
            str(evidence.get_stage_display()),
            evidence.uploaded_by.display_name,
            _text(evidence.uploaded_at),
        )
    )
    return [image, _para(caption, _CAPTION)]


def _photo_section(files: list, width: float) -> list:
    """整改前 / 整改后 (and 复查) photos side by side, two to a row."""
    photos = [f for f in files if f.is_image and f.stage in PHOTO_STAGES]
    if not photos:
        return []
    photos.sort(key=lambda f: (PHOTO_STAGES.index(f.stage), f.uploaded_at or timezone.now()))
    cell_width = width / 2 - 8
    cells = [_photo(f, cell_width) for f in photos]
    rows = [cells[i : i + 2] for i in range(0, len(cells), 2)]
    if len(rows[-1]) == 1:
        rows[-1].append("")
    table = Table(rows, colWidths=[width / 2, width / 2])
    table.setStyle(GRID)
    table.setStyle(TableStyle([("ALIGN", (0, 0), (-1, -1), "CENTER")]))
    return [Paragraph(escape(_("整改前后照片")), _SECTION), table]


# ---- 复查, 验收, signatures -------------------------------------------------------------------


def _last_event(events: list, kind: str):
    found = [e for e in events if e.kind == kind]
    return found[-1] if found else None


def _check_table(hazard: Hazard, events: list, width: float) -> Table:
    """复查 and 验收 (销号): who, when, and what they said."""
    accepted = _last_event(events, EventType.ACCEPTED) or _last_event(
        events, EventType.FIXED_ON_THE_SPOT
    )
    rows = [
        [_("环节"), _("人员"), _("日期"), _("意见")],
        [
            _("复查"),
            hazard.rechecked_by.display_name if hazard.rechecked_by else "",
            hazard.rechecked_at,
            hazard.recheck_note,
        ],
        [
            _("验收销号"),
            hazard.closed_by.display_name if hazard.closed_by else "",
            hazard.closed_on,
            accepted.note if accepted else "",
        ],
    ]
    return _table(rows[0], rows[1:], [width * 0.14, width * 0.2, width * 0.22, width * 0.44])


def _signature_block(hazard: Hazard, width: float) -> list:
    """Lines for the 责任人, 复查人 and 验收人 to sign and date by hand (names printed where the
    system knows them), and a 盖章 area for the unit's seal."""
    blank = "________________"
    date_line = _("日期:____年____月____日")

    def line(label: str, name: str, when) -> list:
        signed = f"{label}{name or blank}"
        day = _("日期:%(date)s") % {"date": _text(when)} if when else date_line
        return [_para(signed), _para(day)]

    lines = [
        line(_("责任人签字:"), hazard.responsible_person, None),
        line(
            _("复查人签字:"),
            hazard.rechecked_by.display_name if hazard.rechecked_by else "",
            timezone.localtime(hazard.rechecked_at).date() if hazard.rechecked_at else None,
        ),
        line(
            _("验收人签字:"),
            hazard.closed_by.display_name if hazard.closed_by else "",
            hazard.closed_on,
        ),
        line(_("单位负责人签字:"), "", None),
    ]
    signatures = Table(lines, colWidths=[width * 0.4, width * 0.3], rowHeights=[11 * mm] * 4)
    seal = Table(
        [[_para(_("(单位盖章)"), _SEAL)], [_para(date_line, _SEAL)]],
        colWidths=[width * 0.28],
        rowHeights=[30 * mm, 8 * mm],
    )
    seal.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (0, 0), 0.75, colors.HexColor("#999999")),
                ("VALIGN", (0, 0), (0, 0), "MIDDLE"),
            ]
        )
    )
    layout = Table([[signatures, seal]], colWidths=[width * 0.7, width * 0.3])
    layout.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return [Paragraph(escape(_("签字确认")), _SECTION), Spacer(1, 2 * mm), layout]
