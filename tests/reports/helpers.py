from __future__ import annotations

import io

import openpyxl


def load(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content))


def header_row(ws) -> int:
    """The header is the row above the frozen panes (title, scope/period, subtitle come first)."""
    return int(ws.freeze_panes[1:]) - 1


def table(ws) -> tuple[list, list[tuple]]:
    """(headers, data rows) of a report sheet."""
    rows = list(ws.iter_rows(values_only=True))
    hr = header_row(ws)
    headers = list(rows[hr - 1])
    data = [row for row in rows[hr:] if any(cell is not None for cell in row)]
    return headers, data


def as_dicts(ws) -> list[dict]:
    headers, data = table(ws)
    return [dict(zip(headers, row, strict=False)) for row in data]
