"""A report built by a REAL Celery worker (subprocess) against Redis and PostgreSQL, and a
worker killed mid-build: no downloadable partial file, the record is re-queued and rebuilt."""

from __future__ import annotations

import datetime as dt
import signal
import time
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from hazards.models import Hazard
from reports.choices import ExportStatus, ReportType
from reports.models import ReportExport
from reports.periods import Period
from reports.services import export_request, exports_sweep_stale
from tests.reports.helpers import as_dicts, load
from tests.reports.worker import celery_workers

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def live_celery(tmp_path):
    """Send tasks to the broker (not eagerly) and start/stop worker subprocesses that share the
    test database and the test's media directory."""
    with celery_workers(tmp_path) as handle:
        yield handle


def wait_for(predicate, timeout=90.0, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("timed out")


def seed_hazards(hospital, user, n):
    found = dt.date(2026, 8, 1)
    Hazard.objects.bulk_create(
        [
            Hazard(
                code=f"{hospital.region.code}-2026-W{i:06d}",
                hospital=hospital,
                source="self_inspection",
                found_side="hospital",
                category="fire",
                risk_level="general",
                location=f"住院部{i % 20}层",
                description=f"第{i}条:消防通道堆放杂物,影响疏散",
                found_on=found,
                found_by=user,
                deadline=found + dt.timedelta(days=30),
            )
            for i in range(n)
        ],
        batch_size=2000,
    )


ROWS = 12000


def beating(pk) -> bool:
    export = ReportExport.objects.filter(pk=pk).values("status", "started_at", "heartbeat_at")[0]
    return (
        export["status"] == ExportStatus.RUNNING and export["heartbeat_at"] > export["started_at"]
    )


def status_of(pk):
    return ReportExport.objects.filter(pk=pk).values_list("status", flat=True).first()


def test_report_task_runs_in_a_real_worker(live_celery, county_bureau, hospital_a, client):
    start, media = live_celery
    seed_hazards(hospital_a, county_bureau, 40)
    export = export_request(
        report_type=ReportType.HAZARD_LEDGER,
        region=county_bureau.region,
        period=Period.parse("2026-Q3"),
        by=county_bureau,
    )
    assert status_of(export.pk) == ExportStatus.QUEUED
    start()
    wait_for(lambda: status_of(export.pk) in (ExportStatus.READY, ExportStatus.FAILED))
    export.refresh_from_db()
    assert export.status == ExportStatus.READY, export.error
    assert export.row_count == 40
    assert (media / export.file.name).exists()
    client.force_login(county_bureau)
    response = client.get(reverse("reports:download", args=[export.pk]))
    rows = as_dicts(load(b"".join(response.streaming_content))["隐患台账"])
    assert len(rows) == 40
    assert county_bureau.notifications.filter(event="report_ready").exists()


def test_worker_killed_mid_build_leaves_no_partial_file_and_the_export_is_rebuilt(
    live_celery, county_bureau, hospital_a, client
):
    start, media = live_celery
    seed_hazards(hospital_a, county_bureau, ROWS)
    export = export_request(
        report_type=ReportType.HAZARD_LEDGER,
        region=county_bureau.region,
        period=Period.parse("2026-Q3"),
        by=county_bureau,
    )
    worker = start()
    # The first heartbeat comes after the first few hundred rows: the build is well under way.
    wait_for(lambda: beating(export.pk), interval=0.02, timeout=300)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)

    export.refresh_from_db()
    assert export.status == ExportStatus.RUNNING  # nobody is left to say otherwise …
    assert not export.file
    assert not any((media / "reports").rglob("*")) if (media / "reports").exists() else True
    client.force_login(county_bureau)
    assert client.get(reverse("reports:download", args=[export.pk])).status_code == 404

    # … until the periodic sweep notices the silence and queues it again.
    counts = exports_sweep_stale(now=timezone.now() + dt.timedelta(minutes=10))
    assert counts["requeued"] == 1
    assert status_of(export.pk) == ExportStatus.QUEUED
    start()
    wait_for(lambda: status_of(export.pk) in (ExportStatus.READY, ExportStatus.FAILED), timeout=900)
    export.refresh_from_db()
    assert export.status == ExportStatus.READY, export.error
    assert export.attempts == 2
    assert export.row_count == ROWS
    files = [p for p in (media / "reports").rglob("*") if p.is_file()]
    assert [p.name for p in files] == [Path(export.file.name).name]
