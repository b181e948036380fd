from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from hospitals.importing import COLUMNS
from hospitals.models import BureauDepartment, Hospital, MedicalConsortium
from tests.factories import make_credit_code

pytestmark = pytest.mark.django_db

IMPORT = reverse("hospitals:import")
HEADERS = [column.header for column in COLUMNS]


def row(**values):
    base = {
        "机构名称": "晋江市第六医院",
        "统一社会信用代码": make_credit_code(501, "350582"),
        "医院等级": "二级",
        "机构类型": "综合医院",
        "所有制": "公立",
        "所属区域": "晋江市",
        "地址": "福建省晋江市",
        "编制床位": 200,
        "实有床位": 180,
        "在岗医务人员数": 260,
        "日均门诊量": 900,
        "所属医共体": "",
        "医共体牵头单位": "否",
        "示范单位": "",
        "挂钩科室": "",
        "安全生产第一责任人(法定代表人)": "王五",
        "实际控制人": "",
        "保卫科负责人": "赵六",
        "保卫科负责人电话": "13800000000",
        "联系人": "赵六",
        "联系电话": "0595-88888888",
    }
    base.update(values)
    return base


def sheet(rows, headers=HEADERS, title_rows=0) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    for _ in range(title_rows):
        ws.append(["医疗卫生机构导入模板"])
    ws.append(headers)
    for values in rows:
        ws.append([values.get(header.rstrip("*"), "") for header in headers])
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile(
        "机构.xlsx",
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def good_rows(count=3):
    return [
        row(
            机构名称=f"晋江市第{n}卫生院",
            统一社会信用代码=make_credit_code(600 + n, "350582"),
        )
        for n in range(count)
    ]


def test_good_sheet_saves_every_row(import_sheet, client, county_admin, county):
    BureauDepartment.objects.create(region=county, name="医政科")
    rows = good_rows(3)
    rows[0].update(
        {
            "所有制": "民营",
            "实际控制人": "李四",
            "所属医共体": "晋江新医共体",
            "医共体牵头单位": "是",
            "医院等级": "三级甲等",
            "挂钩科室": "医政科",
            "示范单位": "系统示范单位",
        }
    )
    rows[1]["所属区域"] = "JJ"
    rows[2]["统一社会信用代码"] = rows[2]["统一社会信用代码"].lower()
    client.force_login(county_admin)
    response = import_sheet(client, sheet(rows, title_rows=2))
    assert response.context["job"].status == "succeeded"
    assert "共新增 3 家医疗机构" in response.content.decode()
    assert Hospital.objects.count() == 3
    first = Hospital.objects.get(name="晋江市第0卫生院")
    assert first.level == "3"
    assert first.ownership == "private"
    assert first.consortium == MedicalConsortium.objects.get(name="晋江新医共体")
    assert first.is_consortium_lead
    assert first.linked_department.name == "医政科"
    assert first.demonstration == "system"
    assert first.history.first().history_user == county_admin
    assert Hospital.objects.filter(credit_code=make_credit_code(602, "350582")).exists()


def test_one_bad_row_saves_nothing_and_reports_row_and_column(
    import_sheet, client, county_admin, county
):
    rows = good_rows(3)
    code = rows[1]["统一社会信用代码"]
    rows[1]["统一社会信用代码"] = code[:17] + ("0" if code[17] != "0" else "1")
    client.force_login(county_admin)
    response = import_sheet(client, sheet(rows))
    assert response.status_code == 200
    assert response.context["job"].status == "failed"
    assert Hospital.objects.count() == 0
    errors = response.context["errors"]
    assert len(errors) == 1
    assert errors[0]["row"] == 3  # header is row 1, second data row is row 3
    assert errors[0]["column"] == "统一社会信用代码"
    assert "校验位" in errors[0]["message"]
    body = response.content.decode()
    assert "未保存任何数据" in body


def test_every_kind_of_bad_value_is_reported(
    import_sheet, client, county_admin, county, hospital_b
):
    rows = [
        row(
            机构名称="",
            统一社会信用代码="12350582ABC",
            医院等级="四级",
            机构类型="诊所",
            所有制="民营",
            所属区域="南安市",
            实有床位=-5,
            在岗医务人员数="很多",
            日均门诊量=12.5,
            医共体牵头单位="也许",
        ),
        row(统一社会信用代码=make_credit_code(700, "350582")),
        row(机构名称="重复", 统一社会信用代码=make_credit_code(700, "350582")),
        row(机构名称="已登记", 统一社会信用代码=hospital_b.credit_code),
        row(机构名称="含I", 统一社会信用代码="1235058200000000I" + "0"),
        row(机构名称="科室", 挂钩科室="不存在科"),
    ]
    client.force_login(county_admin)
    response = import_sheet(client, sheet(rows))
    assert Hospital.objects.filter(region=county).count() == 0
    found = {(error["row"], error["column"]) for error in response.context["errors"]}
    assert {
        (2, "机构名称"),
        (2, "统一社会信用代码"),
        (2, "医院等级"),
        (2, "机构类型"),
        (2, "所属区域"),  # 南安市 is outside a 晋江 administrator's region
        (2, "实有床位"),
        (2, "在岗医务人员数"),
        (2, "日均门诊量"),
        (2, "医共体牵头单位"),
        (2, "实际控制人"),
        (4, "统一社会信用代码"),  # duplicate within the sheet
        (5, "统一社会信用代码"),  # already registered
        (6, "统一社会信用代码"),  # forbidden letter
        (7, "挂钩科室"),
    } <= found
    assert (3, "统一社会信用代码") not in found


def test_error_report_is_downloadable(import_sheet, client, county_admin, county):
    rows = good_rows(2)
    rows[1]["实有床位"] = -1
    client.force_login(county_admin)
    job = import_sheet(client, sheet(rows)).context["job"]
    response = client.get(reverse("hospitals:import_errors", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    wb = load_workbook(io.BytesIO(response.content), read_only=True)
    values = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    assert ["行号", "列", "填写内容", "错误说明"] in values
    assert any(r[0] == 3 and r[1] == "实有床位" and r[2] == "-1" for r in values)


def test_missing_required_column_and_not_an_xlsx(import_sheet, client, county_admin, county):
    client.force_login(county_admin)
    headers = [h for h in HEADERS if not h.startswith("所属区域")]
    response = import_sheet(client, sheet(good_rows(1), headers=headers))
    assert any("所属区域" in e["message"] for e in response.context["errors"])
    junk = SimpleUploadedFile("x.xlsx", b"not a workbook", content_type="application/zip")
    response = import_sheet(client, junk)
    assert ".xlsx" in response.context["form"].errors["file"][0]  # refused before queuing
    assert Hospital.objects.count() == 0


def test_template_download_has_header_row_and_reimports(import_sheet, client, county_admin, county):
    client.force_login(county_admin)
    response = client.get(reverse("hospitals:import_template"))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb.worksheets[0]
    header_row = next(r for r in ws.iter_rows(values_only=True) if r and r[0] == "机构名称*")
    assert list(header_row) == HEADERS
    header_number = next(c.row for c in ws["A"] if c.value == "机构名称*")
    assert ws.cell(row=header_number + 1, column=2).number_format == "@"  # code stays text
    # fill the downloaded template itself and import it
    next_row = ws.max_row + 1
    for index, header in enumerate(HEADERS, start=1):
        ws.cell(row=next_row, column=index, value=row().get(header.rstrip("*"), ""))
    buffer = io.BytesIO()
    wb.save(buffer)
    upload = SimpleUploadedFile("模板.xlsx", buffer.getvalue())
    assert import_sheet(client, upload).context["job"].status == "succeeded"
    assert Hospital.objects.filter(name="晋江市第六医院").exists()


def test_only_administrators_can_import(client, officer_a, county_bureau):
    for user in (officer_a, county_bureau):
        client.force_login(user)
        assert client.get(IMPORT).status_code == 403
        assert client.get(reverse("hospitals:import_template")).status_code == 403


def test_consortium_must_match_the_hospital_region(
    import_sheet, client, city_admin, county, other_county
):
    MedicalConsortium.objects.create(name="南安市医院医共体", region=other_county)
    client.force_login(city_admin)
    response = import_sheet(client, sheet([row(所属医共体="南安市医院医共体")]))
    assert [(e["row"], e["column"]) for e in response.context["errors"]] == [(2, "所属医共体")]
    assert Hospital.objects.count() == 0


def test_numeric_credit_code_cell_gets_a_text_format_hint(
    import_sheet, client, county_admin, county
):
    client.force_login(county_admin)
    response = import_sheet(client, sheet([row(统一社会信用代码=123505821234567890)]))
    (error,) = response.context["errors"]
    assert error["column"] == "统一社会信用代码"
    assert "文本" in error["message"]
