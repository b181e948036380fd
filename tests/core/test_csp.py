"""Content-Security-Policy: the header's directives, the violation report endpoint, and that no
page we render needs anything the policy forbids (inline script, on*= handler, style= attribute,
<style> block, javascript: link)."""

from __future__ import annotations

import io
import json
import logging
import re
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


def test_every_page_carries_the_strict_policy(client, officer_a):
    for response in (
        client.get(reverse("login")),
        (client.force_login(officer_a), client.get(reverse("home")))[1],
    ):
        policy = directives(response["Content-Security-Policy"])
        assert policy == {
            "default-src": ["'self'"],
            "script-src": ["'self'"],
            "style-src": ["'self'"],
            "img-src": ["'self'", "data:"],
            "font-src": ["'self'"],
            "connect-src": ["'self'"],
            "object-src": ["'none'"],
            "base-uri": ["'none'"],
            "frame-ancestors": ["'none'"],
            "form-action": ["'self'"],
            "report-uri": [reverse("csp_report")],
        }
        assert "unsafe" not in response["Content-Security-Policy"]


def test_private_files_keep_their_sandbox_policy(rf):
    """django-csp never overwrites a policy a view set itself (core.http.file_response)."""
    from csp.middleware import CSPMiddleware

    from core.http import file_response

    request = rf.get("/some/file/")
    middleware = CSPMiddleware(
        lambda request: file_response(io.BytesIO(b"%PDF-1.4"), "报告.pdf", "application/pdf")
    )
    response = middleware(request)
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'; img-src 'self'"


def _report(**fields) -> bytes:
    body = {
        "document-uri": "https://anquan.example.gov.cn/hazards/",
        "violated-directive": "script-src-elem",
        "effective-directive": "script-src-elem",
        "blocked-uri": "inline",
        "source-file": "https://anquan.example.gov.cn/hazards/",
        "line-number": 12,
        "script-sample": "alert(1)",
    }
    body.update(fields)
    return json.dumps({"csp-report": body}).encode()


def test_a_violation_report_is_logged_without_login_or_csrf_token(caplog):
    client = Client(enforce_csrf_checks=True)
    with caplog.at_level(logging.WARNING, logger="safehospital.csp"):
        response = client.post(
            reverse("csp_report"), _report(), content_type="application/csp-report"
        )
    assert response.status_code == 204
    (record,) = [r for r in caplog.records if r.name == "safehospital.csp"]
    assert record.levelno == logging.WARNING
    message = record.getMessage()
    assert "directive='script-src-elem'" in message and "blocked='inline'" in message
    assert "document='https://anquan.example.gov.cn/hazards/'" in message


def test_a_reporting_api_report_is_logged_too(client, caplog):
    body = [
        {
            "type": "csp-violation",
            "body": {
                "documentURL": "https://anquan.example.gov.cn/",
                "effectiveDirective": "style-src-attr",
                "blockedURL": "inline",
            },
        }
    ]
    with caplog.at_level(logging.WARNING, logger="safehospital.csp"):
        response = client.post(
            reverse("csp_report"), json.dumps(body), content_type="application/reports+json"
        )
    assert response.status_code == 204
    assert "directive='style-src-attr'" in caplog.records[-1].getMessage()


def test_a_forged_report_cannot_forge_log_lines(client, caplog):
    with caplog.at_level(logging.WARNING, logger="safehospital.csp"):
        client.post(
            reverse("csp_report"),
            _report(**{"blocked-uri": "x\n2026-01-01 WARNING fake line" + "y" * 5000}),
            content_type="application/csp-report",
        )
    message = caplog.records[-1].getMessage()
    assert "\n" not in message
    assert len(message) < 2500


def test_oversized_malformed_and_get_reports_are_refused(client, settings, caplog):
    url = reverse("csp_report")
    with caplog.at_level(logging.WARNING, logger="safehospital.csp"):
        big = _report(**{"script-sample": "x" * settings.CSP_REPORT_MAX_BYTES})
        assert client.post(url, big, content_type="application/csp-report").status_code == 413
        assert client.post(url, b"{not json", content_type="application/json").status_code == 400
        assert client.post(url, b'{"a": 1}', content_type="application/json").status_code == 400
        assert client.get(url).status_code == 405
    assert not [r for r in caplog.records if r.name == "safehospital.csp"]


# --- Every page we can reach, for several roles -------------------------------------------------


