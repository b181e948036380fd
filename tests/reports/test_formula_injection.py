from __future__ import annotations

import datetime as dt

import pytest

from reports.choices import ReportType
from reports.periods import Period
from reports.scope import ReportScope
from reports.services import build_report_bytes
from tests.reports.factories import make_hazard
from tests.reports.helpers import header_row, load

pytestmark = pytest.mark.django_db

PAYLOADS = [
    '=HYPERLINK("http://evil.example/","点我")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
    "\t=1+1",
    "\r=1+1",
]


def test_cells_that_look_like_formulas_stay_text(on_report_day, hospital_a, officer_a, county):
    for index, payload in enumerate(PAYLOADS):
        make_hazard(
            hospital=hospital_a,
            found_by=officer_a,
            found_on=dt.date(2026, 9, 1) + dt.timedelta(days=index),
            description=payload,
            location=payload,
        )
    content, rows = build_report_bytes(
        ReportType.HAZARD_LEDGER,
        ReportScope(region=county, period=Period.parse("2026-Q3")),
    )
    assert rows == len(PAYLOADS)
    wb = load(content)
    ws = wb["隐患台账"]
    headers = [c.value for c in ws[header_row(ws)]]
    col = headers.index("隐患描述") + 1
    seen = []
    for r in range(header_row(ws) + 1, ws.max_row + 1):
        cell = ws.cell(row=r, column=col)
        if cell.value is None:
            continue
        assert cell.data_type == "s", cell.value
        assert cell.quotePrefix, cell.value
        seen.append(cell.value.replace("\r", "\n"))
    # (XML parsers without lxml read a stored CR back as LF; the cell is still plain text.)
    assert sorted(seen) == sorted(p.replace("\r", "\n") for p in PAYLOADS)
    # Nothing in the file is stored as a formula.
    assert not any(
        cell.data_type == "f" for row in ws.iter_rows() for cell in row if cell.value is not None
    )
