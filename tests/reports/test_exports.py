"""ReportExport lifecycle through the pages and the task (eager Celery, SQLite)."""

from __future__ import annotations

import datetime as dt
import os
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.choices import EventKind
from notifications.models import Notification
from reports.choices import ExportStatus, ReportType
from reports.models import ReportExport
from reports.services import export_build, exports_sweep_stale
from tests.reports.helpers import as_dicts, load

pytestmark = pytest.mark.django_db


def request_export(client, user, django_capture_on_commit_callbacks, **overrides):
    client.force_login(user)
    data = {
        "report_type": ReportType.QUARTERLY,
        "region": user.region_id,
        "period_kind": "quarter",
        "quarter": "2026-Q3",
        **overrides,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:list"), data)
    return response


def test_requested_report_is_built_and_requester_notified(
    client, scenario, county_bureau, django_capture_on_commit_callbacks
):
    response = request_export(client, county_bureau, django_capture_on_commit_callbacks)
    export = ReportExport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("reports:detail", args=[export.pk])
    assert export.status == ExportStatus.READY
    assert export.requested_by == county_bureau
    assert export.attempts == 1
    assert export.row_count > 0
    assert export.started_at and export.finished_at
    assert export.filename == "2026年第三季度安全生产报表-晋江市.xlsx"
    note = Notification.objects.get(recipient=county_bureau)
    assert note.event == EventKind.REPORT_READY
    assert note.url == reverse("reports:detail", args=[export.pk])

    page = client.get(reverse("reports:detail", args=[export.pk]))
    assert reverse("reports:download", args=[export.pk]) in page.content.decode()


def test_download_sends_the_file_with_a_chinese_rfc6266_filename(
    client, scenario, county_bureau, django_capture_on_commit_callbacks
):
    request_export(client, county_bureau, django_capture_on_commit_callbacks)
    export = ReportExport.objects.get()
    response = client.get(reverse("reports:download", args=[export.pk]))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''" + quote("2026年第三季度安全生产报表-晋江市.xlsx") in disposition
    # Old clients that ignore filename* still get the type, the scope and the period.
    assert 'filename="quarterly_JJ_2026Q3.xlsx"' in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    wb = load(b"".join(response.streaming_content))
    assert wb.sheetnames[0] == "汇总"


def test_county_users_quarterly_report_contains_only_their_county(
    client, scenario, county_bureau, django_capture_on_commit_callbacks
):
    request_export(client, county_bureau, django_capture_on_commit_callbacks)
    export = ReportExport.objects.get()
    wb = load(b"".join(client.get(reverse("reports:download", args=[export.pk])).streaming_content))
    for name in ("各机构", "重大隐患", "逾期隐患", "4+N 建设情况"):
        for row in as_dicts(wb[name]):
            assert row["区域"] == "晋江市", (name, row)
    assert "南安市医院" not in str([list(ws.values) for ws in wb.worksheets])


def test_user_cannot_request_a_region_outside_their_scope(
    client, scenario, county_bureau, other_county, django_capture_on_commit_callbacks
):
    response = request_export(
        client, county_bureau, django_capture_on_commit_callbacks, region=other_county.pk
    )
    assert response.status_code == 400
    assert "region" in response.context["form"].errors
    assert not ReportExport.objects.exists()


def test_outsider_gets_404_for_someone_elses_export(
    client,
    scenario,
    county_bureau,
    other_county_bureau,
    officer_a,
    django_capture_on_commit_callbacks,
):
    request_export(client, county_bureau, django_capture_on_commit_callbacks)
    export = ReportExport.objects.get()
    for outsider in (other_county_bureau, officer_a):
        client.force_login(outsider)
        for name in ("reports:detail", "reports:download", "reports:status"):
            assert client.get(reverse(name, args=[export.pk])).status_code == 404
        assert client.post(reverse("reports:retry", args=[export.pk])).status_code == 404


def test_city_bureau_sees_county_exports_but_list_never_leaks(
    client,
    scenario,
    county_bureau,
    city_bureau,
    other_county_bureau,
    django_capture_on_commit_callbacks,
):
    request_export(client, county_bureau, django_capture_on_commit_callbacks)
    export = ReportExport.objects.get()
    client.force_login(city_bureau)
    assert client.get(reverse("reports:download", args=[export.pk])).status_code == 200
    client.force_login(other_county_bureau)
    assert export.title not in client.get(reverse("reports:list")).content.decode()


def test_officer_can_only_report_on_their_own_hospital(
    client, scenario, officer_a, hospital_a, hospital_b, django_capture_on_commit_callbacks
):
    client.force_login(officer_a)
    base = {
        "report_type": ReportType.HAZARD_LEDGER,
        "region": hospital_a.region_id,
        "period_kind": "quarter",
        "quarter": "2026-Q3",
    }
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(reverse("reports:list"), {**base, "hospital": hospital_b.pk})
        quarterly = client.post(
            reverse("reports:list"),
            {**base, "report_type": ReportType.QUARTERLY, "hospital": hospital_a.pk},
        )
        ok = client.post(reverse("reports:list"), {**base, "hospital": hospital_a.pk})
    assert refused.status_code == 400
    assert quarterly.status_code == 400
    assert ok.status_code == 302
    export = ReportExport.objects.get()
    assert export.hospital == hospital_a and export.status == ExportStatus.READY
    rows = as_dicts(load(export.file.open("rb").read())["隐患台账"])
    assert {row["医疗机构"] for row in rows} == {"晋江市医院"}


def test_direct_download_builds_the_same_workbook_synchronously(client, scenario, county_bureau):
    client.force_login(county_bureau)
    response = client.post(
        reverse("reports:list"),
        {
            "report_type": ReportType.HAZARD_LEDGER,
            "region": county_bureau.region_id,
            "period_kind": "custom",
            "start": "2026-07-01",
            "end": "2026-09-30",
            "direct": "1",
        },
    )
    assert response.status_code == 200
    assert quote("2026-07-01至2026-09-30隐患台账-晋江市.xlsx") in response["Content-Disposition"]
    assert len(as_dicts(load(response.content)["隐患台账"])) == 5
    assert not ReportExport.objects.exists()


def test_direct_download_of_a_large_scope_is_queued_instead(
    client, scenario, county_bureau, settings, django_capture_on_commit_callbacks
):
    settings.REPORTS_DIRECT_MAX_ROWS = 2
    client.force_login(county_bureau)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:list"),
            {
                "report_type": ReportType.HAZARD_LEDGER,
                "region": county_bureau.region_id,
                "period_kind": "quarter",
                "quarter": "2026-Q3",
                "direct": "1",
            },
        )
    export = ReportExport.objects.get()
    assert response.status_code == 302
    assert export.status == ExportStatus.READY and export.row_count == 5


