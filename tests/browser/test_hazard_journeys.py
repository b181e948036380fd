"""Journeys 2–4: rectification and acceptance of hazards in the browser.

2. (phone) the hospital officer rectifies a bureau-found hazard with an after-photo and submits it
   for acceptance; no accept button is offered to the officer.
3. (phone) the bureau inspector rejects once with a note, then accepts (已销号); the detail page
   shows the whole history.
4. a 重大隐患: the officer completes the 一患一档 plan (desk), the bureau lists it for supervision
   (挂牌督办, desk), the officer submits, the bureau records 复查 on site and closes it out, and
   the dossier PDF downloads.
"""

from __future__ import annotations

import pytest

from hazards.choices import EventType, EvidenceStage, Source, Status, SupervisionLevel
from hazards.models import Hazard
from tests.browser.conftest import image_file
from tests.hazards.conftest import start, submit
from tests.hazards.factories import SIX_PART_PLAN, cleaned_photo, raise_hazard

# PostgreSQL: with in-memory SQLite the live server shares the test's one connection across threads.
pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def bureau_found(hospital_a, county_bureau):
    """Found by the county bureau on a linked-department inspection, with a before-photo."""
    return raise_hazard(
        hospital=hospital_a,
        found_by=county_bureau,
        source=Source.LINKED_DEPARTMENT,
        location="门诊楼三层消防通道",
        description="消防通道堆放杂物,影响疏散",
        photos=[cleaned_photo("整改前.jpg")],
    )


def _label(name: str) -> str:
    return str(Hazard._meta.get_field(name).verbose_name)


def test_officer_rectifies_and_submits_without_an_accept_button(
    open_page, login, officer_a, bureau_found
):
    page = login(open_page("phone"), officer_a)
    page.goto(bureau_found.get_absolute_url())

    page.get_by_role("link", name="开始整改").click()
    page.get_by_label("责任科室").fill("后勤保障科")
    page.get_by_label("责任人").fill("李建国")
    page.get_by_label("整改措施").fill("清理杂物,设置禁止堆放标识")
    page.get_by_label("临时安全防范措施").fill("安排专人值守,设置警示标志")
    page.get_by_role("button", name="开始整改").click()
    page.get_by_text("已开始整改。").wait_for()

    page.get_by_role("link", name="提交验收").click()
    page.get_by_label("整改完成情况").fill("杂物已清理,通道畅通")
    page.get_by_label("整改后照片或材料").set_input_files(image_file("整改后.png", (30, 160, 60)))
    page.get_by_role("button", name="提交验收").click()
    page.get_by_text("已提交验收。").wait_for()

    hazard = Hazard.objects.get(pk=bureau_found.pk)
    assert hazard.status == Status.PENDING_ACCEPTANCE
    assert hazard.evidence.filter(stage=EvidenceStage.AFTER).count() == 1
    # The bureau found it: the bureau accepts. The officer is told so and offered nothing.
    page.get_by_text("由辖区卫健局工作人员验收").wait_for()
    assert page.get_by_role("link", name="验收通过并销号").count() == 0
    assert page.get_by_role("link", name="验收不通过").count() == 0
    page.goto(f"{hazard.get_absolute_url()}accept/")
    page.get_by_text("您当前不能对该隐患执行").wait_for()
    assert Hazard.objects.get(pk=hazard.pk).status == Status.PENDING_ACCEPTANCE


def test_bureau_rejects_once_then_accepts_and_the_history_is_complete(
    open_page, login, officer_a, county_bureau, bureau_found
):
    start(bureau_found, officer_a)
    submit(bureau_found, officer_a)
    page = login(open_page("phone"), county_bureau)
    page.goto(bureau_found.get_absolute_url())

    page.get_by_role("link", name="验收不通过").click()
    page.get_by_label("意见").fill("通道仍有纸箱,请彻底清理")
    page.get_by_role("button", name="验收不通过").click()
    page.get_by_text("已退回整改。").wait_for()
    assert Hazard.objects.get(pk=bureau_found.pk).status == Status.IN_PROGRESS

    # The hospital fixes it again and resubmits.
    submit(bureau_found, officer_a)
    page.reload()
    page.get_by_role("link", name="验收通过并销号").click()
    page.get_by_label("意见").fill("复核通过")
    page.get_by_role("button", name="验收通过并销号").click()
    page.get_by_text("验收通过,隐患已销号。").wait_for()

    hazard = Hazard.objects.get(pk=bureau_found.pk)
    assert hazard.status == Status.CLOSED
    assert page.get_by_role("heading", level=1).filter(has_text="已销号").count() == 1
    shown = page.locator("#events").locator("strong").all_inner_texts()
    expected = [str(EventType(kind).label) for kind in hazard.events.values_list("kind", flat=True)]
    assert shown == expected
    assert shown.count("提交验收") == 2
    assert shown.count("验收不通过") == 1 and shown.count("验收通过并销号") == 1
    assert {"登记隐患", "开始整改"} <= set(shown)
    history = page.locator("#events").get_by_role("listitem").all_inner_texts()
    assert any("通道仍有纸箱,请彻底清理" in text for text in history)
    assert any("复核通过" in text for text in history)


