from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.dates import today
from tests.hazards.factories import raise_hazard

pytestmark = pytest.mark.django_db

LEDGER_HEADERS = [
    "序号",
    "编号",
    "医疗机构",
    "排查时间",
    "部位",
    "排查人",
    "发现途径",
    "隐患描述",
    "等级",
    "类别",
    "整改方式",
    "整改措施",
    "资金(元)",
    "责任科室",
    "责任人",
    "整改期限",
    "临时安全措施",
    "进度",
    "逾期天数",
    "逾期说明",
    "整改前照片",
    "整改后照片",
    "复查人",
    "复查日期",
    "验收人",
    "销号日期",
    "销号",
]
CODE = LEDGER_HEADERS.index("编号")


def _rows(response):
    """(header cells, data row cells): the rows between the header and the totals row."""
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows())
    header_index = next(i for i, row in enumerate(rows) if row[CODE].value == "编号")
    data = []
    for row in rows[header_index + 1 :]:
        if row[0].value == "合计":
            break
        data.append(row)
    return rows[header_index], data


def test_ledger_has_domain_columns_and_follows_the_filter(
    client, hospital_a, hospital_b, officer_a, officer_b, county_bureau
):
    fire = raise_hazard(hospital=hospital_a, found_by=officer_a, fixed_on_the_spot=True)
    raise_hazard(hospital=hospital_a, found_by=officer_a, category="hazmat")
    other = raise_hazard(hospital=hospital_b, found_by=officer_b)
    client.force_login(county_bureau)
    response = client.get(reverse("hazards:ledger", args=["all"]), {"category": "fire"})
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]
    header, rows = _rows(response)
    assert [cell.value for cell in header] == LEDGER_HEADERS
    assert [row[CODE].value for row in rows] == [fire.code]
    assert rows[0][LEDGER_HEADERS.index("销号")].value == "已销号"
    assert rows[0][LEDGER_HEADERS.index("销号日期")].is_date
    all_codes = [
        row[CODE].value for row in _rows(client.get(reverse("hazards:ledger", args=["all"])))[1]
    ]
    assert other.code not in all_codes  # outside the bureau's county


def test_ledger_highlights_overdue_rows(client, hospital_a, officer_a):
    late = raise_hazard(
        hospital=hospital_a,
        found_by=officer_a,
        found_on=today() - dt.timedelta(days=30),
        deadline=today() - dt.timedelta(days=2),
    )
    fine = raise_hazard(hospital=hospital_a, found_by=officer_a)
    client.force_login(officer_a)
    _, rows = _rows(client.get(reverse("hazards:ledger", args=["all"])))
    by_code = {row[CODE].value: row for row in rows}
    assert by_code[late.code][CODE].fill.fgColor.rgb.endswith("FDE2E1")
    assert by_code[fine.code][CODE].fill.fgColor.rgb in (None, "00000000")
    assert "逾期2天" in by_code[late.code][LEDGER_HEADERS.index("进度")].value
    assert by_code[late.code][LEDGER_HEADERS.index("逾期天数")].value == 2


def test_ledger_formula_injection_stays_text(client, hospital_a, officer_a):
    raise_hazard(
        hospital=hospital_a,
        found_by=officer_a,
        location="@SUM(1+1)",
        description='=cmd|"/c calc"!A1',
    )
    client.force_login(officer_a)
    _, rows = _rows(client.get(reverse("hazards:ledger", args=["overdue"])))
    assert rows == []
    _, rows = _rows(client.get(reverse("hazards:ledger", args=["all"])))
    description = rows[0][LEDGER_HEADERS.index("隐患描述")]
    assert description.value == '=cmd|"/c calc"!A1'
    assert description.data_type == "s"
    assert rows[0][LEDGER_HEADERS.index("部位")].data_type == "s"


def test_ledger_outsider_sees_nothing_of_other_hospitals(client, hospital_a, officer_a, officer_b):
    raise_hazard(hospital=hospital_a, found_by=officer_a)
    client.force_login(officer_b)
    _, rows = _rows(client.get(reverse("hazards:ledger", args=["all"])))
    assert rows == []


def _ledger_sheet(response):
    return load_workbook(io.BytesIO(response.content))


def test_ledger_links_before_and_after_photos_to_their_scoped_download(
    client, hospital_a, officer_a, officer_b, settings
):
    from hazards.models import HazardEvidence
    from tests.hazards.factories import cleaned_photo

    settings.LEDGER_PHOTOS = "links"
    hazard = raise_hazard(
        hospital=hospital_a, found_by=officer_a, photos=[cleaned_photo(), cleaned_photo()]
    )
    client.force_login(officer_a)
    response = client.get(reverse("hazards:ledger", args=["all"]))
    workbook = _ledger_sheet(response)
    assert workbook.sheetnames == ["隐患台账"]
    _, rows = _rows(response)
    cell = rows[0][LEDGER_HEADERS.index("整改前照片")]
    first = HazardEvidence.objects.filter(hazard=hazard).order_by("pk").first()
    url = reverse("hazards:evidence", args=[hazard.pk, first.pk])
    assert cell.data_type == "f"
    assert cell.value == f'=HYPERLINK("{settings.SITE_URL.rstrip("/")}{url}","2张")'
    assert rows[0][LEDGER_HEADERS.index("整改后照片")].value is None
    # The link is the scoped evidence download: an outsider gets 404, the officer the photo.
    assert client.get(url).status_code == 200
    client.force_login(officer_b)
    assert client.get(url).status_code == 404


def test_ledger_embeds_thumbnails_in_a_photo_sheet_when_configured(
    client, hospital_a, officer_a, settings
):
    from tests.hazards.factories import cleaned_photo

    settings.LEDGER_PHOTOS = "thumbnails"
    hazard = raise_hazard(hospital=hospital_a, found_by=officer_a, photos=[cleaned_photo()])
    client.force_login(officer_a)
    workbook = _ledger_sheet(client.get(reverse("hazards:ledger", args=["all"])))
    assert workbook.sheetnames == ["隐患台账", "整改前后照片"]
    photos = workbook["整改前后照片"]
    assert len(photos._images) == 1
    codes = [row[0] for row in photos.iter_rows(values_only=True)]
    assert hazard.code in codes


def test_dossier_workbook_wraps_text_and_formats_money(client, hospital_a, officer_a):
    from decimal import Decimal

    from hazards.models import Hazard

    hazard = raise_hazard(
        hospital=hospital_a, found_by=officer_a, description="消防通道堆放杂物,影响疏散。" * 20
    )
    Hazard.objects.filter(pk=hazard.pk).update(funds=Decimal("680000"))
    client.force_login(officer_a)
    response = client.get(reverse("hazards:dossier_xlsx", args=[hazard.pk]))
    assert response.status_code == 200
    assert 'filename="dossier_' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content))["隐患档案"]
    values = {row[0].value: row[1] for row in sheet.iter_rows() if row[0].value}
    assert values["整改资金(元)"].value == "¥680,000.00"
    description = values["隐患描述"]
    assert description.alignment.wrap_text
    # Tall enough for the whole text (LibreOffice does not grow rows by itself).
    assert sheet.row_dimensions[description.row].height >= 4 * 13.5
