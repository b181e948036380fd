from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from hazards.choices import EvidenceStage
from hazards.dossier_pdf import PHOTO_MAX_PIXELS, dossier_pdf
from hazards.exports import dossier_items
from hazards.models import Hazard
from hazards.services import (
    hazard_accept,
    hazard_add_evidence,
    hazard_order_suspension,
    hazard_record_progress,
    hazard_record_recheck,
)
from tests.hazards.conftest import start, submit
from tests.hazards.factories import cleaned_photo, complete_dossier, jpeg_bytes, raise_hazard

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    """The text drawn on the pages of a dossier PDF (the embedded TrueType subsets carry a
    ToUnicode map, so the text reads back as Unicode)."""
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


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


# ---- the embedded font, the photos, 复查/验收 and the signatures (issue 14 part 5) -------------


def _pdf_tool(name: str) -> str:
    """The path of a poppler tool; skip (fail under REQUIRE_SERVICES=1) when it is absent."""
    path = shutil.which(name)
    if path:
        return path
    why = f"{name} not found (apt-get install -y poppler-utils)"
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"REQUIRE_SERVICES=1 but {why}", pytrace=False)
    pytest.skip(why)


def _run_on(tool: str, data: bytes, *args: str) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        result = subprocess.run(
            [tool, *args, handle.name], capture_output=True, text=True, check=True, timeout=60
        )
    return result.stdout


@pytest.fixture
def closed_major(major, officer_a, county_bureau):
    """A 重大隐患 with before/after/re-check photos, re-checked and accepted by the bureau."""
    start(major, officer_a)
    complete_dossier(major, officer_a, county_bureau)
    big = jpeg_bytes(size=(2400, 1800), color=(30, 90, 200))
    hazard_add_evidence(
        hazard=major,
        by=officer_a,
        files=[cleaned_photo("before.jpg", big)],
        stage=EvidenceStage.BEFORE,
    )
    submit(major, officer_a)
    hazard_record_recheck(hazard=major, by=county_bureau, note="现场复查,电缆已全部更换")
    hazard_accept(hazard=major, by=county_bureau, note="同意销号")
    major.refresh_from_db()
    return major


def test_the_chinese_font_is_embedded_as_a_subset(closed_major):
    pdffonts = _pdf_tool("pdffonts")
    report = _run_on(pdffonts, _pdf(closed_major))
    fonts = [line.split() for line in report.splitlines()[2:] if line.strip()]
    assert fonts, report
    cjk = [row for row in fonts if "WenQuanYiMicroHei" in row[0]]
    assert cjk, report
    # columns: name type encoding emb sub uni object ID
    assert all(row[-5] == "yes" and row[-4] == "yes" for row in cjk), report  # embedded subset
    # reportlab lists its default Helvetica in every page's resources; no text is drawn in it
    others = {row[0] for row in fonts if row not in cjk}
    assert others <= {"Helvetica"}, report
    assert not any("STSong" in row[0] for row in fonts)


def test_the_photos_are_embedded_and_downscaled(closed_major):
    data = _pdf(closed_major)
    reader = PdfReader(io.BytesIO(data))
    images = [image for page in reader.pages for image in page.images]
    assert len(images) == 2  # the before photo and the after photo of `submit`
    widths = sorted(image.image.size[0] for image in images)
    assert max(widths) <= PHOTO_MAX_PIXELS  # the 2400 px photo was downscaled
    assert widths[-1] == PHOTO_MAX_PIXELS
    pdfimages = shutil.which("pdfimages")
    if pdfimages:
        listing = _run_on(pdfimages, data, "-list").splitlines()[2:]
        assert len([line for line in listing if line.strip()]) == 2


def test_recheck_acceptance_signatures_and_seal_are_printed(closed_major, county_bureau):
    data = _pdf(closed_major, compress=False)
    flat = pdf_text(data).replace("\n", "")
    assert "整改前后照片" in flat
    assert "复查与验收" in flat
    assert "现场复查,电缆已全部更换" in flat and "同意销号" in flat
    name = county_bureau.display_name
    assert f"复查人签字:{name}" in flat
    assert f"验收人签字:{name}" in flat
    assert f"日期:{closed_major.closed_on.isoformat()}" in flat
    rechecked_on = timezone.localtime(closed_major.rechecked_at).date()
    assert f"复查人签字:{name}日期:{rechecked_on.isoformat()}" in flat.replace(" ", "")
    assert "责任人签字:李建国" in flat
    assert "(单位盖章)" in flat
    assert "单位负责人签字" in flat
    assert re.search(r"第 1 / \d+ 页", flat)
    title = PdfReader(io.BytesIO(data)).metadata.title
    assert title == f"重大事故隐患“一患一档”({closed_major.code})"
    assert " " not in title


def test_an_unreadable_photo_is_named_not_fatal(major, officer_a):
    start(major, officer_a)
    hazard_add_evidence(
        hazard=major, by=officer_a, files=[cleaned_photo()], stage=EvidenceStage.BEFORE
    )
    evidence = major.evidence.get()
    evidence.file.storage.delete(evidence.file.name)
    flat = pdf_text(_pdf(major, compress=False)).replace("\n", "")
    assert "照片无法读取" in flat
