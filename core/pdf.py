"""What every printable PDF shares: the Chinese font, the table grid, and user text made safe.

reportlab's built-in Adobe CID font STSong-Light prints Chinese without shipping a font file.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

# Printable width of the A4 page between the margins of `a4_pdf`.
A4_TEXT_WIDTH = A4[0] - 36 * mm

FONT = "STSong-Light"
if FONT not in pdfmetrics.getRegisteredFontNames():
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))

GRID = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
)
SHADE = colors.HexColor("#f1f3f5")
# The built-in Chinese font has no glyph for U+00B7 "·"; its CJK twin U+30FB looks the same.
_GLYPH_SUBSTITUTES = str.maketrans({"\u00b7": "\u30fb"})


def paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    """User text as a Paragraph: markup escaped so "<b>" or "&" print literally, lines kept."""
    return Paragraph(escape(text).replace("\n", "<br/>").translate(_GLYPH_SUBSTITUTES), style)


def grid_table(
    rows: Iterable[list], widths: list[float], *, shade: tuple = ((0, 0), (-1, 0)), **options
) -> Table:
    """A bordered table with one shaded band (default: the header row)."""
    table = Table(list(rows), colWidths=widths, **options)
    table.setStyle(GRID)
    table.setStyle(TableStyle([("BACKGROUND", shade[0], shade[1], SHADE)]))
    return table


def a4_pdf(story: list, *, title: str, author: str, compress: bool = True, **options) -> bytes:
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
