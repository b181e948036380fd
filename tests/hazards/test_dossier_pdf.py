from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.urls import reverse

from hazards.dossier_pdf import dossier_pdf
from hazards.exports import dossier_items
from hazards.models import Hazard
from hazards.services import hazard_order_suspension, hazard_record_progress
from tests.hazards.conftest import start
from tests.hazards.factories import complete_dossier, raise_hazard

pytestmark = pytest.mark.django_db

_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}


def _unescape(literal: str) -> bytes:
    def repl(match):
        token = match.group(1)
        if token[0] in "01234567":
            return chr(int(token, 8))
        return _ESCAPES.get(token, token)

    return re.sub(r"\\([0-7]{1,3}|.)", repl, literal, flags=re.S).encode("latin-1")


def pdf_text(data: bytes) -> str:
    """The text drawn on the pages of an uncompressed dossier PDF (STSong-Light writes UCS-2)."""
    content = data.decode("latin-1")
    strings = re.findall(r"\(((?:\\.|[^\\)])*)\)\s*Tj", content, flags=re.S)
    return "\n".join(_unescape(s).decode("utf-16-be") for s in strings)


def _pdf(hazard, **kwargs) -> bytes:
    return dossier_pdf(
        hazard,
        hazard.events.select_related("actor"),
        hazard.evidence.select_related("uploaded_by"),
        hazard.extensions.select_related("decided_by"),
        **kwargs,
    )


def test_officer_downloads_the_major_dossier_as_pdf(client, major, officer_a):
    client.force_login(officer_a)
    response = client.get(reverse("hazards:dossier_pdf", args=[major.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["X-Content-Type-Options"] == "nosniff"
    filename = f"一患一档-{major.code}.pdf"
    assert f"filename*=UTF-8''{quote(filename)}" in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith("attachment;")


def test_bureau_over_the_hospital_downloads_it_too(client, major, county_bureau, city_bureau):
    for user in (county_bureau, city_bureau):
        client.force_login(user)
        response = client.get(reverse("hazards:dossier_pdf", args=[major.pk]))
        assert response.status_code == 200
        assert response.content.startswith(b"%PDF")


def test_outsiders_get_404(client, major, officer_b, other_county_bureau):
    for user in (officer_b, other_county_bureau):
        client.force_login(user)
        response = client.get(reverse("hazards:dossier_pdf", args=[major.pk]))
        assert response.status_code == 404


def test_anonymous_is_sent_to_login(client, major):
    response = client.get(reverse("hazards:dossier_pdf", args=[major.pk]))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_pdf_holds_the_whole_major_dossier(major, officer_a, county_bureau, plan):
    start(major, officer_a)
    complete_dossier(major, officer_a, county_bureau)
    hazard_order_suspension(
        hazard=major,
        by=county_bureau,
        kind="suspend_use",
        scope="住院楼配电房",
        notice_no="晋卫停〔2026〕1号",
        reason="电气火灾风险",
    )
    hazard_record_progress(hazard=major, by=officer_a, note="已完成二层电缆更换")
    major.refresh_from_db()

    text = pdf_text(_pdf(major, compress=False))
    flat = text.replace("\n", "")

    assert "重大事故隐患“一患一档”" in flat
    assert major.code in flat
    assert major.hospital.name in flat
    # every field of the shared dossier list, with its value, the six-part plan included
    items = dossier_items(major)
    assert {label for label, _ in items} >= {
        str(Hazard._meta.get_field(name).verbose_name) for name in plan
    }
    for label, value in items:
        assert str(label) in flat, label
        if isinstance(value, str) and value:
            assert value.replace("\n", "") in flat, (label, value)
    assert "晋卫督〔2026〕12号" in flat
    assert "住院楼配电房" in flat
    # the timeline: who, and the note
    assert officer_a.display_name in flat
    assert "已完成二层电缆更换" in flat
    assert "责任人签字" in flat
    assert re.search(r"第 1 / \d+ 页", text)
    assert "生成时间" in flat


def test_compressed_pdf_hides_the_text_but_is_still_a_pdf(major):
    data = _pdf(major)
    assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")
    assert b"FlateDecode" in data


def test_markup_in_user_text_is_printed_literally(hospital_a, officer_a, client):
    hazard = raise_hazard(
        hospital=hospital_a,
        found_by=officer_a,
        risk_level="major",
        description="电缆 <b>老化</b> & <script>alert(1)</script> 破损 <para",
    )
    client.force_login(officer_a)
    response = client.get(reverse("hazards:dossier_pdf", args=[hazard.pk]))
    assert response.status_code == 200

    flat = pdf_text(_pdf(hazard, compress=False)).replace("\n", "")
    assert "<b>老化</b>" in flat
    assert "&" in flat and "&amp;" not in flat
    assert "<script>alert(1)</script>" in flat


def test_very_long_text_flows_over_several_pages(hospital_a, officer_a):
    hazard = raise_hazard(
        hospital=hospital_a,
        found_by=officer_a,
        risk_level="major",
        description="配电房电缆老化,绝缘层破损。\n" * 400,
    )
    text = pdf_text(_pdf(hazard, compress=False))
    pages = {int(total) for total in re.findall(r"第 \d+ / (\d+) 页", text)}
    assert len(pages) == 1 and pages.pop() > 2


def test_general_hazard_gets_its_plain_dossier_pdf(client, self_found, officer_a):
    client.force_login(officer_a)
    response = client.get(reverse("hazards:dossier_pdf", args=[self_found.pk]))
    assert response.status_code == 200
    assert quote(f"隐患档案-{self_found.code}.pdf") in response["Content-Disposition"]
    flat = pdf_text(_pdf(self_found, compress=False)).replace("\n", "")
    assert "安全隐患档案" in flat and "一患一档" not in flat
    assert "治理的目标和任务" not in flat


def test_dossier_and_detail_pages_offer_the_pdf(client, major, officer_a):
    client.force_login(officer_a)
    url = reverse("hazards:dossier_pdf", args=[major.pk])
    for page in (reverse("hazards:dossier", args=[major.pk]), major.get_absolute_url()):
        body = client.get(page).content.decode()
        assert f'href="{url}"' in body, page
        assert "下载 PDF" in body


def test_middle_dots_are_drawn_with_a_glyph_the_chinese_font_has(major):
    text = pdf_text(_pdf(major, compress=False))
    assert "\u00b7" not in text
    assert f"{major.hospital.name} \u30fb {major.code}" in text
