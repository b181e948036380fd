"""Hostile or broken workbooks end in an error report, never a 500 or a held worker."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hospitals.models import Hospital
from tests.hospitals.test_import import good_rows, sheet

pytestmark = pytest.mark.django_db

IMPORT = reverse("hospitals:import")
SHEET = "xl/worksheets/sheet1.xml"


def rewritten(upload: SimpleUploadedFile, change, name=SHEET) -> SimpleUploadedFile:
    """The same workbook with one part's XML passed through `change`."""
    source = zipfile.ZipFile(io.BytesIO(upload.read()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == name:
                data = change(data.decode()).encode()
            target.writestr(info.filename, data)
    return SimpleUploadedFile("机构.xlsx", out.getvalue(), upload.content_type)


@pytest.fixture
def post(import_sheet):
    def run(client, county_admin, upload):
        client.force_login(county_admin)
        response = import_sheet(client, upload)
        assert response.status_code == 200
        assert not Hospital.objects.exists()
        if "job" in response.context:
            return response.context["errors"]
        # Refused before queuing: the upload form carries the message.
        return [
            {"row": None, "value": "", "message": m}
            for m in response.context["form"].errors["file"]
        ]

    return run


def test_text_in_a_numeric_cell_names_its_row(post, client, county_admin, county):
    upload = rewritten(sheet(good_rows(3)), lambda xml: xml.replace("<v>200</v>", "<v>二百</v>", 2))
    (error,) = post(client, county_admin, upload)
    assert error["row"] == 2
    assert "数字格式" in error["message"]
    assert error["value"] == "二百"


def test_undefined_entity_is_an_error_not_a_crash(post, client, county_admin, county):
    upload = rewritten(
        sheet(good_rows(3)), lambda xml: xml.replace("<v>200</v>", "<v>&xxe;</v>", 1)
    )
    (error,) = post(client, county_admin, upload)
    assert "无法读取" in error["message"]


def test_billion_laughs_is_refused(post, client, county_admin, county):
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{n} "{("&lol%s;" % (n - 1 if n else "")) * 10}">' for n in range(1, 10)
    )

    def bomb(xml: str) -> str:
        head, _, body = xml.partition("?>")
        return f"{head}?><!DOCTYPE lolz [{entities}]>{body}".replace(
            "<v>200</v>", "<v>&lol9;</v>", 1
        )

    (error,) = post(client, county_admin, rewritten(sheet(good_rows(3)), bomb))
    assert "无法读取" in error["message"] or "不安全" in error["message"]


def test_zip_bomb_is_refused_before_parsing(post, client, county_admin, county, monkeypatch):
    # The real limit is 64 MB unpacked; a smaller one keeps the test quick, the rule is the same.
    monkeypatch.setattr("hospitals.importing.MAX_UNPACKED_BYTES", 2 * 1024 * 1024)

    def pad(xml: str) -> str:
        empty = "".join(f'<row r="{n}"/>' for n in range(10, 200_000))
        return xml.replace("</sheetData>", empty + "</sheetData>")

    upload = rewritten(sheet(good_rows(1)), pad)
    assert upload.size < 1024 * 1024  # small to send, large to unpack
    (error,) = post(client, county_admin, upload)
    assert "解压后过大" in error["message"]


def test_the_unpacked_limit_leaves_room_for_a_full_sheet():
    from hospitals.importing import MAX_ROWS, MAX_UNPACKED_BYTES

    upload = sheet(good_rows(MAX_ROWS))
    unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(upload.read())).infolist())
    assert unpacked * 4 < MAX_UNPACKED_BYTES


def test_rows_of_blanks_stop_at_the_row_cap(post, client, county_admin, county):
    from hospitals.importing import MAX_SHEET_ROWS

    def blanks(xml: str) -> str:
        rows = "".join(
            f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t> </t></is></c></row>'
            for n in range(10, MAX_SHEET_ROWS + 20)
        )
        xml = re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="A1:U{MAX_SHEET_ROWS + 20}"', xml)
        return xml.replace("</sheetData>", rows + "</sheetData>")

    (error,) = post(client, county_admin, rewritten(sheet(good_rows(2)), blanks))
    assert "行数过多" in error["message"]
