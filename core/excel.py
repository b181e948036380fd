"""Workbooks that look like what an experienced bureau clerk makes by hand.

One column spec drives the header, widths and number formats; rows stream through openpyxl's
write-only mode so memory stays flat however many rows there are. Every string is guarded
against formula injection.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable, Iterable
from copy import copy
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
PERCENT_FORMAT = "0.0%"

_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_HIGHLIGHT_FILL = PatternFill("solid", fgColor="FDE2E1")
_TITLE_FONT = Font(name="宋体", size=14, bold=True)
_HEADER_FONT = Font(name="宋体", size=11, bold=True)
_BODY_FONT = Font(name="宋体", size=10)


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def guard_cell(cell):
    """Make a cell whose text looks like a formula plain text: Excel and WPS show it as typed
    and never evaluate it (the cell keeps its exact value; the style carries quotePrefix)."""
    if is_formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def text_cell(ws, value):
    return guard_cell(WriteOnlyCell(ws, value=value))


def display_width(text: str) -> int:
    """Width in Excel character units: a CJK character takes two."""
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


@dataclass
class Column:
    header: str
    value: Callable[[Any], Any]
    width: int | None = None  # characters; None = fit the header and the first rows
    kind: str = "text"  # text | int | date | datetime | percent | decimal
    wrap: bool = False


@dataclass
class Sheet:
    title: str
    columns: list[Column]
    rows: Iterable[Any]
    highlight: Callable[[Any], bool] | None = None
    subtitle: str = ""
    row_count: int = field(default=0, init=False)


def _styled_cell(ws, column: Column, *, highlight: bool):
    cell = WriteOnlyCell(ws)
    cell.font = _BODY_FONT
    cell.border = _BORDER
    if column.kind == "date":
        cell.number_format = DATE_FORMAT
    elif column.kind == "datetime":
        cell.number_format = DATETIME_FORMAT
    elif column.kind == "percent":
        cell.number_format = PERCENT_FORMAT
    elif column.kind == "decimal":
        cell.number_format = "#,##0.00"
    if column.wrap:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    if highlight:
        cell.fill = _HIGHLIGHT_FILL
    return cell


def _cell(ws, value, column: Column, *, highlight: bool, styles: dict | None = None):
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, Decimal):
        value = float(value)
    if styles is None:
        styles = {}
    # Setting font/border/... on every cell makes openpyxl hash the style objects each time
    # (about 1 ms a cell); build each column's style once and copy its small index array.
    key = (id(column), highlight)
    if key not in styles:
        styles[key] = _styled_cell(ws, column, highlight=highlight)._style
    cell = WriteOnlyCell(ws, value=value)
    auto_format = cell.number_format
    cell._style = copy(styles[key])
    if cell.is_date and column.kind not in ("date", "datetime"):
        cell.number_format = auto_format  # a date in a text column still shows as a date
    return guard_cell(cell)


def write_sheet(
    wb: Workbook, sheet: Sheet, *, report_title: str, scope: str, period: str, as_of: str = ""
) -> int:
    """Append one formatted sheet to a write-only workbook; returns the number of data rows.
    `as_of` is the statement of the instant the figures are as of ("数据截至 …"), printed in the
    title area of every sheet."""
    ws = wb.create_sheet(title=sheet.title[:31])
    ncols = max(len(sheet.columns), 1)
    last_col = get_column_letter(ncols)
    widths = [
        column.width or min(max(display_width(column.header) + 4, 10), 60)
        for column in sheet.columns
    ]
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width

    # Write-only sheets emit their views and page setup with the first row: set them first.
    header_row = 4 if sheet.subtitle else 3
    ws.freeze_panes = f"A{header_row + 1}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True

    title = text_cell(ws, report_title)
    title.font = _TITLE_FONT
    ws.append([title])
    generated = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    line = _("范围:%(scope)s    期间:%(period)s    生成时间:%(generated)s") % {
        "scope": scope,
        "period": period,
        "generated": generated,
    }
    if as_of:
        line = f"{line}    {as_of}"
    meta = text_cell(ws, line)
    meta.font = _BODY_FONT
    ws.append([meta])
    if sheet.subtitle:
        ws.append([text_cell(ws, sheet.subtitle)])
    headers = []
    for column in sheet.columns:
        cell = text_cell(ws, column.header)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        headers.append(cell)
    ws.append(headers)

    count = 0
    styles: dict = {}
    for row in sheet.rows:
        highlight = bool(sheet.highlight and sheet.highlight(row))
        ws.append(
            [
                _cell(ws, column.value(row), column, highlight=highlight, styles=styles)
                for column in sheet.columns
            ]
        )
        count += 1
    ws.auto_filter.ref = f"A{header_row}:{last_col}{header_row + max(count, 1)}"
    sheet.row_count = count
    return count


def build_workbook(
    sheets: list[Sheet], *, report_title: str, scope: str, period: str, path: str, as_of: str = ""
) -> int:
    """Write the workbook to `path` (a temporary name: the caller moves it into place)."""
    wb = Workbook(write_only=True)
    total = 0
    for sheet in sheets:
        total += write_sheet(
            wb, sheet, report_title=report_title, scope=scope, period=period, as_of=as_of
        )
    wb.save(path)
    return total


def workbook_bytes(sheets: list[Sheet], *, report_title: str, scope: str, period: str) -> bytes:
    """Small workbooks for direct download."""
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        build_workbook(sheets, report_title=report_title, scope=scope, period=period, path=path)
        with open(path, "rb") as handle:
            return handle.read()
    finally:
        os.unlink(path)
