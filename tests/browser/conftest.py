"""Real-browser journeys: Playwright (sync API) driving Debian's Chromium against `live_server`.

- `browser` (package scope): one Chromium for all journeys.
- `open_page("phone" | "desktop")`: a fresh context (own cookies) in the Chinese UI, on a phone
  (390×844, touch) or a desk. Every page records console errors, uncaught exceptions and CSP
  violations (`securitypolicyviolation`, kept in `window.__cspViolations` and reported to
  Python so none is lost when the page navigates). At the end of the test each page leaves a
  screenshot of its last state under var/browser-screenshots/, and the test fails if any page
  logged an error or a violation.
- `login(page, user)`: through the real login form.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.conftest import CHROMIUM, _browser_available, _service_gate
from tests.factories import DEFAULT_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("BROWSER_SCREENSHOTS", ROOT / "var" / "browser-screenshots"))

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

VIEWPORTS = {
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
    "desktop": {"viewport": {"width": 1366, "height": 900}},
}

# Recorded in every document before the page's own scripts run.
CSP_LISTENER = """
(() => {
  window.__cspViolations = [];
  document.addEventListener("securitypolicyviolation", (event) => {
    const violation = {
      directive: event.violatedDirective,
      blocked: event.blockedURI,
      source: event.sourceFile,
      line: event.lineNumber,
      sample: event.sample,
      page: location.pathname,
    };
    window.__cspViolations.push(violation);
    if (window.__reportCspViolation) { window.__reportCspViolation(violation); }
  }, true);
})();
"""


@pytest.fixture(scope="session")
def live_server():
    """pytest-django's live server. Django's test server wraps a handler for MEDIA_URL, which
    this project leaves unset on purpose (evidence is private, never served from a URL); it
    gets the storage's unrouted prefix while the server starts."""
    from django.conf import settings
    from pytest_django.live_server_helper import LiveServer

    media_url = settings.MEDIA_URL
    settings.MEDIA_URL = "/nonexistent-private-media/"
    try:
        server = LiveServer(os.environ.get("DJANGO_LIVE_TEST_SERVER_ADDRESS", "localhost"))
    finally:
        settings.MEDIA_URL = media_url
    yield server
    server.stop()


@pytest.fixture(scope="package")
def browser():
    ok, why = _browser_available()
    _service_gate(None, ok, why)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop in this thread; the tests' own ORM calls are
    # synchronous and safe, so Django's async-safety check is switched off while it runs.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "1"
    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        yield chromium
    finally:
        chromium.close()
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class PageProblems:
    def __init__(self):
        self.console_errors: list[str] = []
        self.csp_violations: list[dict] = []


@pytest.fixture
def open_page(browser, live_server, request):
    """open_page("phone"|"desktop") → a page in its own context; checked and photographed at
    the end of the test."""
    opened = []

    def open_(viewport: str = "desktop"):
        context = browser.new_context(
            base_url=live_server.url,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            accept_downloads=True,
            extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"},
            **VIEWPORTS[viewport],
        )
        context.set_default_timeout(15_000)
        problems = PageProblems()
        context.expose_binding(
            "__reportCspViolation", lambda source, v: problems.csp_violations.append(v)
        )
        context.add_init_script(CSP_LISTENER)
        page = context.new_page()
        page.on(
            "console",
            lambda msg: (
                problems.console_errors.append(f"{msg.text} ({msg.location.get('url')})")
                if msg.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda exc: problems.console_errors.append(f"uncaught: {exc}"))
        # Destructive buttons ask first (data-confirm): the journeys answer yes.
        page.on("dialog", lambda dialog: dialog.accept())
        opened.append((viewport, context, page, problems))
        return page

    yield open_

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    failures = []
    for index, (viewport, context, page, problems) in enumerate(opened, 1):
        if not page.is_closed():
            try:
                page.screenshot(
                    path=SCREENSHOTS / f"{name}-{index}-{viewport}.png", full_page=False
                )
                problems.csp_violations.extend(
                    v
                    for v in page.evaluate("window.__cspViolations || []")
                    if v not in problems.csp_violations
                )
            except Exception as exc:  # a crashed page is reported by the test itself
                failures.append(f"page {index}: could not inspect the last page: {exc}")
        context.close()
        if problems.console_errors:
            failures.append(f"page {index} ({viewport}) console errors: {problems.console_errors}")
        if problems.csp_violations:
            failures.append(f"page {index} ({viewport}) CSP violations: {problems.csp_violations}")
    if failures:
        pytest.fail("\n".join(failures), pytrace=False)


@pytest.fixture
def login():
    def login_(page, user, password: str = DEFAULT_PASSWORD):
        page.goto("/accounts/login/")
        page.get_by_label("用户名").fill(user.username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录", exact=True).click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    return login_


def eventually(predicate, timeout: float = 15.0, interval: float = 0.1):
    """Poll `predicate` (e.g. a database query) until it returns something truthy."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def image_file(name: str = "photo.png", color=(200, 30, 30)) -> dict:
    """An in-memory PNG for `set_input_files`."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), color).save(buffer, "PNG")
    return {"name": name, "mimeType": "image/png", "buffer": buffer.getvalue()}
