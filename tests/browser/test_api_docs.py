"""Desk: an administrator issues an API token on the token page, sees it once, and opens the
API docs (Swagger UI served from static/ under the strict CSP; the fixture fails the test on
any CSP violation or console error)."""

from __future__ import annotations

import pytest

from api.models import ApiToken
from api.services import token_issue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_administrator_issues_a_token_and_reads_the_api_docs(
    open_page, login, county_admin, officer_a, settings
):
    # Duties combined: the system administrator also manages accounts and their tokens.
    settings.ADMIN_DUTIES_SEPARATED = False
    page = login(open_page("desktop"), county_admin)
    page.goto("/api-tokens/")
    page.get_by_role("link", name="签发令牌").first.click()
    page.select_option("select[name=owner]", str(officer_a.pk))
    page.fill("input[name=name]", "医院信息平台")
    page.select_option("select[name=scope]", "read")
    page.get_by_role("button", name="保存").click()
    secret = page.locator("[data-token-secret]").inner_text().strip()
    token = ApiToken.objects.get()
    assert secret.startswith(f"sh_{token.prefix}_")
    assert token.owner == officer_a
    page.goto("/api/docs/")
    page.locator(".swagger-ui .info .title").wait_for()
    assert "Safe Hospital API" in page.locator(".swagger-ui .info .title").inner_text()
    page.locator(".opblock-summary-path", has_text="/api/v1/hazards/").first.wait_for()


WIDTH = "() => [document.documentElement.scrollWidth, window.innerWidth]"


def test_token_page_and_docs_fit_a_phone(open_page, login, county_admin, officer_a, settings):
    settings.ADMIN_DUTIES_SEPARATED = False
    token, _secret = token_issue(
        owner=officer_a, name="医院信息平台对接", scope="read", expires_on=None, by=county_admin
    )
    page = login(open_page("phone"), officer_a)
    page.goto("/api-tokens/")
    assert page.get_by_text(token.name).is_visible()
    for url in ("/api-tokens/", "/api/docs/"):
        page.goto(url)
        if url == "/api/docs/":
            page.locator(".swagger-ui .info .title").wait_for()
        for width in (390, 360):
            page.set_viewport_size({"width": width, "height": 800})
            page.wait_for_timeout(50)
            scroll, inner = page.evaluate(WIDTH)
            assert scroll <= inner, f"{url} at {width}px is {scroll}px wide"
