"""Every report type prints as a bureau sends it up: page set-up read back with openpyxl, then the
workbook converted to PDF by LibreOffice headless and read with poppler (pdftotext, pdfinfo)."""

from __future__ import annotations

import re
import subprocess
from decimal import Decimal

import pytest
from django.db.models import Sum
from openpyxl.utils import get_column_letter

from core.excel import PAGE_FOOTER
from hazards.models import Hazard
from reports.choices import ReportType
from reports.periods import Period
from reports.scope import ReportScope
from reports.services import build_report_bytes, plan_report
from tests.reports.helpers import header_row, load, table

pytestmark = pytest.mark.django_db

PERIODS = {
    ReportType.HAZARD_LEDGER: "2026-Q3",
    ReportType.INSPECTION_MONTH: "2026-09",
    ReportType.QUARTERLY: "2026-Q3",
    ReportType.SECURITY_HALF_YEAR: "2026-H2",
    ReportType.PROGRESS: "2026-09",
}
SIGN_OFF = ("填报单位(盖章)", "填报人", "审核人", "联系电话", "填报日期")
# A figure or name each report must show (beyond its title and the sign-off block).
KNOWN = {
    ReportType.HAZARD_LEDGER: "晋江市医院",
    ReportType.INSPECTION_MONTH: "晋江市安海卫生院",
    ReportType.QUARTERLY: "60.0%",  # 晋江市: 3 of 5 rectified
    ReportType.SECURITY_HALF_YEAR: "晋江市医院",
    ReportType.PROGRESS: "新发现隐患(条)",
}
A3 = 8
A4 = 9


def _scope(report_type, county):
    return ReportScope(region=county, period=Period.parse(PERIODS.get(report_type, "2026-Q3")))


def _sheet_rows(ws) -> list[tuple]:
    return list(ws.iter_rows(values_only=True))


def _sign_off_texts(ws) -> str:
    hr = header_row(ws)
    return " ".join(
        str(cell) for row in _sheet_rows(ws)[hr:] for cell in row if isinstance(cell, str)
    )


@pytest.fixture
def everything(inspection_scenario):
    return inspection_scenario


@pytest.mark.parametrize("report_type", list(ReportType))
def test_every_report_type_has_the_print_set_up_title_and_sign_off(everything, county, report_type):
    scope = _scope(report_type, county)
    plan = plan_report(report_type, scope)
    content, _rows = build_report_bytes(report_type, scope)
    wb = load(content)
    assert wb.sheetnames == [sheet.title[:31] for sheet in plan.sheets]
    for sheet, ws in zip(plan.sheets, wb.worksheets, strict=True):
        where = f"{report_type}/{ws.title}"
        setup = ws.page_setup
        assert setup.paperSize in (A3, A4), where
        assert setup.orientation in ("portrait", "landscape"), where
        assert ws.sheet_properties.pageSetUpPr.fitToPage, where
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0), where
        # Fitted to the page width, never smaller than the layout's minimum (~70%).
        assert sheet.scale >= sheet.min_scale >= 0.7, where
        hr = header_row(ws)
        assert ws.print_title_rows == f"${hr}:${hr}", where
        assert ws.oddFooter.center.text == PAGE_FOOTER == "第 &P 页 共 &N 页", where
        assert ws.page_margins.left == pytest.approx(0.4), where
        # Merged, centred title over every column; the scope/period/as-of line under it.
        last = ws.max_column
        merged = {str(r) for r in ws.merged_cells.ranges}
        if last > 1:
            assert f"A1:{get_column_letter(last)}1" in merged, where
        assert ws["A1"].value == plan.title, where
        assert ws["A1"].alignment.horizontal == "center", where
        assert "范围:晋江市" in ws["A2"].value and "数据截至" in ws["A2"].value, where
        # Headers wrap inside their cells and their row has an explicit height.
        assert ws.cell(row=hr, column=1).alignment.wrap_text, where
        assert ws.row_dimensions[hr].height and ws.row_dimensions[hr].height >= 21, where
        signed = _sign_off_texts(ws)
        for item in SIGN_OFF:
            assert item in signed, (where, item)


def test_long_headers_get_taller_header_rows(everything, county):
    scope = _scope(ReportType.SECURITY_HALF_YEAR, county)
    wb = load(build_report_bytes(ReportType.SECURITY_HALF_YEAR, scope)[0])
    ws = wb["4+N 进展"]
    hr = header_row(ws)
    headers = [cell.value for cell in ws[hr]]
    assert "3. 人脸识别和一键报警" in headers
    # Two lines at least: the header wraps inside its 14-character cell instead of overflowing.
    assert ws.row_dimensions[hr].height >= 2 * 15
    progress = load(
        build_report_bytes(
            ReportType.PROGRESS, ReportScope(region=county, period=Period.parse("2026-W40"))
        )[0]
    )["主要指标"]
    hr = header_row(progress)
    assert progress.cell(row=hr, column=2).value.startswith("本期(2026年第40周")
    assert progress.row_dimensions[hr].height >= 2 * 15


