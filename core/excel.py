"""Workbooks that look like what an experienced bureau clerk makes by hand, and print as one.

One column spec drives the header, widths and number formats; rows stream through openpyxl's
write-only mode so memory stays flat however many rows there are. Every string is guarded
against formula injection.

Every sheet prints: paper and orientation chosen per sheet (A4 portrait, A4 landscape or A3
landscape, whichever keeps the fitted scale at or above `Sheet.min_scale`), fitted to the page
width (fitToHeight=0: as many pages down as needed), the header row repeated on every page,
page numbers "第 &P 页 共 &N 页" in the footer, a merged centred title, the scope/period/as-of
line, an optional totals row and the sign-off block (填报单位(盖章)/填报人/审核人/联系电话/填报日期).
Headers wrap inside their cells with explicit row heights (LibreOffice does not autofit them).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from copy import copy
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL = ILLEGAL_CHARACTERS_RE.search
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
PERCENT_FORMAT = "0.0%"
MONEY_FORMAT = '"¥"#,##0.00'
DECIMAL_FORMAT = "#,##0.00"
INT_FORMAT = "#,##0"
PAGE_FOOTER = "第 &P 页 共 &N 页"  # &P: this page, &N: pages in all


def page_footer() -> str:
    return _("第 &P 页 共 &N 页")


# Paper (openpyxl paperSize codes) and the printable width in inches at the margins below.
PAPER_SIZES = {"A4": "9", "A3": "8"}
_PAPER_INCHES = {"A4": (8.27, 11.69), "A3": (11.69, 16.54)}
MARGINS = {"left": 0.4, "right": 0.4, "top": 0.6, "bottom": 0.6, "header": 0.3, "footer": 0.3}
DEFAULT_MIN_SCALE = 0.7
# (paper, orientation) tried in this order: the first that fits at 100% or, failing that, the
# first at or above the sheet's minimum scale.
_LAYOUTS = (("A4", "portrait"), ("A4", "landscape"), ("A3", "landscape"))

_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_TOTAL_BORDER = Border(left=_THIN, right=_THIN, top=Side(style="medium"), bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
_HIGHLIGHT_FILL = PatternFill("solid", fgColor="FDE2E1")
_TITLE_FONT = Font(name="宋体", size=16, bold=True)
_META_FONT = Font(name="宋体", size=10)
_HEADER_FONT = Font(name="宋体", size=11, bold=True)
_BODY_FONT = Font(name="宋体", size=10)
_TOTAL_FONT = Font(name="宋体", size=10, bold=True)
_LINK_FONT = Font(name="宋体", size=10, color="0563C1", underline="single")
_SIGN_FONT = Font(name="宋体", size=11)

_LINE_POINTS = 13.5  # one line of 10 pt body text
MAX_ROW_LINES = 30  # Excel's highest row is 409 pt
_HEADER_LINE_POINTS = 15.0  # one line of 11 pt header text


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def guard_cell(cell: Any) -> Any:
    """Make a cell whose text looks like a formula plain text: Excel and WPS show it as typed
    and never evaluate it (the cell keeps its exact value; the style carries quotePrefix)."""
    if is_formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def text_cell(ws: Any, value: object) -> Any:
    return guard_cell(WriteOnlyCell(ws, value=value))


def display_width(text: str) -> int:
    """Width in Excel character units: a CJK character takes two."""
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


def wrapped_lines(text: str, width: int) -> int:
    """Lines `text` takes in a wrapping cell `width` characters wide."""
    usable = max(width - 1, 1)
    return sum(max(1, math.ceil(display_width(line) / usable)) for line in text.split("\n"))


@dataclass
class Column:
    header: str
    value: Callable[[Any], Any]
    width: int | None = None  # characters; None = fit the header
    # text | int | date | datetime | percent | decimal | money | link (a `Link`) | image (bytes)
    kind: str = "text"
    wrap: bool = False
    # Totals row: "sum" adds the column's numbers, "count" counts its non-empty cells, a
    # callable gets {column key: sum} of the summed columns (e.g. a rate from two sums).
    total: str | Callable[[dict], Any] | None = None
    key: str = ""  # the name totals callables read; defaults to the header

    @property
    def name(self) -> str:
        return self.key or self.header

    @property
    def char_width(self) -> int:
        return self.width or min(max(display_width(self.header) + 4, 10), 60)


@dataclass
class Link:
    """A `link` column's value: the text shown and the address it opens."""

    text: str
    url: str

    @property
    def formula(self) -> str:
        def quoted(text: str) -> str:
            return '"' + text.replace('"', '""') + '"'

        return f"=HYPERLINK({quoted(self.url)},{quoted(self.text)})"


