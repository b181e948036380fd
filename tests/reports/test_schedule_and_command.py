from __future__ import annotations

import datetime as dt
import os

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from config.beat import build_beat_schedule
from reports.choices import ExportStatus, ReportType
from reports.models import ReportExport
from reports.services import schedule_periodic_reports
from tests.reports.helpers import as_dicts, load

pytestmark = pytest.mark.django_db


def test_first_day_of_quarter_builds_last_quarters_report_for_every_region(
    scenario,
    city,
    county,
    other_county,
    city_admin,
    county_admin,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        created = schedule_periodic_reports(today=dt.date(2026, 10, 1))
    quarterly = ReportExport.objects.filter(report_type=ReportType.QUARTERLY, is_scheduled=True)
    assert {e.region for e in quarterly} == {city, county, other_county}
    assert {e.period_key for e in quarterly} == {"2026-Q3"}
    assert all(e.status == ExportStatus.READY for e in quarterly)
    monthly = ReportExport.objects.filter(report_type=ReportType.INSPECTION_MONTH)
    assert {e.period_key for e in monthly} == {"2026-09"}
    assert len(created) == ReportExport.objects.count()
    # The region's administrators are told (nobody requested a scheduled report).
    county_report = quarterly.get(region=county)
    assert county_admin.notifications.filter(url__contains=f"/reports/{county_report.pk}/").exists()
    assert not county_admin.notifications.filter(
        url__contains=f"/reports/{quarterly.get(region=city).pk}/"
    ).exists()

    # A duplicated beat tick (or the next day's scan) creates nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        assert schedule_periodic_reports(today=dt.date(2026, 10, 1)) == []
        assert schedule_periodic_reports(today=dt.date(2026, 10, 2)) == []


def test_scheduled_reports_are_unique_per_type_region_and_period(county):
    from django.db import IntegrityError, transaction

    fields = dict(
        report_type=ReportType.QUARTERLY,
        region=county,
        period_kind="quarter",
        period_key="2026-Q3",
        period_start=dt.date(2026, 7, 1),
        period_end=dt.date(2026, 9, 30),
        is_scheduled=True,
    )
    ReportExport.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportExport.objects.create(**fields)
    # Requested ones are not limited.
    ReportExport.objects.create(**{**fields, "is_scheduled": False})
    ReportExport.objects.create(**{**fields, "is_scheduled": False})


def test_beat_schedule_lists_the_report_scans():
    schedule = build_beat_schedule()
    assert schedule["reports-schedule-periodic"]["task"] == "reports.schedule_periodic_reports"
    assert schedule["reports-sweep-stale"]["task"] == "reports.sweep_stale_exports"


def test_build_report_command_writes_the_workbook(scenario, county, tmp_path):
    out = tmp_path / "q3.xlsx"
    call_command(
        "build_report",
        "--type",
        "quarterly",
        "--region",
        "JJ",
        "--period",
        "2026-Q3",
        "--output",
        str(out),
    )
    rows = as_dicts(load(out.read_bytes())["汇总"])
    assert rows[-1]["发现隐患"] == 5
    assert not os.path.exists(f"{out}.part")


def test_build_report_command_can_record_an_export(scenario, county):
    call_command(
        "build_report",
        "--type",
        "hazard_ledger",
        "--region",
        "jj",
        "--period",
        "2026-Q3",
        "--record",
    )
    export = ReportExport.objects.get()
    assert export.status == ExportStatus.READY and export.row_count == 5


def test_build_report_command_rejects_bad_input(scenario):
    with pytest.raises(CommandError, match="no region"):
        call_command("build_report", "--type", "quarterly", "--region", "XX", "--period", "2026-Q3")
    with pytest.raises(CommandError, match="2026-Q3"):
        call_command("build_report", "--type", "quarterly", "--region", "JJ", "--period", "Q5")
