"""Offline inspection (phone, 390×844): the officer opens the day's assignment online, loses the
connection, completes the whole checklist with one 不合格 item (hazard details and a photo) and
submits; the browser is closed and opened again on the same profile, the connection comes back,
the outbox syncs — and exactly one inspection, one hazard and one photo exist, even when every
sync request is replayed twice more.

A persistent Chromium profile (launch_persistent_context) keeps IndexedDB, the service worker
and its cache across the restart, as a phone does. Screenshots: var/browser-screenshots/offline/.
"""

from __future__ import annotations

import json
import re
import time

import pytest
from playwright.sync_api import expect

from core.dates import today
from hazards.models import Hazard, HazardEvidence
from inspections import checklist_seed
from inspections.choices import AssignmentKind, InspectionStatus, Result
from inspections.models import (
    AnswerPhoto,
    Assignment,
    ChecklistItem,
    ChecklistSection,
    ChecklistTemplate,
    Inspection,
    OfflineWrite,
)
from tests.browser.conftest import (
    CHROMIUM_ARGS,
    CSP_LISTENER,
    SCREENSHOTS,
    VIEWPORTS,
    image_file,
)
from tests.conftest import CHROMIUM

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SHOTS = SCREENSHOTS / "offline"
LOCATION = "门诊楼地下一层配电室"
NOTE = "配电箱门未关闭,线缆裸露"
POSITION = {"latitude": 30.274085, "longitude": 120.15507, "accuracy": 15}


@pytest.fixture
def self_day(hospital_a, officer_a):
    checklist_seed.install(ChecklistTemplate, ChecklistSection, ChecklistItem)
    assignment = Assignment.objects.create(
        kind=AssignmentKind.SELF,
        hospital=hospital_a,
        period=today().replace(day=1),
        due_date=today(),
    )
    return officer_a, assignment


class Phone:
    """A Chromium profile on disk, opened and closed like a phone's browser; every page is
    checked for console errors and CSP violations."""

    def __init__(self, browser, live_server, profile):
        self.browser_type = browser.browser_type
        self.base_url = live_server.url
        self.profile = str(profile)
        self.problems: list[str] = []
        # Console lines a test expects (the browser logs every 4xx answer as an error).
        self.expected: list[str] = []
        self.context = None

    def open(self):
        self.context = self.browser_type.launch_persistent_context(
            self.profile,
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            base_url=self.base_url,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"},
            permissions=["geolocation"],
            geolocation=POSITION,
            **VIEWPORTS["phone"],
        )
        self.context.set_default_timeout(15_000)
        self.context.expose_binding(
            "__reportCspViolation",
            lambda source, v: self.problems.append(f"CSP violation: {v}"),
        )
        self.context.add_init_script(CSP_LISTENER)
        page = self.context.pages[0] if self.context.pages else self.context.new_page()
        self.watch(page)
        return page

    def watch(self, page):
        page.on(
            "console",
            lambda msg: (
                self.problems.append(f"console: {msg.text} ({msg.location.get('url')})")
                if msg.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda exc: self.problems.append(f"uncaught: {exc}"))
        page.on("dialog", lambda dialog: dialog.accept())
        return page

    def shot(self, page, name):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SHOTS / f"{name}.png", full_page=False)

    def unexpected(self) -> list[str]:
        return [p for p in self.problems if not any(e in p for e in self.expected)]

    def close(self):
        if self.context is not None:
            self.context.close()
            self.context = None


def wait_ready(page):
    page.wait_for_selector("body[data-offline-loaded]")


def wait_stored_note(page, note: str, timeout: float = 10.0) -> None:
    """Until an inspection kept in IndexedDB holds `note` in one of its answers."""
    deadline = time.monotonic() + timeout
    script = """(note) => window.OfflineDB.all("inspections").then((records) =>
        records.some((r) => Object.values(r.local || {}).some((f) => f.note === note)))"""
    while not page.evaluate(script, note):
        assert time.monotonic() < deadline, f"{note!r} never reached IndexedDB"
        page.wait_for_timeout(100)


