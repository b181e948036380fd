"""The audit administrator on a phone: the audit log, an entry and the user pages of the
security administrator fit a 390/360 px screen (the crawl of test_phone.py)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from audit.choices import Action
from audit.recorder import audit_record
from core.roles import Role
from tests.browser.test_phone import crawl
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(county, officer_a, county_bureau):
    auditor = UserFactory(username="phone_auditor", role=Role.AUDITOR, region=county)
    secadmin = UserFactory(username="phone_secadmin", role=Role.SECADMIN, region=county)
    for action in (Action.LOGIN, Action.EXPORT, Action.PERMISSION_DENIED):
        audit_record(
            action,
            actor=officer_a,
            object_type="hazards",
            object_id="7",
            object_repr="住院楼配电房电缆老化,绝缘层破损,需更换" * 3,
            detail={"url_name": "hazards:detail", "query": "a=" + "x" * 200},
        )
    audit_record(Action.LOGIN_FAILED, username="county_bureau_with_a_long_name" * 3)
    return auditor, secadmin


def test_audit_and_user_pages_fit_a_phone(open_page, login, people):
    auditor, secadmin = people
    problems = []
    page = login(open_page("phone"), auditor)
    assert urlsplit(page.url).path == "/audit/"
    found, visited = crawl(page, "auditor", ["/audit/", "/audit/?action=login"])
    problems.extend(found)
    assert any(urlsplit(url).path.rstrip("/").split("/")[-1].isdigit() for url in visited)
    page = login(open_page("phone"), secadmin)
    assert urlsplit(page.url).path == "/accounts/users/"
    found, visited = crawl(page, "secadmin", ["/accounts/users/"])
    problems.extend(found)
    assert "/accounts/users/new/" in visited
    assert not problems, "\n".join(problems)
