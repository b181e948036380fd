"""Phone layouts (issue 13 parts 1–2), in real Chromium at 390×844.

- For a hospital officer and a bureau inspector of the seeded demo: every page reachable from
  我的工作, the home page and the navigation (one or two pages per URL pattern) has no horizontal
  page scroll at 390 px nor at 360 px, and no visible table scrolls sideways inside its box.
  A screenshot of each page goes to var/browser-screenshots/phone/.
- An inspector lands on 我的工作 after login, starts the day's inspection from there, records one
  failure with a photo and marks the other 41 items 合格 with one tap, then submits.
"""

from __future__ import annotations

import io
import re
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command

from hazards.models import Hazard
from inspections import checklist_seed
from inspections.choices import AssignmentKind, InspectionStatus, PhotoKind, Result
from inspections.models import (
    AnswerPhoto,
    Assignment,
    ChecklistItem,
    ChecklistSection,
    ChecklistTemplate,
    Inspection,
)
from tests.browser.conftest import SCREENSHOTS, eventually, image_file
from tests.factories import BureauDepartmentFactory, BureauUserFactory

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PHONE_SHOTS = SCREENSHOTS / "phone"
NARROW = {"width": 360, "height": 780}
PHONE = {"width": 390, "height": 844}

# Never visited: leaving the session, Django's admin, files and downloads.
SKIP = re.compile(
    r"^/(accounts/logout|admin|static|i18n|jsi18n|csp-report)"
    r"|\.(xlsx|pdf|png|jpg|csv|zip)$"
    r"|/(download|evidence|photos?|ledger)/"
    r"|/dossier\.|/reports/\d+/(status|download)"
)
PER_PATTERN = 1
MAX_PAGES = 70

# The page's widest point against the window, and every visible table whose box scrolls.
MEASURE = """
() => {
  const wide = [];
  document.querySelectorAll("table").forEach((table) => {
    if (!table.getClientRects().length) { return; }  // not shown (closed <details>, collapsed)
    const box = table.closest(".table-responsive") || table.parentElement;
    if (box.scrollWidth > box.clientWidth + 1) {
      wide.push({
        id: table.id || table.className,
        box: box.clientWidth,
        content: box.scrollWidth,
      });
    }
  });
  return {
    page: document.documentElement.scrollWidth,
    inner: window.innerWidth,
    tables: wide,
  };
}
"""

LINKS = """
() => Array.from(document.querySelectorAll("a[href]"))
  .map((a) => a.getAttribute("href"))
  .filter((href) => href && href.startsWith("/") && !href.startsWith("//"))
"""


def _pattern(path: str) -> str:
    parts = urlsplit(path)
    return re.sub(r"\d+", "N", parts.path) + (
        "?" + "&".join(sorted(key.split("=")[0] for key in parts.query.split("&")))
        if parts.query
        else ""
    )


def _problems(page, label: str) -> list[str]:
    found = []
    for size in (PHONE, NARROW):
        page.set_viewport_size(size)
        page.wait_for_timeout(30)
        measured = page.evaluate(MEASURE)
        if measured["page"] > measured["inner"]:
            found.append(
                f"{label} at {size['width']}px: page is {measured['page']}px wide "
                f"(window {measured['inner']}px)"
            )
        for table in measured["tables"]:
            found.append(
                f"{label} at {size['width']}px: table {table['id']!r} scrolls sideways "
                f"({table['content']}px in a {table['box']}px box)"
            )
    page.set_viewport_size(PHONE)
    return found


def _shot(page, who: str, url: str) -> None:
    PHONE_SHOTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", f"{who}{urlsplit(url).path}").strip("_")
    page.screenshot(path=PHONE_SHOTS / f"{name or who}.png", full_page=False)


def crawl(page, who: str, start: list[str]) -> tuple[list[str], list[str]]:
    """Visit `start` and what their links lead to; return (problems, pages visited)."""
    queue = list(start)
    seen: set[str] = set()
    per_pattern: dict[str, int] = {}
    visited: list[str] = []
    problems: list[str] = []
    while queue and len(visited) < MAX_PAGES:
        url = urldefrag(queue.pop(0)).url
        if url in seen or SKIP.search(urlsplit(url).path):
            continue
        seen.add(url)
        try:
            response = page.goto(url)
        except Exception:  # a download or an aborted navigation: not a page
            continue
        if response is None or response.status != 200:
            continue
        if not (response.headers.get("content-type", "")).startswith("text/html"):
            continue
        if "/accounts/login/" in page.url:
            problems.append(f"{who} was logged out at {url}")
            break
        visited.append(url)
        problems.extend(_problems(page, f"{who} {url}"))
        _shot(page, who, url)
        for link in page.evaluate(LINKS):
            link = urldefrag(link).url
            if link in seen or SKIP.search(urlsplit(link).path):
                continue
            pattern = _pattern(link)
            if per_pattern.get(pattern, 0) >= PER_PATTERN:
                continue
            per_pattern[pattern] = per_pattern.get(pattern, 0) + 1
            queue.append(link)
    return problems, visited


