"""The statutory 隐患排查治理情况统计表 list is paginated with the one list toolkit: a page of
hospitals, the filters (type, period, region) kept in the links, the confirmed count of the
whole region."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from reports.choices import ReportType
from reports.periods import Period
from reports.statutory import statutory_confirm

pytestmark = pytest.mark.django_db

Q3 = Period.quarter(2026, 3)


def test_statutory_list_pages_hospitals_and_counts_the_whole_region(
    client, monkeypatch, on_report_day, county, hospital_a, hospital_a2, officer_a, county_bureau
):
    monkeypatch.setattr("reports.views.STATUTORY_PAGE_SIZE", 1)
    statutory_confirm(
        hospital=hospital_a, report_type=ReportType.HAZARD_STATS_QUARTER, period=Q3, by=officer_a
    )
    client.force_login(county_bureau)
    params = {"type": ReportType.HAZARD_STATS_QUARTER, "period": Q3.key, "region": county.pk}
    first = client.get(reverse("reports:statutory"), params)
    second = client.get(reverse("reports:statutory"), {**params, "page": 2})
    shown = [{row.hospital.pk for row in response.context["rows"]} for response in (first, second)]
    assert shown[0] | shown[1] == {hospital_a.pk, hospital_a2.pk}
    assert len(shown[0]) == len(shown[1]) == 1
    for response in (first, second):
        assert 'id="statutory-confirmed">1 / 2<' in response.content.decode()
    body = first.content.decode()
    next_link = re.search(r'href="\?([^"]*)" data-next-page', body).group(1).replace("&amp;", "&")
    assert next_link == f"type=hazard_stats_quarter&period={Q3.key}&region={county.pk}&page=2"
    assert client.get(reverse("reports:statutory"), {**params, "page": "x"}).status_code == 200
