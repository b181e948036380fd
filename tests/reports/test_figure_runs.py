"""Stored figure runs (`reports.snapshots`) equal the live figures of their instant after every
kind of change, and `figures_reconcile` finds and repairs what bulk writes leave behind.

The scenario is 2026-10-10 (tests/reports/conftest.py): hazards in two counties of one city.
For a running period (2026-Q4, 2026) and a past one (2026-Q3), a run is stored; then each kind
of change is made through the services (or the model, as an administrator's correction would),
the commit hooks run, and the run read for the city and each county must equal
`summarise_scope` / `category_counts` / `trend` as of the run's instant.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse

from hazards.choices import Category, RiskLevel, Source
from hazards.models import Hazard
from hazards.services import hazard_raise, hazard_regrade, hazard_set_deadline
from hospitals.models import Region
from reports.dashboard import trend
from reports.models import FigureRun, HospitalFigures
from reports.periods import Period
from reports.scope import ReportScope
from reports.selectors import category_counts, summarise_scope
from reports.snapshots import (
    figures_reconcile,
    figures_refresh,
    figures_refresh_due,
    latest_run,
    run_figures,
    run_for,
)
from tests.factories import RegionFactory

pytestmark = pytest.mark.django_db

PERIODS = ("2026-Q3", "2026-Q4", "2026")


def _comparable(summary, categories, trend_data) -> dict:
    return {
        "total": summary.total,
        "hospitals": [(line.hospital.pk, line.rank, line.figures) for line in summary.hospitals],
        "regions": [(region.pk, label, figures) for region, label, figures in summary.regions],
        "categories": categories,
        "trend": trend_data,
    }


def live(region, period, as_of) -> dict:
    scope = ReportScope(region=region, period=period, as_of=as_of)
    return _comparable(summarise_scope(scope), category_counts(scope), trend(scope))


def stored(run, region) -> dict:
    period = Period.parse(run.period_key)
    scope = ReportScope(region=region, period=period, as_of=run.as_of)
    return _comparable(*run_figures(run, scope))


def assert_runs_equal_live(runs, regions):
    for run in runs:
        run.refresh_from_db()
        for region in regions:
            region.refresh_from_db()
            assert stored(run, region) == live(region, Period.parse(run.period_key), run.as_of), (
                run.period_key,
                region.name,
            )


@pytest.fixture
def runs(scenario, django_capture_on_commit_callbacks):
    return [figures_refresh(period=Period.parse(key)) for key in PERIODS]


@pytest.fixture
def regions(city, county, other_county):
    return [city, county, other_county]


def test_a_fresh_run_equals_the_live_figures(runs, regions, hospital_a):
    assert_runs_equal_live(runs, regions)
    assert HospitalFigures.objects.filter(run=runs[0]).count() == 3  # A, A2, B
    q3 = HospitalFigures.objects.get(run=runs[0], hospital=hospital_a)
    # h1–h4 found; h1, h3 closed; h2 (deadline 09-30) is not yet overdue at 09-30 24:00
    assert (q3.found, q3.rectified, q3.overdue) == (4, 2, 0)
    assert q3.categories == {Category.FIRE: [4, 2]}
    assert q3.months["2026-07"] == [1, 1]  # h1 found and closed in July
    assert figures_reconcile(repair=False) == []


def _raise(hospital, officer, **extra):
    return hazard_raise(
        hospital=hospital,
        found_by=officer,
        source=Source.SELF_INSPECTION,
        category=Category.LOGISTICS,
        risk_level=RiskLevel.GENERAL,
        location="门诊楼一层",
        description="配电箱未上锁",
        deadline=dt.date(2026, 10, 20),
        **extra,
    )


CHANGES = [
    "raise",
    "raise_backdated",
    "set_deadline",
    "regrade",
    "delete",
    "correct_found_on",
    "move_hospital",
    "reparent_region",
    "deactivate_hospital",
    "new_hospital",
]


@pytest.mark.parametrize("change", CHANGES)
def test_runs_equal_the_live_figures_after_every_kind_of_change(
    change,
    runs,
    regions,
    scenario,
    hospital_a,
    hospital_b,
    officer_a,
    county,
    other_county,
    city,
    county_bureau,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        if change == "raise":
            _raise(hospital_a, officer_a)
        elif change == "raise_backdated":  # found in Q3, recorded now
            _raise(hospital_a, officer_a, found_on=dt.date(2026, 9, 28))
        elif change == "set_deadline":
            hazard_set_deadline(
                hazard=scenario["h4"], by=county_bureau, deadline=dt.date(2026, 10, 12)
            )
        elif change == "regrade":
            hazard_regrade(
                hazard=scenario["h4"],
                by=county_bureau,
                risk_level=RiskLevel.MAJOR,
                reason="涉及配电安全",
            )
        elif change == "delete":
            scenario["h1"].delete()  # an administrator removes a duplicate
        elif change == "correct_found_on":
            hazard = scenario["h5"]
            hazard.found_on = dt.date(2026, 6, 30)  # corrected into Q2
            hazard.save(update_fields=["found_on"])
        elif change == "move_hospital":
            hospital_a.region = other_county
            hospital_a.save()
        elif change == "reparent_region":
            other_city = RegionFactory(name="漳州市", code="ZZ", level="city", parent=city.parent)
            county.parent = other_city
            county.save()
            regions.append(other_city)
        elif change == "deactivate_hospital":
            hospital_b.is_active = False
            hospital_b.save()
        elif change == "new_hospital":
            from tests.factories import HospitalFactory

            HospitalFactory(name="晋江市新院", region=county)
    assert_runs_equal_live(runs, regions)
    assert figures_reconcile(repair=False) == []
    # A new run of the running periods equals the live figures of its own (later) instant too.
    fresh = [figures_refresh(period=Period.parse(key)) for key in ("2026-Q4", "2026")]
    assert_runs_equal_live(fresh, regions)


def test_a_change_that_rewrites_the_past_is_seen_in_a_past_run(
    runs, regions, scenario, hospital_a, django_capture_on_commit_callbacks
):
    q3 = runs[0]
    before = stored(q3, regions[1])["total"].found
    with django_capture_on_commit_callbacks(execute=True):
        scenario["h2"].delete()
    assert HospitalFigures.objects.get(run=q3, hospital=hospital_a).dirty > 0
    assert stored(q3, regions[1])["total"].found == before - 1
    assert HospitalFigures.objects.get(run=q3, hospital=hospital_a).dirty == 0


def test_reconcile_repairs_what_bulk_writes_leave_behind(runs, regions, scenario, hospital_a):
    # A queryset update sends no signal: the stored lines do not know.
    Hazard.objects.filter(pk=scenario["h2"].pk).update(found_on=dt.date(2026, 4, 2))
    differences = figures_reconcile(repair=False)
    assert {(run.period_key, hospital) for run, hospital, _names in differences} >= {
        ("2026-Q3", hospital_a.pk)
    }
    assert figures_reconcile(repair=True)
    assert figures_reconcile(repair=False) == []
    assert_runs_equal_live(runs, regions)


def test_reconcile_command_checks_and_repairs(runs, scenario, capsys):
    Hazard.objects.filter(pk=scenario["h4"].pk).update(category=Category.LOGISTICS)
    with pytest.raises(Exception, match="differ"):
        call_command("figures_reconcile", "--check")
    call_command("figures_reconcile")
    assert "line(s) repaired" in capsys.readouterr().out
    call_command("figures_reconcile", "--check")


def test_scheduled_refresh_keeps_two_runs_per_running_period(scenario):
    first = figures_refresh_due(every=True)
    second = figures_refresh_due(every=True)
    third = figures_refresh_due(every=True)
    running = [run for run in third if run.period_key == "2026-Q4"]
    assert running and FigureRun.objects.filter(period_key="2026-Q4").count() == 2
    # A past period is computed once (as of its end) and kept.
    assert {run.period_key for run in second} < {run.period_key for run in first}
    past = FigureRun.objects.filter(period_key="2026-Q3")
    assert past.count() == 1 and past.get().as_of.date() in (
        dt.date(2026, 9, 30),
        dt.date(2026, 10, 1),  # 24:00 Asia/Shanghai is 16:00 UTC; stored in UTC
    )
    assert latest_run(Period.parse("2026-Q3")) == past.get()


def test_large_scope_dashboard_reads_the_stored_run(client, settings, scenario, city_bureau):
    settings.FIGURES_CACHE_MIN_HOSPITALS = 0  # every scope is "large"
    client.force_login(city_bureau)
    response = client.get(reverse("home"), {"period": "2026-Q3"})
    run = FigureRun.objects.get(period_key="2026-Q3")
    assert response.context["scope"].as_of == run.as_of
    city = Region.objects.get(pk=city_bureau.region_id)
    expected = live(city, Period.parse("2026-Q3"), run.as_of)
    assert response.context["summary"].total == expected["total"]
    # The second request reads the same run; nothing is computed again.
    client.get(reverse("home"), {"period": "2026-Q3"})
    assert FigureRun.objects.filter(period_key="2026-Q3").count() == 1


def test_reading_a_run_costs_a_fixed_number_of_queries(
    scenario, city, django_assert_max_num_queries
):
    run = figures_refresh(period=Period.parse("2026-Q3"))
    scope = ReportScope(region=city, period=Period.parse("2026-Q3"), as_of=run.as_of)
    # dirty check, regions, hospitals, lines, sub-regions — whatever the number of hospitals
    with django_assert_max_num_queries(5):
        first = _comparable(*run_figures(run, scope))
    with django_assert_max_num_queries(1):  # the dirty check; the rest from the cache
        assert _comparable(*run_figures(run, scope)) == first


def test_scheduled_refresh_recomputes_only_the_periods_pages_ask_for(scenario):
    assert [run.period_key for run in figures_refresh_due()] == ["2026"]  # the default
    run_for(Period.parse("2026-Q4"))  # a page asks for the quarter
    assert {run.period_key for run in figures_refresh_due()} == {"2026-Q4", "2026"}
