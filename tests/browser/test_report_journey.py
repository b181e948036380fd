"""Journey 5 (desk): the administrator requests the quarterly report, a real Celery worker
(a subprocess on Redis) builds it, the page notices, and the downloaded file opens in openpyxl.

The worker uses its own Redis database (REDIS_URL's host, database 5) so it never takes tasks
meant for the other real-worker tests."""

from __future__ import annotations

import openpyxl
import pytest

from core.dates import today
from reports.choices import ExportStatus, ReportType
from reports.models import ReportExport
from reports.periods import Period
from tests.hazards.factories import raise_hazard
from tests.reports.helpers import as_dicts
from tests.reports.worker import celery_workers, worker_redis_url

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def worker(tmp_path):
    with celery_workers(tmp_path, redis_url=worker_redis_url(slot=1)) as (start, _media):
        start()  # boots while the administrator logs in
        yield


def test_administrator_gets_the_quarterly_report_built_by_a_real_worker(
    worker, open_page, login, county_admin, hospital_a, officer_a, tmp_path
):
    raise_hazard(hospital=hospital_a, found_by=officer_a)
    page = login(open_page("desktop"), county_admin)
    page.goto("/reports/")
    form = page.locator("#report-form")
    form.get_by_label("报表类型").select_option(ReportType.QUARTERLY)
    quarter = Period.quarter(today().year, (today().month - 1) // 3 + 1)
    form.get_by_label("季度").select_option(quarter.key)
    form.get_by_role("button", name="后台生成").click()
    page.wait_for_url("**/reports/*/")

    # The page polls and reloads itself when the worker is done.
    download_link = page.get_by_role("link", name="下载")
    download_link.wait_for(timeout=90_000)
    export = ReportExport.objects.get()
    assert export.status == ExportStatus.READY, export.error
    assert export.report_type == ReportType.QUARTERLY
    assert export.requested_by == county_admin

    with page.expect_download() as download_info:
        download_link.click()
    path = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(path)
    workbook = openpyxl.load_workbook(path)
    assert "汇总" in workbook.sheetnames
    summary = {row["区域"]: row for row in as_dicts(workbook["汇总"], totals=True)}
    assert summary[hospital_a.region.name]["发现隐患"] == 1
