from __future__ import annotations

import io

import openpyxl


def load(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content))


def header_row(ws) -> int:
    """The header is the row above the frozen panes (title, scope/period, subtitle come first)."""
    return int(ws.freeze_panes[1:]) - 1


def table(ws, *, totals: bool = True) -> tuple[list, list[tuple]]:
    """(headers, data rows) of a report sheet: the rows from the header down to the first empty
    row (notes and the sign-off block follow it); `totals=False` leaves the 合计 row out."""
    rows = list(ws.iter_rows(values_only=True))
    hr = header_row(ws)
    headers = list(rows[hr - 1])
    data = []
    for row in rows[hr:]:
        if all(cell is None for cell in row):
            break
        data.append(row)
    if not totals and data and data[-1][0] == "合计":
        data.pop()
    return headers, data


def as_dicts(ws, *, totals: bool = False) -> list[dict]:
    headers, data = table(ws, totals=totals)
    return [dict(zip(headers, row, strict=False)) for row in data]