def test_offline_inspection_survives_a_restart_and_syncs_exactly_once(
    browser, live_server, login, self_day, tmp_path
):
    officer, assignment = self_day
    phone = Phone(browser, live_server, tmp_path / "profile")
    try:
        # --- Online: sign in, open the assignment list, start the day's inspection ----------
        page = login(phone.open(), officer)
        page.goto("/inspections/offline/")
        wait_ready(page)
        card = page.locator(".card").filter(has_text=assignment.hospital.name)
        card.get_by_role("button", name="开始检查").click()
        page.wait_for_url(re.compile(r"#inspection-\d+$"))
        page.locator("[data-item]").first.wait_for()
        inspection = Inspection.objects.get(assignment=assignment)
        total = inspection.answers.count()
        assert page.locator("[data-item]").count() == total
        page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller")
        phone.shot(page, "1-online-checklist")

        # --- Offline: the page reloads from the service worker, other pages say so ----------
        phone.context.set_offline(True)
        page.reload()
        page.locator("[data-item]").first.wait_for()
        assert page.locator("[data-offline-banner]").is_visible()
        assert page.locator("[data-network]").inner_text() == "离线"
        other = phone.watch(phone.context.new_page())
        other.goto("/hazards/")
        assert other.get_by_role("heading", name="需要网络连接").is_visible()
        phone.shot(other, "2-offline-fallback")
        other.close()

        # One failure with hazard details and a photo, every other item 合格, then submit.
        first = page.locator("[data-item]").first
        first.get_by_text("不合格", exact=True).click()
        first.get_by_label("检查情况").fill(NOTE)
        first.get_by_label("隐患部位").fill(LOCATION)
        first.get_by_label("隐患等级").select_option("general")
        first.get_by_label("检查照片").set_input_files(image_file("配电室.png"))
        first.locator("img.offline-thumb").wait_for()
        page.get_by_role("button", name="其余未填项全部合格").click()
        page.get_by_text(f"已填 {total} / {total} 项").wait_for()
        first.get_by_label("隐患描述").fill(NOTE)
        first.get_by_label("隐患部位").press("Tab")
        page.get_by_role("button", name="提交检查").click()
        page.get_by_text("本检查已提交,等待联网同步").wait_for()
        outbox = page.locator("[data-outbox] li")
        # Every answer, the photo, the submission: the last queued write may land a moment after
        # the "submitted" text, so wait for the count (it must still be exactly this).
        expect(outbox).to_have_count(total + 2)
        phone.shot(page, "3-offline-submitted")

        # Nothing reached the server while offline.
        inspection.refresh_from_db()
        assert inspection.status == InspectionStatus.DRAFT
        assert not inspection.answers.exclude(result="").exists()
        assert not AnswerPhoto.objects.exists()
        assert not Hazard.objects.exists()
        assert not OfflineWrite.objects.exists()

        # --- The phone restarts; the connection is back --------------------------------------
        phone.close()
        page = phone.open()
        syncs = []
        page.on(
            "request",
            lambda request: (
                syncs.append((request.url, request.post_data))
                if request.method == "POST" and "/offline/sync/" in request.url
                else None
            ),
        )
        page.goto("/inspections/offline/")
        wait_ready(page)
        page.get_by_text("没有待同步的内容。").wait_for()
        phone.shot(page, "4-synced")

        inspection.refresh_from_db()
        assert inspection.status == InspectionStatus.SUBMITTED
        assert Inspection.objects.filter(hospital=assignment.hospital).count() == 1
        assert inspection.answers.filter(result=Result.PASS).count() == total - 1
        failed = inspection.answers.get(result=Result.FAIL)
        assert (failed.note, failed.hazard_location) == (NOTE, LOCATION)
        assert Hazard.objects.count() == 1
        hazard = Hazard.objects.get()
        assert hazard.location == LOCATION
        assert HazardEvidence.objects.filter(hazard=hazard).count() == 1
        photo = AnswerPhoto.objects.get()
        assert photo.answer_id == failed.pk
        assert float(photo.latitude) == pytest.approx(POSITION["latitude"])
        assert photo.captured_at is not None and photo.uploaded_at is not None
        assert assignment.hospital.name in photo.stamp and "GPS" in photo.stamp

        # --- Every sync request replayed twice: nothing new ---------------------------------
        assert syncs, "the outbox never synced"
        token = next(c["value"] for c in phone.context.cookies() if c["name"] == "csrftoken")
        for url, body in syncs:
            for _replay in range(2):
                response = page.request.post(
                    url,
                    data=body,
                    headers={"Content-Type": "application/json", "X-CSRFToken": token},
                )
                assert response.status == 200, response.text()
                answer = json.loads(response.text())
                assert answer["applied"] == []
                assert answer["skipped"]
        assert Inspection.objects.filter(hospital=assignment.hospital).count() == 1
        assert Hazard.objects.count() == 1
        assert AnswerPhoto.objects.count() == 1
        assert HazardEvidence.objects.filter(hazard=hazard).count() == 1
        assert OfflineWrite.objects.count() == total + 2
        assert page.evaluate("window.__cspViolations || []") == []
    finally:
        phone.close()
    assert not phone.unexpected(), phone.unexpected()


def test_the_offline_page_says_what_waits_and_needs_no_server_for_it(
    browser, live_server, login, self_day, tmp_path
):
    """Typed offline, the tab closed before any sync: the note is still there when the app is
    opened again, still offline."""
    officer, assignment = self_day
    phone = Phone(browser, live_server, tmp_path / "profile")
    try:
        page = login(phone.open(), officer)
        page.goto("/inspections/offline/")
        wait_ready(page)
        page.locator(".card").filter(has_text=assignment.hospital.name).get_by_role(
            "button", name="开始检查"
        ).click()
        page.locator("[data-item]").first.wait_for()
        page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller")
        url = page.url

        phone.context.set_offline(True)
        first = page.locator("[data-item]").first
        first.get_by_text("合格", exact=True).click()
        first.get_by_label("检查情况").fill("灭火器压力正常")
        first.get_by_label("检查情况").press("Tab")
        # "已保存在本机" already shows from the 合格 tap: wait for the note itself to be in
        # IndexedDB (written on blur) before going on.
        wait_stored_note(page, "灭火器压力正常")
        page.close()

        page = phone.watch(phone.context.new_page())
        page.goto(url)
        first = page.locator("[data-item]").first
        first.wait_for()
        assert first.get_by_label("检查情况").input_value() == "灭火器压力正常"
        expect(page.locator("[data-outbox] li")).to_have_count(1)
        assert page.locator("[data-outbox-count]").inner_text() == "1"
        phone.shot(page, "5-outbox-offline")
        answer = Inspection.objects.get(assignment=assignment).answers.order_by("pk").first()
        assert answer.note == ""
    finally:
        phone.close()
    assert not phone.unexpected(), phone.unexpected()


