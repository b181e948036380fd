"""Another hospital's 4+N records are invisible: 404 on every view, nothing changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from security.models import EmergencyDrill, GuardPost, HalfYearReport
from security.services import report_save
from tests.security.factories import GuardPostFactory

pytestmark = pytest.mark.django_db


def test_outsider_cannot_edit_or_delete_another_hospitals_post(hospital_a, officer_b, client_for):
    post = GuardPostFactory(hospital=hospital_a, name="急诊岗")
    client = client_for(officer_b)
    assert client.get(reverse("security:record_edit", args=["post", post.pk])).status_code == 404
    response = client.post(
        reverse("security:record_edit", args=["post", post.pk]),
        {"name": "改名", "area": "gate", "guards_on_duty": "1"},
    )
    assert response.status_code == 404
    assert client.post(reverse("security:record_delete", args=["post", post.pk])).status_code == 404
    post.refresh_from_db()
    assert post.name == "急诊岗"


def test_outsider_cannot_see_drills_or_reports(hospital_a, officer_a, officer_b, client_for):
    drill = EmergencyDrill.objects.create(
        hospital=hospital_a, date=dt.date(2025, 1, 5), scenario="fire"
    )
    report = report_save(
        hospital=hospital_a,
        year=2025,
        half=1,
        progress="进展",
        problems="",
        next_steps="",
        by=officer_a,
    )
    client = client_for(officer_b)
    assert client.get(reverse("security:drill", args=[drill.pk])).status_code == 404
    assert (
        client.post(
            reverse("security:finding_new", args=[drill.pk]), {"description": "x"}
        ).status_code
        == 404
    )
    assert client.get(reverse("security:report", args=[report.pk])).status_code == 404
    assert client.post(reverse("security:report_submit", args=[report.pk])).status_code == 404
    report.refresh_from_db()
    assert report.status == "draft"
    assert not drill.findings.exists()


def test_unknown_record_kind_is_404(hospital_a, officer_a, client_for):
    url = reverse("security:record_new", args=[hospital_a.pk, "nonsense"])
    assert client_for(officer_a).get(url).status_code == 404


def test_officer_adds_and_deletes_a_post(hospital_a, officer_a, client_for):
    client = client_for(officer_a)
    client.post(
        reverse("security:record_new", args=[hospital_a.pk, "post"]),
        {
            "name": "门诊大厅岗",
            "area": "outpatient",
            "guards_on_duty": "2",
            "helmets": "2",
            "shields": "2",
            "stab_vests": "2",
            "cut_gloves": "2",
            "batons": "2",
            "flashlights": "2",
            "sprays": "2",
            "radios": "2",
            "forks": "1",
        },
    )
    post = GuardPost.objects.get(hospital=hospital_a)
    page = client.get(reverse("security:guards", args=[hospital_a.pk]))
    ((_post, equipment),) = page.context["post_rows"]
    assert [line.field for line in equipment.shortfall_lines] == ["forks"]
    client.post(reverse("security:record_delete", args=["post", post.pk]))
    assert not GuardPost.objects.filter(pk=post.pk).exists()


def test_city_bureau_sees_county_reports_but_other_county_does_not(
    hospital_a, officer_a, city_bureau, other_county_bureau, client_for
):
    report = report_save(
        hospital=hospital_a,
        year=2025,
        half=2,
        progress="进展",
        problems="",
        next_steps="",
        by=officer_a,
    )
    assert (
        client_for(city_bureau).get(reverse("security:report", args=[report.pk])).status_code == 200
    )
    assert (
        client_for(other_county_bureau)
        .get(reverse("security:report", args=[report.pk]))
        .status_code
        == 404
    )
    assert HalfYearReport.objects.visible_to(other_county_bureau).count() == 0
