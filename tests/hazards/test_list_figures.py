"""The hazard list's tiles and count come from one query, and over a large scope they are
cached until a hazard changes: never stale after a transition."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from core.dates import today
from hazards.models import Hazard
from hazards.selectors import list_figures, rectification_rate
from hazards.services import hazard_accept
from tests.hazards.conftest import start, submit
from tests.hazards.factories import raise_hazard

pytestmark = pytest.mark.django_db


def _tiles(response) -> tuple:
    figures = response.context["figures"]
    return (
        figures.found,
        figures.rectified,
        figures.overdue,
        response.context["page_obj"].paginator.count,
    )


def test_list_figures_equal_the_rate_and_the_count(hospital_a, officer_a):
    past = today() - dt.timedelta(days=20)
    for i in range(5):
        raise_hazard(
            hospital=hospital_a,
            found_by=officer_a,
            found_on=past,
            deadline=past + dt.timedelta(days=5 + 10 * i),
            fixed_on_the_spot=i == 0,
            rectification_measures="当场整改" if i == 0 else "",
        )
    qs = Hazard.objects.filter(hospital=hospital_a)
    figures, total = list_figures(qs)
    assert figures == rectification_rate(qs)
    assert total == qs.count() == 5


@pytest.mark.parametrize("threshold", [0, 1000])
def test_cached_list_figures_follow_every_transition(
    client, settings, hospital_a, officer_a, threshold
):
    """threshold 0: every scope is "large" (cached); 1000: computed every time. Same pages."""
    settings.FIGURES_CACHE_MIN_HOSPITALS = threshold
    hazard = raise_hazard(hospital=hospital_a, found_by=officer_a)
    client.force_login(officer_a)
    url = reverse("hazards:list")
    assert _tiles(client.get(url)) == (1, 0, 0, 1)
    assert _tiles(client.get(url)) == (1, 0, 0, 1)
    raise_hazard(hospital=hospital_a, found_by=officer_a)
    assert _tiles(client.get(url)) == (2, 0, 0, 2)
    start(hazard, officer_a)
    submit(hazard, officer_a)
    hazard_accept(hazard=Hazard.objects.get(pk=hazard.pk), by=officer_a, note="合格")
    assert _tiles(client.get(url)) == (2, 1, 0, 2)


def test_hospital_picker_lists_only_the_chosen_hospital_and_searches_in_scope(
    client, settings, county_bureau, hospital_a, hospital_b
):
    settings.FIGURES_CACHE_MIN_HOSPITALS = 1  # the county's one hospital makes it "large"
    client.force_login(county_bureau)
    html = client.get(reverse("hazards:list"), {"hospital": hospital_a.pk}).content.decode()
    assert "data-hospital-picker" in html
    assert hospital_a.name in html
    found = client.get(reverse("hospitals:search"), {"q": ""}).json()["results"]
    assert [row["id"] for row in found] == [hospital_a.pk]
    outsider = client.get(reverse("hospitals:search"), {"q": hospital_b.name}).json()
    assert outsider["results"] == []