def test_an_item_changed_elsewhere_meanwhile_is_shown_and_the_person_decides(
    browser, live_server, login, self_day, hospital_a, tmp_path
):
    from inspections import services
    from tests.factories import OfficerFactory

    officer, assignment = self_day
    phone = Phone(browser, live_server, tmp_path / "profile")
    phone.expected.append("status of 409 (Conflict)")  # the conflict this test provokes
    try:
        page = login(phone.open(), officer)
        page.goto("/inspections/offline/")
        wait_ready(page)
        page.locator(".card").filter(has_text=assignment.hospital.name).get_by_role(
            "button", name="开始检查"
        ).click()
        page.locator("[data-item]").first.wait_for()

        phone.context.set_offline(True)
        first = page.locator("[data-item]").first
        first.get_by_text("合格", exact=True).click()
        first.get_by_label("检查情况").fill("本机填写")
        first.get_by_label("检查情况").press("Tab")
        # "已保存在本机" already shows from the 合格 tap: wait for the note itself to be in
        # IndexedDB (written on blur) before going on.
        wait_stored_note(page, "本机填写")

        # Meanwhile a colleague answers the same item on another device.
        answer = Inspection.objects.get(assignment=assignment).answers.order_by("pk").first()
        colleague = OfficerFactory(username="colleague_a", hospital=hospital_a)
        services.answer_save(answer=answer, by=colleague, data={"result": "na", "note": "他人填写"})

        phone.context.set_offline(False)
        row = page.locator("[data-outbox] li").first
        row.get_by_text("有冲突").wait_for()
        assert row.get_by_text("服务器上:不适用,他人填写").is_visible()
        assert row.get_by_text("本机:合格,本机填写").is_visible()
        row.scroll_into_view_if_needed()
        phone.shot(page, "6-conflict")
        answer.refresh_from_db()
        assert (answer.result, answer.note) == ("na", "他人填写")  # not overwritten

        row.get_by_role("button", name="保留本机的填写").click()
        page.get_by_text("没有待同步的内容。").wait_for()
        answer.refresh_from_db()
        assert (answer.result, answer.note) == (Result.PASS, "本机填写")
    finally:
        phone.close()
    assert not phone.unexpected(), phone.unexpected()


def test_an_assignment_never_opened_online_is_started_and_submitted_offline(
    browser, live_server, login, self_day, tmp_path
):
    """The list was opened online, the inspection never started: it is started on the phone
    offline from the checklist the list brought, and created on the server by the sync."""
    officer, assignment = self_day
    phone = Phone(browser, live_server, tmp_path / "profile")
    try:
        page = login(phone.open(), officer)
        page.goto("/inspections/offline/")
        wait_ready(page)
        card = page.locator(".card").filter(has_text=assignment.hospital.name)
        card.get_by_text("检查表已保存到本机,没有网络也能开始").wait_for()
        page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller")

        phone.context.set_offline(True)
        page.reload()
        card = page.locator(".card").filter(has_text=assignment.hospital.name)
        card.get_by_role("button", name="开始检查").click()
        page.wait_for_url(re.compile(r"#inspection-assignment-\d+$"))
        first = page.locator("[data-item]").first
        first.get_by_text("不合格", exact=True).click()
        first.get_by_label("隐患部位").fill(LOCATION)
        first.get_by_label("检查照片").set_input_files(image_file("锅炉房.png"))
        first.locator("img.offline-thumb").wait_for()
        page.get_by_role("button", name="其余未填项全部合格").click()
        total = page.locator("[data-item]").count()
        page.get_by_text(f"已填 {total} / {total} 项").wait_for()
        page.get_by_role("button", name="提交检查").click()
        page.locator("[data-readonly]").get_by_text("等待联网同步").wait_for()
        assert not Inspection.objects.filter(assignment=assignment).exists()

        phone.context.set_offline(False)
        page.get_by_text("没有待同步的内容。").wait_for()
        page.wait_for_url(re.compile(r"#inspection-\d+$"))
        phone.shot(page, "7-started-offline-synced")
        [inspection] = Inspection.objects.filter(assignment=assignment)
        assert inspection.status == InspectionStatus.SUBMITTED
        assert inspection.answers.filter(result=Result.PASS).count() == total - 1
        assert Hazard.objects.get().location == LOCATION
        assert AnswerPhoto.objects.count() == 1
    finally:
        phone.close()
    assert not phone.unexpected(), phone.unexpected()
