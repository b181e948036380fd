from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.choices import ReportType
from reports.periods import Period
from reports.scope import ReportScope
from reports.services import build_report_bytes
from tests.factories import HospitalFactory
from tests.reports.factories import make_hazard
from tests.reports.helpers import as_dicts, load

pytestmark = pytest.mark.django_db


def kpi(html: str, key: str) -> str:
    match = re.search(rf'data-kpi="{key}">\s*([^<]+?)\s*<', html)
    assert match, key
    return match.group(1)


@pytest.mark.parametrize("user_fixture", ["county_bureau", "city_admin"])
def test_dashboard_figures_agree_with_the_quarterly_report(client, scenario, request, user_fixture):
    user = request.getfixturevalue(user_fixture)
    client.force_login(user)
    response = client.get(reverse("home"), {"period": "2026-Q3"})
    assert response.status_code == 200
    html = response.content.decode()
    content, _rows = build_report_bytes(
        ReportType.QUARTERLY, ReportScope(region=user.region, period=Period.parse("2026-Q3"))
    )
    total = next(
        row for row in as_dicts(load(content)["汇总"], totals=True) if row["区域"] == "合计"
    )
    assert int(kpi(html, "found")) == total["发现隐患"]
    assert int(kpi(html, "rectified")) == total["已整改"]
    assert int(kpi(html, "overdue")) == total["逾期未整改"]
    assert int(kpi(html, "major_open")) == total["重大隐患未销号"]
    assert kpi(html, "rate") == f"{round(total['整改率'] * 100, 1):g}%"
    assert kpi(html, "security") == f"{total['4+N 达标项']}/{total['4+N 项目数']}"
    # The league table ranks hospitals like the report's per-hospital sheet.
    hospitals = [row["医疗机构"] for row in as_dicts(load(content)["各机构"])]
    league = [line["hospital"].name for line in response.context["league_hospitals"]]
    assert league == hospitals


def test_dashboard_figures_link_to_the_filtered_hazard_list(
    client, scenario, county_bureau, county
):
    client.force_login(county_bureau)
    html = client.get(reverse("home"), {"period": "2026-Q3"}).content.decode()
    found_link = (
        f"{reverse('hazards:list')}?region={county.pk}&amp;found_from=2026-07-01"
        "&amp;found_to=2026-09-30"
    )
    assert f'href="{found_link}"' in html
    assert f'href="{found_link}&amp;overdue=on"' in html
    assert f'href="{found_link}&amp;status=closed"' in html
    # Following the overdue link lists exactly the overdue hazards the KPI counts.
    response = client.get(
        reverse("hazards:list"),
        {
            "region": county.pk,
            "found_from": "2026-07-01",
            "found_to": "2026-09-30",
            "overdue": "on",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert scenario["h2"].code in body
    assert scenario["h1"].code not in body


def test_dashboard_has_trend_and_category_chart_data_from_static_chartjs(
    client, scenario, county_bureau
):
    client.force_login(county_bureau)
    response = client.get(reverse("home"), {"period": "2026-Q3"})
    html = response.content.decode()
    assert 'id="trend-data"' in html and 'id="category-data"' in html
    assert "vendor/chartjs/chart.umd.min.js" in html
    assert "cdn" not in html.lower()
    trend = response.context["trend"]
    assert len(trend["labels"]) == 12
    # The trend ends with the month of the period's as-of date (Q3 ends 09-30), not today's.
    assert trend["labels"][-1] == "2026-09"
    found_by_month = dict(zip(trend["labels"], trend["found"], strict=True))
    assert found_by_month["2026-07"] == 2  # h1, h5
    assert found_by_month["2026-09"] == 2  # h3, h4


def test_dashboard_scope_cannot_be_widened_by_the_region_parameter(
    client, scenario, county_bureau, other_county
):
    client.force_login(county_bureau)
    response = client.get(reverse("home"), {"period": "2026-Q3", "region": other_county.pk})
    assert response.context["region"] == county_bureau.region
    assert "南安市医院" not in response.content.decode()


def _add_hospitals(region, officer, n, start):
    for i in range(n):
        hospital = HospitalFactory(region=region, name=f"扩充医院{start + i}", level="2")
        make_hazard(hospital=hospital, found_by=officer, found_on=dt.date(2026, 8, 1 + i))
        make_hazard(
            hospital=hospital,
            found_by=officer,
            found_on=dt.date(2026, 8, 1 + i),
            status="closed",
            closed_on=dt.date(2026, 8, 20),
        )


def test_bureau_dashboard_query_count_does_not_grow_with_hospitals(
    client, scenario, city_bureau, county, officer_a
):
    client.force_login(city_bureau)
    client.get(reverse("home"), {"period": "2026-Q3"})  # warm caches (session, content types)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("home"), {"period": "2026-Q3"}).status_code == 200
    _add_hospitals(county, officer_a, 6, 0)
    with CaptureQueriesContext(connection) as large:
        response = client.get(reverse("home"), {"period": "2026-Q3"})
    assert len(response.context["league_hospitals"]) == 9
    assert len(large) == len(small), [q["sql"][:120] for q in large.captured_queries]


def test_officer_home_shows_todo_overdue_next_inspection_and_security(
    client, inspection_scenario, officer_a, hospital_a
):
    from inspections.choices import AssignmentKind
    from inspections.models import Assignment

    Assignment.objects.create(
        kind=AssignmentKind.SELF,
        hospital=hospital_a,
        period=dt.date(2026, 10, 1),
        due_date=dt.date(2026, 10, 15),
    )
    client.force_login(officer_a)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["overdue_count"] == 2  # h2 and the Q2 one
    assert kpi(html, "next-inspection") == "2026-10-15"
    assert "还有 5 天" in html
    assert scenario_code_in(html, inspection_scenario["h2"].code)
    assert "南安市医院" not in html
    assert kpi(html, "security") == "0/5"


def scenario_code_in(html, code):
    return code in html


def test_officer_home_query_count_does_not_grow_with_hazards(
    client, scenario, officer_a, hospital_a
):
    client.force_login(officer_a)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("home"))
    for i in range(8):
        make_hazard(
            hospital=hospital_a,
            found_by=officer_a,
            found_on=dt.date(2026, 6, 1 + i),
            deadline=dt.date(2026, 7, 1),
        )
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("home"))
    assert len(large) == len(small)


def test_user_without_a_role_gets_the_plain_home(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "请从上方菜单选择功能" in response.content.decode()


def test_officer_home_falls_back_to_the_regions_inspection_day(client, on_report_day, officer_a):
    officer_a.hospital.region.self_inspection_day = 8
    officer_a.hospital.region.save()
    client.force_login(officer_a)
    html = client.get(reverse("home")).content.decode()
    # Today is 2026-10-10: the 8th has passed, so the next one is 2026-11-08.
    assert kpi(html, "next-inspection") == "2026-11-08"
    assert "按区域规定的自查日" in html
