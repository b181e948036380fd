"""What every printable PDF shares: the Chinese font, the table grid, and user text made safe.

reportlab's built-in Adobe CID font STSong-Light prints Chinese without shipping a font file.
"""

from __future__ import annotations

from collections.abc import Iterable
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, Table, TableStyle

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
