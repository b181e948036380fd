import datetime as dt

import pytest
from openpyxl import load_workbook

from core.excel import Column, Sheet, build_workbook
from core.http import content_disposition

DANGEROUS = ["=1+2", "+SUM(A1)", "-2+3", "@cmd", "\tTAB", "\rCR", "=cmd|' /C calc'!A0"]


def test_formula_like_text_is_stored_as_text(tmp_path):
    path = tmp_path / "x.xlsx"
    rows = [{"text": value, "day": dt.date(2026, 1, 2), "rate": 0.5} for value in DANGEROUS]
    columns = [
        Column("隐患描述", lambda r: r["text"]),
        Column("排查时间", lambda r: r["day"], kind="date"),
        Column("整改率", lambda r: r["rate"], kind="percent"),
    ]
    count = build_workbook(
        [Sheet("台账", columns, rows)],
        report_title="测试",
        scope="晋江市",
        period="2026",
        path=path,
    )
    assert count == len(DANGEROUS)
    ws = load_workbook(path)["台账"]
    data = list(ws.iter_rows(min_row=4, max_row=3 + len(DANGEROUS)))
    # Without lxml, XML stores a carriage return as a line feed (with lxml, which python-cas
    # brings, it survives); what matters is that it stays text.
    assert [row[0].value.replace("\r", "\n") for row in data] == [
        v.replace("\r", "\n") for v in DANGEROUS
    ]
    assert all(row[0].data_type == "s" for row in data)
    assert all(row[0].quotePrefix for row in data)
    assert data[0][1].is_date and data[0][1].number_format == "yyyy-mm-dd"
    assert data[0][2].number_format == "0.0%"
    assert ws.freeze_panes == "A4"
    assert ws.auto_filter.ref == f"A3:C{3 + len(DANGEROUS)}"
    # Three narrow columns fit an A4 portrait page at 100%.
    assert ws.page_setup.orientation == "portrait" and ws.page_setup.paperSize == 9


@pytest.mark.parametrize("inline", [False, True])
def test_content_disposition_keeps_chinese_file_names(inline):
    value = content_disposition("2026年第3季度安全生产报表-晋江市.xlsx", inline=inline)
    assert value.startswith("inline;" if inline else "attachment;")
    assert "filename*=UTF-8''2026%E5%B9%B4" in value
    # Without an explicit fallback the plain filename keeps the name's ASCII runs.
    assert 'filename="download_2026_3.xlsx"' in value
    explicit = content_disposition(
        "2026年第三季度隐患台账-晋江市.xlsx", fallback="ledger_JJ_2026Q3.xlsx"
    )
    assert 'filename="ledger_JJ_2026Q3.xlsx"' in explicit
    assert content_disposition("ledger.xlsx") == (
        "attachment; filename=\"ledger.xlsx\"; filename*=UTF-8''ledger.xlsx"
    )


def test_ascii_filename_keeps_type_scope_and_period():
    from core.http import ascii_filename

    assert ascii_filename("ledger", "JJ", "2026Q3", ext=".xlsx") == "ledger_JJ_2026Q3.xlsx"
    assert ascii_filename("ledger", "晋江", "", "20260701-20260930", ext=".xlsx") == (
        "ledger_20260701-20260930.xlsx"
    )
    assert ascii_filename("晋江", ext=".pdf") == "download.pdf"