def test_ledger_prints_on_a3_landscape_with_a_totals_row(everything, county):
    scope = _scope(ReportType.HAZARD_LEDGER, county)
    wb = load(build_report_bytes(ReportType.HAZARD_LEDGER, scope)[0])
    ws = wb["隐患台账"]
    assert (ws.page_setup.paperSize, ws.page_setup.orientation) == (A3, "landscape")
    headers, data = table(ws)
    totals = dict(zip(headers, data[-1], strict=False))
    assert totals["序号"] == "合计"
    period = Hazard.objects.filter(
        hospital__region=county, found_on__gte=scope.period.start, found_on__lte=scope.period.end
    )
    funds = period.aggregate(total=Sum("funds"))["total"] or Decimal(0)
    assert totals["资金(元)"] == pytest.approx(float(funds))
    assert totals["销号日期"] == period.filter(closed_on__lte=scope.period.end).count()
    money = ws.cell(row=header_row(ws) + len(data), column=headers.index("资金(元)") + 1)
    assert money.number_format == '"¥"#,##0.00'


def test_inspection_month_has_totals_and_the_published_headline(everything, county):
    scope = _scope(ReportType.INSPECTION_MONTH, county)
    wb = load(build_report_bytes(ReportType.INSPECTION_MONTH, scope)[0])
    ws = wb["检查日汇总"]
    headers, data = table(ws)
    rows = [dict(zip(headers, row, strict=False)) for row in data]
    total = rows[-1]
    assert total["月份"] == "合计"
    lines = rows[:-1]
    assert total["发现隐患"] == sum(r["发现隐患"] for r in lines) == 2
    assert total["已整改"] == sum(r["已整改"] for r in lines) == 1  # h3 (立查立改)
    assert total["整改率"] == pytest.approx(0.5)
    assert total["检查项数(自查+挂钩)"] == 3
    assert "检查日发现隐患2条,整改1条,整改率50%" in ws["A3"].value
    notes = " ".join(str(row[0]) for row in _sheet_rows(ws) if row and row[0])
    assert "检查项数:当月医院自查与挂钩科室检查" in notes


# ---- PDF through LibreOffice --------------------------------------------------------------


def _to_pdf(content: bytes, tmp_path, name: str):
    source = tmp_path / f"{name}.xlsx"
    source.write_bytes(content)
    profile = tmp_path / "lo-profile"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return tmp_path / f"{name}.pdf"


def _pdfinfo(pdf) -> dict:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return dict(
        (key.strip(), value.strip())
        for key, _sep, value in (line.partition(":") for line in out.splitlines())
    )


def _text(pdf) -> str:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return re.sub(r"[ \t]+", " ", text)


def _word_heights(pdf, word: str) -> list[float]:
    """Heights (pt) of the boxes pdftotext finds for `word`: the printed font size."""
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    heights = []
    for match in re.finditer(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
        html,
    ):
        if match[5] == word:
            heights.append(float(match[4]) - float(match[2]))
    return heights


@pytest.mark.libreoffice
@pytest.mark.parametrize("report_type", list(ReportType))
def test_every_report_type_converts_to_a_pdf_with_title_sign_off_and_figures(
    everything, county, report_type, tmp_path
):
    scope = _scope(report_type, county)
    plan = plan_report(report_type, scope)
    content, _rows = build_report_bytes(report_type, scope)
    pdf = _to_pdf(content, tmp_path, str(report_type))
    info = _pdfinfo(pdf)
    text = _text(pdf)
    flat = text.replace(" ", "")
    assert plan.title.replace(" ", "") in flat
    for item in SIGN_OFF:
        assert item in flat, item
    if report_type in KNOWN:
        assert KNOWN[report_type] in flat
    assert "第1页共" in flat  # the footer's page numbers
    # Fitted to the width: one printed page per sheet for these small workbooks (no sheet
    # spills sideways onto a second page).
    assert int(info["Pages"]) == len(plan.sheets)
    if report_type == ReportType.HAZARD_LEDGER:
        width, height = (float(x) for x in re.findall(r"[\d.]+", info["Page size"])[:2])
        assert (round(width), round(height)) == (1191, 842)  # A3 landscape
        # The body text (10 pt) prints at ≥ 70%: the hazard codes are at least 7 pt high.
        code = (
            Hazard.objects.filter(hospital__region=county, found_on__gte=scope.period.start)
            .order_by("found_on")
            .first()
            .code
        )
        heights = _word_heights(pdf, code)
        assert heights and min(heights) >= 0.7 * 10, heights


def test_web_downloads_print_with_the_same_set_up(db):
    from hazards.exports import ledger_workbook
    from hospitals.exports import hospitals_workbook
    from hospitals.models import Hospital
    from inspections.exports import inspections_workbook
    from inspections.models import Inspection

    downloads = {
        "ledger": ledger_workbook(Hazard.objects.none(), scope="晋江市", period="全部"),
        "inspections": inspections_workbook(
            Inspection.objects.none(), scope="晋江市", period="全部"
        ),
        "hospitals": hospitals_workbook(Hospital.objects.none(), scope="晋江市"),
    }
    for name, content in downloads.items():
        ws = load(content).worksheets[0]
        assert ws.sheet_properties.pageSetUpPr.fitToPage, name
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0), name
        assert ws.oddFooter.center.text == "第 &P 页 共 &N 页", name
        hr = header_row(ws)
        assert ws.print_title_rows == f"${hr}:${hr}", name
        # The registry reads back through the import: no sign-off block under it.
        assert ("填报单位(盖章)" in _sign_off_texts(ws)) is (name != "hospitals"), name