class _Inline(HTMLParser):
    """Collects what a strict policy blocks: inline scripts (JSON data blocks are not
    executed and are allowed), <style> blocks, style= and on*= attributes, javascript: URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script" and not names.get("src"):
            if (names.get("type") or "").lower() != "application/json":
                self.problems.append(f"inline <script> at line {self.getpos()[0]}")
        if tag == "style":
            self.problems.append(f"<style> block at line {self.getpos()[0]}")
        for name, value in attrs:
            if name == "style":
                self.problems.append(f'<{tag} style="{value}">')
            elif name.startswith("on"):
                self.problems.append(f'<{tag} {name}="{value}">')
            elif name in ("href", "src", "action", "formaction") and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.problems.append(f'<{tag} {name}="{value}">')
        if tag == "a" and names.get("href"):
            self.links.append(names["href"])

    handle_startendtag = handle_starttag


def inline_problems(html: str) -> tuple[list[str], list[str]]:
    parser = _Inline()
    parser.feed(html)
    parser.close()
    return parser.problems, parser.links


def test_the_checker_finds_what_the_policy_blocks():
    problems, _links = inline_problems(
        '<script>alert(1)</script><script src="/static/a.js"></script>'
        '<script type="application/json" id="d">{"a": 1}</script>'
        '<style>p{}</style><p style="color:red"><button onclick="x()">'
        '<a href="javascript:void(0)">x</a><select onChange="y()"></select>'
    )
    assert len(problems) == 6, problems


# Never followed: leaving the session, Django's own admin (not our templates), and files.
SKIP_PREFIXES = ("/accounts/logout/", "/admin/", "/static/", "/i18n/", "/jsi18n/")
PER_PATTERN = 2  # /hazards/12/ and /hazards/13/ render the same template
MAX_PAGES_PER_USER = 120


def _pattern(path: str) -> str:
    return re.sub(r"\d+", "N", urlsplit(path).path)


def crawl(client: Client, templates: set[str]) -> tuple[dict[str, list[str]], int]:
    seen: set[str] = set()
    per_pattern: Counter[str] = Counter()
    queue = deque([reverse("home")])
    problems: dict[str, list[str]] = {}
    html_pages = 0
    while queue and html_pages < MAX_PAGES_PER_USER:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        content_type = response.get("Content-Type", "")
        if response.status_code != 200 or not content_type.startswith("text/html"):
            continue
        html_pages += 1
        templates.update(t.name for t in response.templates if t.name)
        assert "Content-Security-Policy" in response, url
        found, links = inline_problems(response.content.decode())
        if found:
            problems[url] = found
        for link in links:
            link = urldefrag(link).url
            if not link.startswith("/") or link.startswith("//"):
                continue
            if link.startswith(SKIP_PREFIXES) or link in seen:
                continue
            pattern = _pattern(link) + ("?" if "?" in link else "")
            if per_pattern[pattern] >= PER_PATTERN:
                continue
            per_pattern[pattern] += 1
            queue.append(link)
    return problems, html_pages


def test_no_page_needs_inline_script_or_style(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    call_command("seed_demo", stdout=io.StringIO())
    from accounts.models import User

    pages = {}
    all_problems = {}
    templates: set[str] = set()
    # A superuser, a city administrator, city and county bureau staff, a hospital officer.
    for username in ("root", "admin", "qz_bureau", "jj_bureau", "jjyy_officer"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        problems, pages[username] = crawl(client, templates)
        all_problems.update({f"{username} {url}": found for url, found in problems.items()})
    # Pages the links do not lead to: an inspection being recorded (started by a POST), the
    # error pages and the anonymous login page.
    from django.template.loader import render_to_string

    from inspections.models import Assignment

    officer = User.objects.get(username="jjyy_officer")
    client = Client()
    client.force_login(officer)
    for assignment in Assignment.objects.actionable_by(officer).order_by("-due_date"):
        started = client.post(reverse("inspections:assignment_start", args=[assignment.pk]))
        if "/record/" in started.get("Location", ""):
            break
    record = client.get(started["Location"])
    assert record.status_code == 200 and "/record/" in started["Location"]
    templates.update(t.name for t in record.templates if t.name)
    extra = {
        "record": record.content.decode(),
        "404": client.get("/no-such-page/").content.decode(),
        "500": render_to_string("500.html"),
        "login": Client().get(reverse("login")).content.decode(),
    }
    for name, html in extra.items():
        found, _links = inline_problems(html)
        if found:
            all_problems[name] = found
    assert all_problems == {}
    # The crawl really went round the application, through the pages that had inline code.
    assert min(pages.values()) >= 15, pages
    assert templates >= {
        "hazards/detail.html",
        "hazards/dossier.html",
        "hazards/list.html",
        "hospitals/region_list.html",
        "includes/language_switch.html",
        "inspections/_answer_item.html",
        "inspections/calendar.html",
        "inspections/inspection_detail.html",
        "inspections/record.html",
        "inspections/template_detail.html",
        "notifications/delivery_list.html",
        "notifications/notification_list.html",
        "reports/bureau_home.html",
        "reports/export_list.html",
        "reports/export_detail.html",
        "accounts/user_form.html",
        "security/alarm_drills.html",
        "security/hospital.html",
        "security/overview.html",
        "security/plan_form.html",
        "security/plans.html",
    }, sorted(templates)
