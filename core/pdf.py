"""What every printable PDF shares: the Chinese font, the table grid, and user text made safe.

The Chinese font is WenQuanYi Micro Hei (文泉驿微米黑, Apache License 2.0, core/fonts/), a
TrueType font with CJK and Latin glyphs that the project ships: reportlab embeds the subset of
glyphs each PDF uses, so a dossier prints the same in any viewer and on any machine (no OS
font, no viewer-substituted CID font).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

# Printable width of the A4 page between the margins of `a4_pdf`.
A4_TEXT_WIDTH = A4[0] - 36 * mm

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FILE = FONT_DIR / "wqy-microhei.ttc"
FONT = "WenQuanYiMicroHei"
if FONT not in pdfmetrics.getRegisteredFontNames():
    # Embedded as subsets: the PDF carries only the glyphs it draws.
    pdfmetrics.registerFont(TTFont(FONT, str(FONT_FILE), subfontIndex=0))

GRID = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
)
SHADE = colors.HexColor("#f1f3f5")
# Print U+00B7 "·" with its CJK twin U+30FB, which every Chinese font draws at full width.
_GLYPH_SUBSTITUTES = str.maketrans({"\u00b7": "\u30fb"})


def paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    """User text as a Paragraph: markup escaped so "<b>" or "&" print literally, lines kept."""
    return Paragraph(escape(text).replace("\n", "<br/>").translate(_GLYPH_SUBSTITUTES), style)


def grid_table(
    rows: Iterable[list[Any]],
    widths: list[float],
    *,
    shade: tuple[tuple[int, int], tuple[int, int]] = ((0, 0), (-1, 0)),
    **options: Any,
) -> Table:
    """A bordered table with one shaded band (default: the header row)."""
    table = Table(list(rows), colWidths=widths, **options)
    table.setStyle(GRID)
    table.setStyle(TableStyle([("BACKGROUND", shade[0], shade[1], SHADE)]))
    return table


def a4_pdf(
    story: list[Any], *, title: str, author: str, compress: bool = True, **options: Any
) -> bytes:
    """The story laid out on A4 with the margins every printable of the product uses.
    `compress=False` leaves the page streams readable (tests); `canvasmaker` goes to build()."""
    canvasmaker = options.pop("canvasmaker", None)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=title,
        author=author,
        pageCompression=1 if compress else 0,
        **options,
    )
    if canvasmaker is None:
        doc.build(story)
    else:
        doc.build(story, canvasmaker=canvasmaker)
    return buffer.getvalue()
