from __future__ import annotations

import pytest
from django.urls import reverse

from core.dates import today
from inspections.models import Inspection
from inspections.services import InspectionError, inspectable_hospitals, inspection_start
from tests.factories import BureauDepartmentFactory, HospitalFactory

from .factories import make_assignment, started

pytestmark = pytest.mark.django_db


def _new(client, **data):
    payload = {"inspected_on": today().isoformat()}
    payload.update(data)
    return client.post(reverse("inspections:new"), payload)


def test_officer_can_only_self_inspect_own_hospital(
    client, officer_a, hospital_a, hospital_b, safety_template
):
    client.force_login(officer_a)
    response = _new(client, kind="self", hospital=hospital_b.pk)
    assert response.status_code == 200
    assert Inspection.objects.count() == 0
    response = _new(client, kind="unannounced", hospital=hospital_a.pk)
    assert response.status_code == 200  # not a kind an officer may choose
    assert Inspection.objects.count() == 0
    with pytest.raises(InspectionError):
        inspection_start(by=officer_a, hospital=hospital_b, kind="self")

    other = make_assignment(hospital_b, due_date=today())
    response = client.post(reverse("inspections:assignment_start", args=[other.pk]))
    assert response.status_code == 404
    assert Inspection.objects.count() == 0

    assert _new(client, kind="self", hospital=hospital_a.pk).status_code == 302


def test_other_hospitals_inspections_are_404(
    client, officer_a, officer_b, hospital_a, hospital_b, safety_template
):
    theirs = started(officer_b, hospital_b)
    answer = theirs.answers.first()
    client.force_login(officer_a)
    for url in (
        reverse("inspections:detail", args=[theirs.pk]),
        reverse("inspections:record", args=[theirs.pk]),
        reverse("inspections:review", args=[theirs.pk]),
    ):
        assert client.get(url).status_code == 404
    response = client.post(
        reverse("inspections:answer_save", args=[theirs.pk, answer.pk]),
        {"result": "pass", "hazard_category": "fire", "hazard_risk_level": "general"},
    )
    assert response.status_code == 404
    assert client.post(reverse("inspections:submit", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("inspections:delete", args=[theirs.pk])).status_code == 404
    answer.refresh_from_db()
    assert answer.result == ""
    assert Inspection.objects.filter(pk=theirs.pk).exists()


def test_linked_department_staff_inspect_only_their_linked_institutions(
    client, county, hospital_a, department, department_staff, safety_template
):
    unlinked = HospitalFactory(region=county, name="晋江市中医院")
    other_department = BureauDepartmentFactory(region=county, name="疾控股")
    unlinked.linked_department = other_department
    unlinked.save()
    assert list(inspectable_hospitals(department_staff, "linked")) == [hospital_a]

    client.force_login(department_staff)
    assert _new(client, kind="linked", hospital=unlinked.pk).status_code == 200
    assert Inspection.objects.count() == 0

    theirs = make_assignment(unlinked, due_date=today(), kind="linked", department=other_department)
    assert client.post(reverse("inspections:assignment_start", args=[theirs.pk])).status_code == 404
    # Nor can they take the hospital's own self-inspection day.
    self_day = make_assignment(hospital_a, due_date=today())
    assert (
        client.post(reverse("inspections:assignment_start", args=[self_day.pk])).status_code == 404
    )

    mine = make_assignment(hospital_a, due_date=today(), kind="linked", department=department)
    response = client.post(reverse("inspections:assignment_start", args=[mine.pk]))
    assert response.status_code == 302
    assert Inspection.objects.get().kind == "linked"


def test_bureau_staff_without_department_cannot_do_linked_inspections(
    client, county_bureau, hospital_a, department, safety_template
):
    client.force_login(county_bureau)
    assert _new(client, kind="linked", hospital=hospital_a.pk).status_code == 200
    assert Inspection.objects.count() == 0


def test_bureau_inspects_only_in_own_region(
    client, county_bureau, hospital_a, hospital_b, safety_template
):
    client.force_login(county_bureau)
    assert _new(client, kind="spot_check", hospital=hospital_b.pk).status_code == 200
    assert Inspection.objects.count() == 0
    assert _new(client, kind="spot_check", hospital=hospital_a.pk).status_code == 302


def test_bureau_draft_is_private_until_submitted(
    client, county_bureau, officer_a, hospital_a, safety_template
):
    draft = started(county_bureau, hospital_a, kind="unannounced")
    client.force_login(officer_a)
    assert client.get(reverse("inspections:detail", args=[draft.pk])).status_code == 404
    list_page = client.get(reverse("inspections:list")).content.decode()
    assert reverse("inspections:detail", args=[draft.pk]) not in list_page


def test_another_officer_of_the_same_hospital_can_continue_a_self_inspection(
    client, officer_a, hospital_a, safety_template
):
    from tests.factories import OfficerFactory

    colleague = OfficerFactory(hospital=hospital_a)
    draft = started(officer_a, hospital_a)
    client.force_login(colleague)
    assert client.get(reverse("inspections:record", args=[draft.pk])).status_code == 200


def test_city_bureau_sees_county_inspections_but_other_county_does_not(
    client, officer_a, hospital_a, city_bureau, other_county_bureau, safety_template
):
    from inspections.services import inspection_submit

    from .factories import fill_all

    inspection = started(officer_a, hospital_a)
    fill_all(inspection)
    inspection_submit(inspection=inspection, by=officer_a)
    client.force_login(city_bureau)
    assert client.get(reverse("inspections:detail", args=[inspection.pk])).status_code == 200
    client.force_login(other_county_bureau)
    assert client.get(reverse("inspections:detail", args=[inspection.pk])).status_code == 404


def test_department_colleague_can_continue_a_linked_inspection(
    client, county, hospital_a, department, department_staff, county_bureau, safety_template
):
    from tests.factories import BureauUserFactory

    colleague = BureauUserFactory(region=county, department=department)
    assignment = make_assignment(hospital_a, due_date=today(), kind="linked", department=department)
    inspection = inspection_start(by=department_staff, assignment=assignment)
    client.force_login(colleague)
    response = client.post(reverse("inspections:assignment_start", args=[assignment.pk]))
    assert response["Location"] == reverse("inspections:record", args=[inspection.pk])
    assert client.get(response["Location"]).status_code == 200
    # Bureau staff outside the department do not see the draft.
    client.force_login(county_bureau)
    assert client.get(reverse("inspections:record", args=[inspection.pk])).status_code == 404
