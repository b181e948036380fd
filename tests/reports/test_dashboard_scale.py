"""Over a large scope the dashboard is cached (with its as-of) and its league table paginated:
the figures are those of the live computation."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.reports.test_dashboard import kpi

pytestmark = pytest.mark.django_db

KPIS = ("found", "rectified", "rate", "overdue", "major_open", "coverage", "security")


def _kpis(client) -> dict:
    html = client.get(reverse("home"), {"period": "2026-Q3"}).content.decode()
    return {key: kpi(html, key) for key in KPIS}


def test_cached_dashboard_shows_the_live_figures(client, settings, scenario, city_bureau):
    client.force_login(city_bureau)
    settings.FIGURES_CACHE_MIN_HOSPITALS = 1000  # computed live
    live = _kpis(client)
    cache.clear()
    settings.FIGURES_CACHE_MIN_HOSPITALS = 0  # every scope cached
    assert _kpis(client) == live
    assert _kpis(client) == live  # from the cache


def test_league_table_is_paginated(client, monkeypatch, scenario, city_bureau):
    monkeypatch.setattr("reports.views.LEAGUE_PAGE_SIZE", 1)
    client.force_login(city_bureau)
    response = client.get(reverse("home"), {"period": "2026-Q3", "page": 2})
    page = response.context["league_page"]
    assert page.number == 2 and len(page.object_list) == 1
    assert page.paginator.count == len(response.context["league_hospitals"]) > 1
    assert "page=3#league" in response.content.decode() or page.paginator.num_pages == 2