@dataclass
class Sheet:
    title: str
    columns: list[Column]
    rows: Iterable[Any]
    highlight: Callable[[Any], bool] | None = None
    subtitle: str = ""
    # Printing. `paper`/`orientation` empty = the first layout of _LAYOUTS whose fitted scale
    # is at least `min_scale` (A4 where it fits, A3 landscape for the widest sheets).
    paper: str = ""
    orientation: str = ""
    min_scale: float = DEFAULT_MIN_SCALE
    # An explicit totals row (values aligned with the columns); else one computed from the
    # columns' `total` while the rows stream, when any column has one.
    totals: Sequence[Any] | None = None
    totals_label: str = ""  # default "合计"
    sign_off: bool = True  # the 填报单位(盖章)/填报人/审核人/联系电话/填报日期 block
    notes: Sequence[str] = ()  # lines printed under the table (definitions, sources)
    row_count: int = field(default=0, init=False)

    @property
    def content_inches(self) -> float:
        """Width of the columns in inches (Excel: a character is 7 px + 5 px padding, 96 dpi)."""
        return sum(column.char_width * 7 + 5 for column in self.columns) / 96

    def fitted_scale(self, paper: str, orientation: str) -> float:
        """The scale fit-to-width prints this sheet at on `paper` (1.0 when it fits as is)."""
        short, long = _PAPER_INCHES[paper]
        page = long if orientation == "landscape" else short
        printable = page - MARGINS["left"] - MARGINS["right"]
        return min(1.0, printable / max(self.content_inches, 0.01))

    def layout(self) -> tuple[str, str]:
        """(paper, orientation) this sheet prints on."""
        if self.paper:
            return self.paper, self.orientation or "landscape"
        for paper, orientation in _LAYOUTS:
            if self.fitted_scale(paper, orientation) >= 1.0:
                return paper, orientation
        for paper, orientation in _LAYOUTS:
            if self.fitted_scale(paper, orientation) >= self.min_scale:
                return paper, orientation
        return _LAYOUTS[-1]

    @property
    def scale(self) -> float:
        return self.fitted_scale(*self.layout())


def _style(ws: Any, column: Column, *, highlight: bool = False, total: bool = False) -> Any:
    cell = WriteOnlyCell(ws)
    cell.font = _TOTAL_FONT if total else (_LINK_FONT if column.kind == "link" else _BODY_FONT)
    cell.border = _TOTAL_BORDER if total else _BORDER
    if column.kind == "date":
        cell.number_format = DATE_FORMAT
    elif column.kind == "datetime":
        cell.number_format = DATETIME_FORMAT
    elif column.kind == "percent":
        cell.number_format = PERCENT_FORMAT
    elif column.kind == "decimal":
        cell.number_format = DECIMAL_FORMAT
    elif column.kind == "money":
        cell.number_format = MONEY_FORMAT
    elif column.kind == "int":
        cell.number_format = INT_FORMAT
    if column.wrap:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    else:
        cell.alignment = Alignment(vertical="top")
    if total:
        cell.fill = _TOTAL_FILL
    elif highlight:
        cell.fill = _HIGHLIGHT_FILL
    return cell


class _TemplateCell(Cell):
    """A reusable, pre-styled data cell whose style id is looked up once (openpyxl otherwise
    hashes the style array of every styled cell it writes)."""

    __slots__ = ("_style_id",)

    @property
    def style_id(self) -> int:
        return self._style_id


def _template(ws: Any, styled: Any) -> _TemplateCell:
    cell = _TemplateCell(ws, row=1, column=1)
    cell._style = copy(styled._style)
    cell._style_id = ws.parent._cell_styles.add(cell._style)
    return cell