def test_major_hazard_dossier_listing_recheck_close_out_and_pdf(
    open_page, login, officer_a, county_bureau, hospital_a, tmp_path
):
    major = raise_hazard(
        hospital=hospital_a,
        found_by=county_bureau,
        source=Source.SUPERVISION,
        risk_level="major",
        category="logistics",
        location="住院楼配电房",
        description="配电房电缆老化,绝缘层破损",
    )
    officer = login(open_page("desktop"), officer_a)
    bureau = login(open_page("desktop"), county_bureau)

    # The officer completes the hospital's part of the dossier (一患一档).
    officer.goto(major.get_absolute_url())
    officer.get_by_text("重大隐患“一患一档”尚未完善").wait_for()
    officer.get_by_role("link", name="完善一患一档").click()
    for name, text in SIX_PART_PLAN.items():
        officer.get_by_label(_label(name)).fill(text)
    officer.get_by_role("button", name="保存").click()
    officer.get_by_text("已保存。").wait_for()

    # The bureau lists it for supervision (挂牌督办).
    bureau.goto(major.get_absolute_url())
    bureau.get_by_role("link", name="挂牌督办").click()
    bureau.get_by_label("挂牌督办级别").select_option(SupervisionLevel.COUNTY)
    bureau.get_by_label("督办文号").fill("晋卫督〔2026〕12号")
    bureau.get_by_label("挂牌督办理由").fill("重大事故隐患挂牌督办")
    bureau.get_by_role("button", name="确认挂牌督办").click()
    bureau.get_by_text("已挂牌督办。").wait_for()
    assert Hazard.objects.get(pk=major.pk).missing_dossier_fields() == []

    # The officer starts (六定) and submits with an after-photo.
    officer.reload()
    officer.get_by_role("link", name="开始整改").click()
    officer.get_by_label("责任人").fill("王副院长")
    officer.get_by_label("整改措施").fill("分区停电、分段更换电缆")
    officer.get_by_label("临时安全防范措施").fill("专人值守,配备灭火器材")
    officer.get_by_role("button", name="开始整改").click()
    officer.get_by_text("已开始整改。").wait_for()
    officer.get_by_role("link", name="提交验收").click()
    officer.get_by_label("整改后照片或材料").set_input_files(image_file("新电缆.png", (0, 90, 200)))
    officer.get_by_role("button", name="提交验收").click()
    officer.get_by_text("已提交验收。").wait_for()
    assert officer.get_by_role("link", name="验收通过并销号").count() == 0

    # On site: the bureau records the 复查 on a phone and closes it out.
    site = login(open_page("phone"), county_bureau)
    site.goto(major.get_absolute_url())
    site.get_by_role("link", name="记录复查").click()
    site.get_by_label("复查意见").fill("现场复查:电缆已全部更换,绝缘测试合格")
    site.get_by_label("复查照片").set_input_files(image_file("复查.png", (90, 90, 90)))
    site.get_by_role("button", name="保存复查").click()
    site.get_by_text("复查情况已记录。").wait_for()
    site.get_by_role("link", name="验收通过并销号").click()
    site.get_by_role("button", name="验收通过并销号").click()
    site.get_by_text("验收通过,隐患已销号。").wait_for()

    hazard = Hazard.objects.get(pk=major.pk)
    assert hazard.status == Status.CLOSED
    assert hazard.supervision_level == SupervisionLevel.COUNTY
    assert hazard.evidence.filter(stage=EvidenceStage.RECHECK).count() == 1

    with bureau.expect_download() as download_info:
        bureau.reload()
        bureau.get_by_role("link", name="下载 PDF").click()
    path = tmp_path / "dossier.pdf"
    download_info.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    assert download_info.value.suggested_filename.endswith(".pdf")