def test_bad_period_input_gets_a_clear_error_and_nothing_is_queued(client, scenario, county_bureau):
    client.force_login(county_bureau)
    response = client.post(
        reverse("reports:list"),
        {
            "report_type": ReportType.HAZARD_LEDGER,
            "region": county_bureau.region_id,
            "period_kind": "custom",
            "start": "2026-09-30",
            "end": "2026-07-01",
        },
    )
    assert response.status_code == 400
    assert "结束日期不能早于开始日期" in response.content.decode()
    assert not ReportExport.objects.exists()


def test_failed_build_shows_a_readable_reason_leaves_no_file_and_can_be_retried(
    client, scenario, county_bureau, monkeypatch, settings, django_capture_on_commit_callbacks
):
    from reports import services

    real = services.build_workbook

    def broken(sheets, **kwargs):
        # Write part of the file, then die: nothing may reach storage.
        with open(kwargs["path"], "wb") as handle:
            handle.write(b"PK\x03\x04half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(services, "build_workbook", broken)
    request_export(client, county_bureau, django_capture_on_commit_callbacks)
    export = ReportExport.objects.get()
    assert export.status == ExportStatus.FAILED
    assert "No space left on device" in export.error
    assert not export.file
    media = settings.STORAGES["default"]["OPTIONS"]["location"]
    assert not os.path.exists(media / "reports") or not any(os.scandir(media / "reports"))
    assert Notification.objects.get(recipient=county_bureau).event == EventKind.REPORT_FAILED
    page = client.get(reverse("reports:detail", args=[export.pk])).content.decode()
    assert "No space left on device" in page
    assert client.get(reverse("reports:download", args=[export.pk])).status_code == 404

    monkeypatch.setattr(services, "build_workbook", real)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:retry", args=[export.pk]))
    assert response.status_code == 302
    export.refresh_from_db()
    assert export.status == ExportStatus.READY
    assert export.attempts == 2
    assert export.error == ""
    assert client.get(reverse("reports:download", args=[export.pk])).status_code == 200


def test_a_ready_export_cannot_be_retried(
    client, scenario, county_bureau, django_capture_on_commit_callbacks
):
    request_export(client, county_bureau, django_capture_on_commit_callbacks)
    export = ReportExport.objects.get()
    client.post(reverse("reports:retry", args=[export.pk]))
    export.refresh_from_db()
    assert export.status == ExportStatus.READY and export.attempts == 1


def test_a_redelivered_task_message_does_not_build_twice(
    client, scenario, county_bureau, django_capture_on_commit_callbacks
):
    request_export(client, county_bureau, django_capture_on_commit_callbacks)
    export = ReportExport.objects.get()
    assert export_build(export.pk) is None
    export.refresh_from_db()
    assert export.attempts == 1


def _running(county_bureau, county, *, started, attempts=1):
    return ReportExport.objects.create(
        report_type=ReportType.HAZARD_LEDGER,
        region=county,
        period_kind="quarter",
        period_key="2026-Q3",
        period_start=dt.date(2026, 7, 1),
        period_end=dt.date(2026, 9, 30),
        requested_by=county_bureau,
        status=ExportStatus.RUNNING,
        attempts=attempts,
        started_at=started,
        heartbeat_at=started,
    )


def test_stale_running_export_of_a_killed_worker_is_requeued_and_built(
    scenario, county_bureau, county, django_capture_on_commit_callbacks
):
    dead = _running(county_bureau, county, started=timezone.now() - dt.timedelta(minutes=20))
    alive = _running(county_bureau, county, started=timezone.now() - dt.timedelta(seconds=30))
    with django_capture_on_commit_callbacks(execute=True):
        counts = exports_sweep_stale()
    assert counts["requeued"] == 1
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.status == ExportStatus.READY and dead.attempts == 2
    assert alive.status == ExportStatus.RUNNING


def test_stale_export_fails_after_the_last_attempt_and_requester_is_told(
    scenario, county_bureau, county, settings, django_capture_on_commit_callbacks
):
    dead = _running(
        county_bureau,
        county,
        started=timezone.now() - dt.timedelta(minutes=20),
        attempts=settings.REPORTS_MAX_ATTEMPTS if hasattr(settings, "REPORTS_MAX_ATTEMPTS") else 3,
    )
    with django_capture_on_commit_callbacks(execute=True):
        counts = exports_sweep_stale()
    assert counts["failed"] == 1
    dead.refresh_from_db()
    assert dead.status == ExportStatus.FAILED
    assert "中断" in dead.error
    assert not dead.file
    assert Notification.objects.get(recipient=county_bureau).event == EventKind.REPORT_FAILED


def test_worker_taken_over_by_the_sweep_does_not_attach_its_file(
    scenario, county_bureau, county, monkeypatch, settings
):
    """A worker that was presumed dead but finishes late must not overwrite the new attempt."""
    from reports import services

    export = ReportExport.objects.create(
        report_type=ReportType.HAZARD_LEDGER,
        region=county,
        period_kind="quarter",
        period_key="2026-Q3",
        period_start=dt.date(2026, 7, 1),
        period_end=dt.date(2026, 9, 30),
        requested_by=county_bureau,
        status=ExportStatus.QUEUED,
    )
    real = services.build_report_file

    def slow(report_type, scope, path, heartbeat=None):
        rows = real(report_type, scope, path)
        # Meanwhile the sweep re-queued the record (new attempt).
        ReportExport.objects.filter(pk=export.pk).update(status=ExportStatus.QUEUED)
        return rows

    monkeypatch.setattr(services, "build_report_file", slow)
    assert export_build(export.pk) is None
    export.refresh_from_db()
    assert export.status == ExportStatus.QUEUED
    assert not export.file
    media = settings.STORAGES["default"]["OPTIONS"]["location"]
    leftovers = [f for _d, _s, files in os.walk(media) for f in files]
    assert leftovers == []


def test_export_list_query_count_does_not_grow_with_exports(client, county_bureau, county):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(n):
        for _i in range(n):
            ReportExport.objects.create(
                report_type=ReportType.QUARTERLY,
                region=county,
                period_kind="quarter",
                period_key="2026-Q3",
                period_start=dt.date(2026, 7, 1),
                period_end=dt.date(2026, 9, 30),
                requested_by=county_bureau,
            )

    client.force_login(county_bureau)
    add(2)
    client.get(reverse("reports:list"))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("reports:list"))
    add(15)
    with CaptureQueriesContext(connection) as large:
        response = client.get(reverse("reports:list"))
    assert len(response.context["exports"]) == 17
    assert len(large) == len(small)


def test_sweep_removes_partial_files_of_builds_that_are_no_longer_running(
    scenario, county_bureau, county, tmp_path
):
    from reports.services import remove_partial_files

    running = _running(county_bureau, county, started=timezone.now())
    finished = _running(county_bureau, county, started=timezone.now())
    ReportExport.objects.filter(pk=finished.pk).update(status=ExportStatus.FAILED)
    live = tmp_path / f"report-{running.pk}-abc.xlsx.part"
    dead = tmp_path / f"report-{finished.pk}-def.xlsx.part"
    unrelated = tmp_path / "report-notes.txt"
    written = timezone.now().timestamp()  # the (frozen) clock of this test
    for path in (live, dead, unrelated):
        path.write_bytes(b"PK\x03\x04 half a workbook")
        os.utime(path, (written, written))
    assert remove_partial_files(now=timezone.now(), directory=str(tmp_path)) == 1
    assert live.exists() and unrelated.exists() and not dead.exists()
    # A "running" build older than the hard time limit is dead too.
    later = timezone.now() + dt.timedelta(hours=6)
    assert remove_partial_files(now=later, directory=str(tmp_path)) == 1
    assert not live.exists()
