"""The import runs in a worker: the upload returns at once, the page follows the job."""

from __future__ import annotations

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.test import Client
from django.urls import reverse

from hospitals.importing import hospital_import_run
from hospitals.models import Hospital, HospitalImport, ImportStatus
from tests.hospitals.test_import import good_rows, sheet

pytestmark = pytest.mark.django_db

IMPORT = reverse("hospitals:import")


def test_the_upload_returns_at_once_and_the_page_polls_until_done(
    client, county_admin, county, django_capture_on_commit_callbacks
):
    client.force_login(county_admin)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(IMPORT, {"file": sheet(good_rows(3))})
    job = HospitalImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("hospitals:import_detail", args=[job.pk])
    assert job.status == ImportStatus.QUEUED and not Hospital.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' in page and "排队中" in page

    for callback in queued:  # the worker picks it up
        callback()
    job.refresh_from_db()
    assert job.status == ImportStatus.SUCCEEDED and job.created_count == 3
    assert job.rows_read >= 3 and job.finished_at
    assert not job.file  # the uploaded sheet is not kept
    page = client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' not in page and "共新增 3 家医疗机构" in page


def test_running_an_import_twice_imports_once(import_sheet, client, county_admin, county):
    client.force_login(county_admin)
    job = import_sheet(client, sheet(good_rows(2))).context["job"]
    assert Hospital.objects.count() == 2
    again = hospital_import_run(import_id=job.pk)
    assert again.status == ImportStatus.SUCCEEDED and Hospital.objects.count() == 2


def test_an_import_stopped_by_the_time_limit_fails_cleanly(
    import_sheet, client, county_admin, county, monkeypatch
):
    def too_slow(**kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr("hospitals.importing.hospitals_import", too_slow)
    client.force_login(county_admin)
    page = import_sheet(client, sheet(good_rows(2)))
    assert page.context["job"].status == ImportStatus.FAILED
    assert "导入超时" in page.content.decode()
    assert not Hospital.objects.exists()


def test_an_import_is_seen_only_by_its_uploader(
    import_sheet, client, county_admin, city_admin, county
):
    client.force_login(county_admin)
    job = import_sheet(client, sheet(good_rows(1))).context["job"]
    other = Client()
    other.force_login(city_admin)
    assert other.get(reverse("hospitals:import_detail", args=[job.pk])).status_code == 404
    assert other.get(reverse("hospitals:import_errors", args=[job.pk])).status_code == 404