def _plain(value: object) -> object:
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, Decimal):
        return float(value)
    return value


def _cells_to_row(cells: Iterable[Any], row_idx: int) -> Iterator[Any]:
    """Replaces the write-only sheet's `_values_to_row` (openpyxl 3.1, pinned): rows are
    appended as lists of cells we made (one reusable, pre-styled cell per column), so openpyxl
    neither re-binds each value nor makes a new cell per value. The row is written before
    `append` returns, so the cells can take the next row's values."""
    for col_idx, cell in enumerate(cells, 1):
        if cell is None:
            continue
        cell.column = col_idx
        cell.row = row_idx
        yield cell


class _RowWriter:
    """Writes data rows with one pre-styled cell per column and style (plain, highlighted)."""

    def __init__(self, ws: Any, columns: list[Column]) -> None:
        self.ws = ws
        self.columns = columns
        self.plain = [_template(ws, _style(ws, c)) for c in columns]
        self.marked = [_template(ws, _style(ws, c, highlight=True)) for c in columns]
        self.kinds = [c.kind for c in columns]
        self.getters = [c.value for c in columns]
        self.wrapped = [(i, c.char_width) for i, c in enumerate(columns) if c.wrap]
        self.summed = [(i, c.name) for i, c in enumerate(columns) if c.total]
        self.sums: dict[str, float] = {c.name: 0 for c in columns if c.total}
        self.counts: dict[str, int] = {c.name: 0 for c in columns if c.total}

    def _fresh(self, template: Any) -> Any:
        cell = WriteOnlyCell(self.ws)
        cell._style = copy(template._style)
        return cell

    def _embed(self, data: bytes, index: int, row_idx: int) -> int:
        """Anchor the picture `data` on the cell; returns the row height it needs, in lines."""

        image = Image(io.BytesIO(data))
        image.anchor = f"{get_column_letter(index + 1)}{row_idx}"
        self.ws.add_image(image)
        return math.ceil((image.height * 0.75 + 6) / _LINE_POINTS)

    def write(self, row: Any, row_idx: int, *, highlight: bool) -> None:
        """Write one row. The common value types are bound straight onto the reused cells
        (what openpyxl's `Cell.value` setter does, minus its type dispatch); everything else
        goes through the setter."""
        templates = self.marked if highlight else self.plain
        cells: list[Any] = []
        append = cells.append
        kinds = self.kinds
        lines = 1
        for index, getter in enumerate(self.getters):
            value = getter(row)
            if value is None or value == "":
                if not highlight:
                    # Like a bare tuple: an empty cell is not written (its neighbours' borders
                    # frame it); highlighted rows keep their fill across.
                    append(None)
                    continue
                value = None
            cell = templates[index]
            kind = kinds[index]
            kind_of = type(value)
            if kind_of is str:
                if value.startswith(FORMULA_TRIGGERS):
                    cell = self._fresh(cell)
                    cell.value = value
                    guard_cell(cell)
                else:
                    if _ILLEGAL(value):
                        value = ILLEGAL_CHARACTERS_RE.sub("", value)
                    cell._value = value[:32767]
                    cell.data_type = "s"
            elif kind_of is int or kind_of is float:
                cell._value = value
                cell.data_type = "n"
            elif kind_of is dt.date and kind == "date":
                cell._value = value
                cell.data_type = "d"
            elif kind == "link":
                # A HYPERLINK formula rather than a cell hyperlink: openpyxl keeps every cell
                # hyperlink in memory until the sheet closes; a formula is written and gone.
                if value:
                    cell._value = value.formula
                    cell.data_type = "f"
                else:
                    cell.value = None
            elif kind == "image":
                # Embedded picture anchored on this cell (small thumbnails only: openpyxl keeps
                # them in memory until the workbook is saved).
                cell.value = None
                if value:
                    lines = max(lines, self._embed(value, index, row_idx))
            else:
                value = _plain(value)
                if kind in ("text", "int") and isinstance(value, dt.date):
                    cell = self._fresh(cell)  # a date in a text column still shows as a date
                cell.value = value
            append(cell)
        for index, width in self.wrapped:
            cell = cells[index]
            if cell is None:
                continue
            text = cell._value
            if type(text) is str and len(text) * 2 > width - 1:
                # Cheap estimate (no per-character scan): CJK text takes 2 units a character.
                estimate = text.count("\n") + math.ceil(2 * len(text) / max(width - 1, 1))
                if estimate > lines:
                    lines = estimate
        for index, name in self.summed:
            cell = cells[index]
            if cell is None or cell._value is None:
                continue
            value = cell._value
            self.counts[name] += 1
            if type(value) is int or type(value) is float:
                self.sums[name] += value
        dims = self.ws.row_dimensions
        if lines > 1:
            # A plain dict: the writer only reads its items (a RowDimension costs far more).
            height = min(lines, MAX_ROW_LINES) * _LINE_POINTS
            dims[row_idx] = {"ht": f"{height}", "customHeight": "1"}
        self.ws.append(cells)
        if lines > 1:
            del dims[row_idx]  # written: keep memory flat

    def totals(self) -> list[float | None]:
        result: list[float | None] = []
        for column in self.columns:
            if column.total == "sum":
                result.append(self.sums[column.name])
            elif column.total == "count":
                result.append(self.counts[column.name])
            elif callable(column.total):
                result.append(column.total(dict(self.sums)))
            else:
                result.append(None)
        return result


