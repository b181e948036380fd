"""The inspection list's row count, over a large scope, is cached under `inspections_version()`:
after every change (start, record, submit, delete a draft, a hospital moving out of the scope)
the cached count equals a fresh count."""

from __future__ import annotations

import pytest
from django.urls import reverse

from inspections.filters import InspectionFilter
from inspections.models import Answer, Inspection
from inspections.services import inspection_delete_draft, inspection_submit

from .factories import fill_all, started

pytestmark = pytest.mark.django_db

QUERIES = [{}, {"status": "draft"}, {"status": "submitted"}, {"has_failures": "false"}]


def _submit(inspection, by):
    fill_all(inspection)
    Answer.objects.filter(inspection=inspection, item__code="TRAIN-01").update(result="na")
    return inspection_submit(inspection=inspection, by=by)


@pytest.mark.parametrize("threshold", [0, 1000])
def test_cached_count_equals_a_fresh_count_after_every_change(
    client, settings, safety_template, county_bureau, officer_a, hospital_a, hospital_b, threshold
):
    """threshold 0: every scope is "large" (cached); 1000: counted every time. Same counts."""
    settings.FIGURES_CACHE_MIN_HOSPITALS = threshold

    def check(expected_all: int | None = None):
        for user in (officer_a, county_bureau):
            client.force_login(user)
            for params in QUERIES:
                for _ in range(2):  # the second request is the cached one
                    response = client.get(reverse("inspections:list"), params)
                    shown = response.context["page"].paginator.count
                    fresh = InspectionFilter(
                        params, queryset=Inspection.objects.visible_to(user), user=user
                    ).qs.count()
                    assert shown == fresh, (user.username, params)
        if expected_all is not None:
            client.force_login(officer_a)
            response = client.get(reverse("inspections:list"))
            assert response.context["page"].paginator.count == expected_all

    check(0)
    first = started(officer_a, hospital_a)  # a draft: the officer sees it, the bureau not
    check(1)
    second = started(officer_a, hospital_a)
    check(2)
    _submit(first, officer_a)
    check(2)
    inspection_delete_draft(inspection=second, by=officer_a)
    check(1)
    third = started(officer_a, hospital_a)
    _submit(third, officer_a)
    check(2)
    # The hospital moves to another county: the county bureau no longer sees its inspections.
    hospital_a.region = hospital_b.region
    hospital_a.save()
    check()
    client.force_login(county_bureau)
    assert client.get(reverse("inspections:list")).context["page"].paginator.count == 0
