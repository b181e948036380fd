"""Deep pages of the hazard list are keyset pages (`?after=<found_on>,<id>`): following the
"next" links shows every row once, in the same order as the numbered pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from core.dates import today
from tests.hazards.factories import raise_hazard

pytestmark = pytest.mark.django_db

NEXT = re.compile(r'href="\?([^"]*)" data-next-page')


def _codes(response) -> list[str]:
    return [hazard.code for hazard in response.context["page_obj"]]


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr("hazards.views.PAGE_SIZE", 2)
    monkeypatch.setattr("hazards.views.KEYSET_FROM_PAGE", 2)


def test_next_links_walk_every_row_once_in_order(client, small_pages, hospital_a, officer_a):
    for n in range(9):  # three rows a day: ties on found_on are broken by id
        raise_hazard(
            hospital=hospital_a, found_by=officer_a, found_on=today() - dt.timedelta(n // 3)
        )
    client.force_login(officer_a)
    url = reverse("hazards:list")
    numbered = []
    for number in range(1, 6):
        numbered += _codes(client.get(url, {"page": number}))
    assert len(numbered) == len(set(numbered)) == 9

    walked, query, keyset_pages = [], "", 0
    while True:
        response = client.get(f"{url}?{query}")
        assert response.status_code == 200
        walked += _codes(response)
        keyset_pages += "after=" in query
        assert response.context["page_obj"].paginator.count == 9  # the badge: all rows
        found = NEXT.search(response.content.decode())
        if not found:
            break
        query = found.group(1).replace("&amp;", "&")
    assert walked == numbered
    assert keyset_pages == 3  # page 1 and 2 are numbered; "next" from page 2 on is a keyset


def test_keyset_keeps_the_filters_and_ignores_a_malformed_after(
    client, small_pages, hospital_a, officer_a
):
    for n in range(5):
        raise_hazard(hospital=hospital_a, found_by=officer_a, found_on=today() - dt.timedelta(n))
    client.force_login(officer_a)
    url = reverse("hazards:list")
    first = _codes(client.get(url, {"status": "open"}))
    assert _codes(client.get(url, {"status": "open", "after": "x,1"})) == first
    assert _codes(client.get(url, {"after": "2020-13-01,5"})) == first
    second = client.get(url, {"status": "open", "page": 2}).content.decode()
    assert "status=open&amp;after=" in second
    # Another order than newest-first keeps numbered pages.
    assert "after=" not in client.get(url, {"o": "code", "page": 2}).content.decode()