def _merged_row(
    ws: Any,
    row_idx: int,
    ncols: int,
    value: object,
    *,
    font: Any,
    alignment: Any,
    height: float | None = None,
) -> None:
    cell = text_cell(ws, value)
    cell.font = font
    cell.alignment = alignment
    if height:
        ws.row_dimensions[row_idx].height = height
    if ncols > 1:
        ws.merged_cells.add(f"A{row_idx}:{get_column_letter(ncols)}{row_idx}")
    ws.append([cell])


def sign_off_items() -> list[str]:
    return [
        _("填报单位(盖章):"),
        _("填报人:"),
        _("审核人:"),
        _("联系电话:"),
        _("填报日期:    年  月  日"),
    ]


def _sign_off(ws: Any, row_idx: int, ncols: int) -> int:
    """The sign-off block from `row_idx`: a blank row, then the five items spread over the
    columns (three on the first line, two on the second; one a line on narrow sheets).
    Returns the next free row."""
    ws.append([])
    row_idx += 1
    items = sign_off_items()
    per_row = 3 if ncols >= 6 else (2 if ncols >= 3 else 1)
    lines = [items[:per_row], items[per_row:]] if per_row == 3 else []
    if not lines:
        lines = [items[i : i + per_row] for i in range(0, len(items), per_row)]
    for line in lines:
        cells = []
        span = max(ncols // len(line), 1)
        start = 1
        for position, text in enumerate(line):
            end = ncols if position == len(line) - 1 else min(start + span - 1, ncols)
            cell = text_cell(ws, text)
            cell.font = _SIGN_FONT
            cell.alignment = Alignment(vertical="center")
            cells.append(cell)
            cells.extend([None] * (end - start))
            if end > start:
                ws.merged_cells.add(
                    f"{get_column_letter(start)}{row_idx}:{get_column_letter(end)}{row_idx}"
                )
            start = end + 1
        ws.row_dimensions[row_idx].height = 28
        ws.append(cells)
        row_idx += 1
    return row_idx


def write_sheet(
    wb: Workbook, sheet: Sheet, *, report_title: str, scope: str, period: str, as_of: str = ""
) -> int:
    """Append one formatted sheet to a write-only workbook; returns the number of data rows.
    `as_of` is the statement of the instant the figures are as of ("数据截至 …"), printed in the
    title area of every sheet."""
    ws = wb.create_sheet(title=sheet.title[:31])
    ws._values_to_row = _cells_to_row
    ncols = max(len(sheet.columns), 1)
    last_col = get_column_letter(ncols)
    for index, column in enumerate(sheet.columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.char_width

    # Write-only sheets emit their views and page setup with the first row: set them first.
    header_row = 4 if sheet.subtitle else 3
    ws.freeze_panes = f"A{header_row + 1}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    paper, orientation = sheet.layout()
    ws.page_setup.orientation = orientation
    ws.page_setup.paperSize = PAPER_SIZES[paper]
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins = PageMargins(**MARGINS)
    ws.oddFooter.center.text = page_footer()
    ws.oddFooter.center.size = 9
    ws.evenFooter.center.text = page_footer()
    ws.oddHeader.right.text = "&A"  # the sheet's name
    ws.oddHeader.right.size = 9

    _merged_row(
        ws,
        1,
        ncols,
        report_title,
        font=_TITLE_FONT,
        alignment=Alignment(horizontal="center", vertical="center"),
        height=30,
    )
    generated = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    line = _("范围:%(scope)s    期间:%(period)s    生成时间:%(generated)s") % {
        "scope": scope,
        "period": period,
        "generated": generated,
    }
    if as_of:
        line = f"{line}    {as_of}"
    _merged_row(
        ws,
        2,
        ncols,
        line,
        font=_META_FONT,
        alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
        height=_LINE_POINTS * wrapped_lines(line, sum(c.char_width for c in sheet.columns)) + 4,
    )
    if sheet.subtitle:
        _merged_row(
            ws,
            3,
            ncols,
            sheet.subtitle,
            font=_META_FONT,
            alignment=Alignment(horizontal="left", vertical="center", wrap_text=True),
            height=_LINE_POINTS
            * wrapped_lines(sheet.subtitle, sum(c.char_width for c in sheet.columns))
            + 4,
        )
    headers = []
    header_lines = 1
    for column in sheet.columns:
        cell = text_cell(ws, column.header)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        headers.append(cell)
        # Bold 11 pt headers are wider than 10 pt body text: count a little more per line.
        header_lines = max(header_lines, wrapped_lines(column.header, column.char_width - 1))
    ws.row_dimensions[header_row].height = header_lines * _HEADER_LINE_POINTS + 6
    ws.append(headers)

    writer = _RowWriter(ws, sheet.columns)
    count = 0
    highlight = sheet.highlight
    row_idx = header_row + 1
    for row in sheet.rows:
        writer.write(row, row_idx, highlight=bool(highlight and highlight(row)))
        row_idx += 1
        count += 1
    ws.auto_filter.ref = f"A{header_row}:{last_col}{header_row + max(count, 1)}"

    totals = sheet.totals
    if totals is None and any(column.total for column in sheet.columns):
        totals = writer.totals()
    if totals is not None:
        totals = list(totals)
        if totals and totals[0] in (None, ""):
            totals[0] = sheet.totals_label or _("合计")
        cells = []
        for column, value in zip(sheet.columns, totals, strict=False):
            cell = WriteOnlyCell(ws)
            # A count under a date or link column is a number, not a date or a link.
            shown = Column(column.header, column.value, column.width, "int", column.wrap)
            styled = shown if column.total == "count" or column.kind == "link" else column
            cell._style = copy(_style(ws, styled, total=True)._style)
            cell.value = _plain(value)
            cells.append(guard_cell(cell))
        ws.row_dimensions[row_idx].height = _LINE_POINTS + 4
        ws.append(cells)
        row_idx += 1
    if sheet.notes:
        ws.append([])
        row_idx += 1
    for note in sheet.notes:
        _merged_row(
            ws,
            row_idx,
            ncols,
            note,
            font=_META_FONT,
            alignment=Alignment(horizontal="left", vertical="top", wrap_text=True),
            height=_LINE_POINTS * wrapped_lines(note, sum(c.char_width for c in sheet.columns)) + 4,
        )
        row_idx += 1
    if sheet.sign_off:
        row_idx = _sign_off(ws, row_idx, ncols)
    ws.print_area = f"A1:{last_col}{row_idx - 1}"
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


def workbook_bytes(
    sheets: list[Sheet], *, report_title: str, scope: str, period: str, as_of: str = ""
) -> bytes:
    """Small workbooks for direct download."""
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        build_workbook(
            sheets, report_title=report_title, scope=scope, period=period, path=path, as_of=as_of
        )
        with open(path, "rb") as handle:
            return handle.read()
    finally:
        os.unlink(path)