@pytest.fixture
def demo(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    call_command("seed_demo", stdout=io.StringIO())
    from accounts.demo import DEMO_PASSWORD
    from accounts.models import User

    return {u.username: u for u in User.objects.filter(username__in=["jjyy_officer", "jj_gw"])}, (
        DEMO_PASSWORD
    )


# The pages a person uses on site, whether or not a link of the crawl reaches them first.
ON_SITE = [
    "/my-work/",
    "/",
    "/inspections/calendar/",
    "/inspections/",
    "/hazards/",
    "/hazards/todo/",
    "/hazards/overdue/",
    "/notifications/",
    "/security/",
]


def test_no_page_scrolls_sideways_on_a_phone(open_page, login, demo):
    users, password = demo
    problems = []
    for username in ("jjyy_officer", "jj_gw"):
        user = users[username]
        page = login(open_page("phone"), user, password)
        # Everyone lands on 我的工作.
        assert urlsplit(page.url).path == "/my-work/"
        start = list(ON_SITE)
        if username == "jj_gw":
            start.insert(4, "/security/overview/")
        # The checklist and its review: a draft started from 我的工作 (or the calendar).
        draft = (
            Inspection.objects.filter(status=InspectionStatus.DRAFT, created_by=user)
            .order_by("-pk")
            .first()
        )
        if draft is None:
            assignment = Assignment.objects.actionable_by(user).order_by("-due_date").first()
            if assignment is not None:
                from inspections.services import inspection_start

                draft = inspection_start(by=user, assignment=assignment)
        if draft is not None:
            start[1:1] = [f"/inspections/{draft.pk}/record/", f"/inspections/{draft.pk}/review/"]
        found, visited = crawl(page, username, start)
        problems.extend(found)
        assert len(visited) >= 25, visited  # the crawl really went round the product
        for path in ("/my-work/", "/inspections/calendar/", "/hazards/", "/notifications/"):
            assert path in visited, (username, path)
        if draft is not None:
            assert f"/inspections/{draft.pk}/record/" in visited
    assert not problems, "\n".join(problems)


@pytest.fixture
def linked_day(county, hospital_a):
    """The built-in checklist, the department linked to hospital A, its inspector and today's
    linked-department day (as in test_inspection_journey)."""
    from core.dates import today

    checklist_seed.install(ChecklistTemplate, ChecklistSection, ChecklistItem)
    department = BureauDepartmentFactory(region=county, name="医政医管股")
    hospital_a.linked_department = department
    hospital_a.save()
    inspector = BureauUserFactory(
        username="linked_inspector", full_name="王检查", region=county, department=department
    )
    assignment = Assignment.objects.create(
        kind=AssignmentKind.LINKED,
        hospital=hospital_a,
        department=department,
        period=today().replace(day=1),
        due_date=today(),
    )
    return inspector, assignment


def test_inspector_completes_the_checklist_with_one_failure_in_a_few_taps(
    open_page, login, linked_day
):
    inspector, assignment = linked_day
    taps = []

    def tap(locator):
        taps.append(locator)
        locator.click()

    page = login(open_page("phone"), inspector)
    page.wait_for_url("**/my-work/")
    row = page.locator("[data-task=assignment]").filter(has_text=assignment.hospital.name)
    assert row.get_by_text(assignment.due_date.isoformat()).is_visible()
    tap(row.get_by_role("button", name="开始检查"))
    page.wait_for_url("**/record/**")
    inspection = Inspection.objects.get(assignment=assignment)
    total = inspection.answers.count()
    assert total == 42
    assert not _problems(page, "record")

    answer = inspection.answers.select_related("item").get(item__code="FIRE-01")
    card = page.locator(f"#item-{answer.pk}")
    tap(card.get_by_text("不合格", exact=True))
    location = card.get_by_label("隐患部位")
    # The location is marked required.
    assert "field-required" in location.locator(
        "xpath=ancestor::div[contains(@class,'col-')]"
    ).first.get_attribute("class")
    location.fill("门诊楼一层东侧安全出口")
    card.get_by_text("已保存").wait_for()
    card.get_by_label("检查照片").set_input_files(image_file("出口.png"))
    assert eventually(
        lambda: AnswerPhoto.objects.filter(answer=answer, kind=PhotoKind.FINDING).count() == 1
    )
    card.get_by_text("已保存").wait_for()
    _shot(page, "journey", "/record-failure")

    # "下一不合格项" finds the failure; "其余 41 项全部合格" answers the rest of all sections.
    page.get_by_role("link", name="下一不合格项").click()
    button = page.get_by_test_id("pass-remaining")
    assert "41" in button.inner_text()
    tap(button)
    page.wait_for_url("**/review/")
    _shot(page, "journey", "/review")
    assert not _problems(page, "review")
    assert inspection.answers.filter(result=Result.PASS).count() == total - 1
    assert inspection.answers.filter(result=Result.FAIL).count() == 1

    tap(page.get_by_role("button", name="提交并锁定"))
    page.wait_for_url(f"**/inspections/{inspection.pk}/")
    _shot(page, "journey", "/submitted")
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.SUBMITTED
    hazard = Hazard.objects.get(hospital=assignment.hospital)
    assert hazard.location == "门诊楼一层东侧安全出口"
    assert hazard.evidence.count() == 1
    # Today the 41 passes cost a tap each, or two per section (open it, 其余合格): with the
    # whole-checklist action the journey is four taps and a photo.
    sections = inspection.template.sections.count()
    assert len(taps) == 4 < 2 * sections
