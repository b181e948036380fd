"""Journey 6: the hospital officer updates a 4+N item on site (phone) with evidence and declares
it met; the bureau confirms it at the desk and the overview figure moves.

Item 4 (警务室和调解室) is chosen because its computed rule (security.rules) is satisfied by the
seeded records: the app refuses 已达标 while the computation says the item is short."""

from __future__ import annotations

import pytest

from security.choices import ItemKind, ItemStatus
from security.models import ChecklistItem
from security.services import checklist_ensure
from tests.browser.conftest import image_file
from tests.security.factories import complete_records

# PostgreSQL: with in-memory SQLite the live server shares the test's one connection across threads.
pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_officer_declares_an_item_met_and_the_bureau_confirms_it(
    open_page, login, hospital_a, officer_a, county_bureau
):
    checklist_ensure(hospital=hospital_a)
    complete_records(hospital_a)
    item = ChecklistItem.objects.get(hospital=hospital_a, kind=ItemKind.POLICE_ROOM)

    bureau = login(open_page("desktop"), county_bureau)
    bureau.goto("/security/overview/")
    rate = bureau.get_by_test_id("plan-rate-4")
    assert "0/1" in rate.inner_text()

    officer = login(open_page("phone"), officer_a)
    officer.goto("/security/")  # the officer lands on the hospital's own 4+N page
    card = officer.locator(".card").filter(
        has=officer.get_by_role("heading", name=str(ItemKind.POLICE_ROOM.label))
    )
    card.get_by_role("link", name="更新进度与佐证").click()
    officer.get_by_label("进度").select_option(ItemStatus.IN_PROGRESS)
    officer.get_by_label("进展说明").fill("警务室已挂牌,派出所民警每日驻点")
    officer.get_by_role("button", name="保存进度").click()
    officer.get_by_text("进度已更新。").wait_for()
    officer.get_by_label("佐证材料").set_input_files(image_file("警务室.png", (20, 60, 160)))
    officer.get_by_role("button", name="上传").click()
    officer.get_by_text("佐证材料已上传。").wait_for()
    officer.get_by_label("申报说明").fill("警务室、调解室均已设立并配备人员")
    officer.get_by_role("button", name="申报达标").click()
    officer.get_by_text("已申报达标,等待卫健局确认。").wait_for()
    item.refresh_from_db()
    assert item.status == ItemStatus.PENDING
    assert item.evidence.count() == 1
    assert officer.get_by_role("button", name="确认已达标").count() == 0

    # The bureau finds it among the items waiting for confirmation and confirms it.
    bureau.reload()
    bureau.get_by_role("link", name=f"{hospital_a.name} · 4").click()
    bureau.get_by_label("确认意见").fill("现场核实,警务室和调解室均已配备人员")
    bureau.get_by_role("button", name="确认已达标").click()
    bureau.get_by_text("已确认达标。").wait_for()
    item.refresh_from_db()
    assert item.status == ItemStatus.MET
    assert item.confirmed_by == county_bureau

    bureau.goto("/security/overview/")
    rate = bureau.get_by_test_id("plan-rate-4")
    assert "1/1" in rate.inner_text()
    assert "100%" in rate.inner_text()
