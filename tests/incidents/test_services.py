"""The write rules of the incidents app: who may record, what is valid, nothing saved on a
refusal, each file stored once, hazards only through hazard_raise."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.dates import today
from core.uploads import clean_evidence_upload
from hazards.choices import Category, RiskLevel, Source
from hazards.models import Hazard
from incidents.models import Incident, IncidentAttachment, Patrol
from incidents.services import (
    IncidentError,
    incident_attach,
    incident_create,
    incident_update,
    may_record,
    patrol_create,
    patrol_raise_hazard,
    patrol_update,
)
from tests.security.factories import png_upload

from .factories import incident_data

pytestmark = pytest.mark.django_db


def _patrol_data(**overrides):
    data = {
        "patrolled_on": today(),
        "started_at": dt.time(9, 30),
        "route": "门诊大厅—急诊科—发热门诊",
        "patroller": "林建华",
        "findings": "",
    }
    data.update(overrides)
    return data


def test_officer_records_an_incident_of_own_hospital_with_history(officer_a, hospital_a):
    incident = incident_create(hospital=hospital_a, by=officer_a, **incident_data())
    assert incident.created_by == officer_a
    record = incident.history.get()
    assert record.history_type == "+" and record.history_user == officer_a


def test_bureau_staff_may_not_record(county_bureau, county_admin, hospital_a):
    for user in (county_bureau, county_admin):
        assert not may_record(user, hospital_a.pk)
        with pytest.raises(IncidentError, match="卫健局人员只能查看"):
            incident_create(hospital=hospital_a, by=user, **incident_data())
        with pytest.raises(IncidentError):
            patrol_create(hospital=hospital_a, by=user, **_patrol_data())
    assert Incident.objects.count() == 0 and Patrol.objects.count() == 0


def test_officer_of_another_hospital_may_not_record(officer_b, hospital_a):
    with pytest.raises(IncidentError, match="只能登记本院"):
        incident_create(hospital=hospital_a, by=officer_b, **incident_data())
    assert Incident.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "nonsense"}, "kind"),
        ({"location": "  "}, "location"),
        ({"description": ""}, "description"),
        ({"handled_by": ""}, "handled_by"),
        ({"occurred_at": timezone.now() + dt.timedelta(hours=2)}, "occurred_at"),
        ({"police_involved": False, "police_case_number": "J2026001"}, "police_case_number"),
    ],
)
def test_bad_incident_input_is_refused_and_nothing_saved(officer_a, hospital_a, overrides, field):
    with pytest.raises(ValidationError) as refused:
        incident_create(hospital=hospital_a, by=officer_a, **incident_data(**overrides))
    assert field in refused.value.message_dict
    assert Incident.objects.count() == 0


def test_police_case_number_is_optional_when_police_involved(officer_a, hospital_a):
    incident = incident_create(
        hospital=hospital_a, by=officer_a, **incident_data(police_involved=True)
    )
    assert incident.police_involved and incident.police_case_number == ""


def test_update_records_who_changed_what(officer_a, hospital_a, county_bureau):
    incident = incident_create(hospital=hospital_a, by=officer_a, **incident_data())
    with pytest.raises(IncidentError):
        incident_update(incident=incident, by=county_bureau, outcome="已劝离")
    with pytest.raises(ValidationError):
        incident_update(incident=incident, by=officer_a, location="")
    incident.refresh_from_db()
    assert incident.location == "门诊大厅" and incident.history.count() == 1

    incident_update(
        incident=incident,
        by=officer_a,
        outcome="已劝离并报警",
        police_involved=True,
        police_case_number="J20260001",
    )
    incident.refresh_from_db()
    assert incident.police_case_number == "J20260001"
    newest, older = incident.history.all()[:2]
    assert newest.history_user == officer_a
    changed = {change.field for change in newest.diff_against(older).changes}
    assert {"outcome", "police_involved", "police_case_number"} <= changed


def test_update_refuses_unknown_fields(officer_a, hospital_a, hospital_b):
    incident = incident_create(hospital=hospital_a, by=officer_a, **incident_data())
    with pytest.raises(IncidentError):
        incident_update(incident=incident, by=officer_a, hospital=hospital_b)
    incident.refresh_from_db()
    assert incident.hospital == hospital_a


def test_attachments_are_stored_once(officer_a, hospital_a):
    incident = incident_create(
        hospital=hospital_a,
        by=officer_a,
        attachments=[clean_evidence_upload(png_upload())],
        **incident_data(),
    )
    assert incident.attachments.count() == 1
    # The same file again is refused; nothing is stored.
    with pytest.raises(ValidationError, match="相同的文件已经上传过"):
        incident_attach(incident=incident, by=officer_a, upload=clean_evidence_upload(png_upload()))
    assert IncidentAttachment.objects.count() == 1
    # A retried upload (same key) returns the row stored the first time.
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (9, 9), (0, 90, 200)).save(buffer, "PNG")
    other = SimpleUploadedFile("现场.png", buffer.getvalue(), content_type="image/png")
    first, created = incident_attach(
        incident=incident, by=officer_a, upload=clean_evidence_upload(other), upload_key="k" * 20
    )
    assert created
    other.seek(0)
    again, created = incident_attach(
        incident=incident, by=officer_a, upload=clean_evidence_upload(other), upload_key="k" * 20
    )
    assert not created and again.pk == first.pk
    assert IncidentAttachment.objects.count() == 2


def test_a_refused_attachment_on_create_saves_no_incident(officer_a, hospital_a):
    upload = clean_evidence_upload(png_upload())
    with pytest.raises(ValidationError):
        incident_create(
            hospital=hospital_a, by=officer_a, attachments=[upload, upload], **incident_data()
        )
    assert Incident.objects.count() == 0 and IncidentAttachment.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"patrolled_on": None}, "patrolled_on"),
        ({"route": ""}, "route"),
        ({"patroller": " "}, "patroller"),
        ({"started_at": None}, "started_at"),
    ],
)
def test_bad_patrol_input_is_refused(officer_a, hospital_a, overrides, field):
    with pytest.raises(ValidationError) as refused:
        patrol_create(hospital=hospital_a, by=officer_a, **_patrol_data(**overrides))
    assert field in refused.value.message_dict
    assert Patrol.objects.count() == 0


def test_patrol_in_the_future_is_refused(officer_a, hospital_a):
    with pytest.raises(ValidationError, match="不能晚于今天"):
        patrol_create(
            hospital=hospital_a,
            by=officer_a,
            **_patrol_data(patrolled_on=today() + dt.timedelta(days=1)),
        )


def test_patrol_update_keeps_history(officer_a, officer_b, hospital_a):
    patrol = patrol_create(hospital=hospital_a, by=officer_a, **_patrol_data())
    with pytest.raises(IncidentError):
        patrol_update(patrol=patrol, by=officer_b, route="停车场")
    patrol_update(patrol=patrol, by=officer_a, route="停车场—周界")
    patrol.refresh_from_db()
    assert patrol.route == "停车场—周界"
    assert [h.history_type for h in patrol.history.all()] == ["~", "+"]


def test_a_patrol_finding_becomes_a_hazard_through_hazard_raise(officer_a, hospital_a):
    patrol = patrol_create(
        hospital=hospital_a,
        by=officer_a,
        **_patrol_data(
            patrolled_on=today() - dt.timedelta(days=1), findings="住院部安全出口堆放杂物"
        ),
    )
    hazard = patrol_raise_hazard(
        patrol=patrol,
        by=officer_a,
        category=Category.FIRE,
        risk_level=RiskLevel.GENERAL,
        location="住院部三楼",
    )
    assert hazard.source == Source.SELF_INSPECTION
    assert hazard.description == "住院部安全出口堆放杂物"
    assert hazard.found_on == patrol.patrolled_on
    assert hazard.hospital == hospital_a
    assert f"/patrols/{patrol.pk}/" in hazard.source_url
    assert list(patrol.hazards.all()) == [hazard]


def test_raising_a_hazard_is_refused_for_others_and_for_bad_input(
    officer_a, county_bureau, hospital_a
):
    patrol = patrol_create(hospital=hospital_a, by=officer_a, **_patrol_data())
    with pytest.raises(IncidentError):
        patrol_raise_hazard(
            patrol=patrol,
            by=county_bureau,
            category="security",
            risk_level="general",
            location="门诊",
            description="杂物",
        )
    with pytest.raises(ValidationError):  # no findings and no description
        patrol_raise_hazard(
            patrol=patrol,
            by=officer_a,
            category="security",
            risk_level="general",
            location="门诊",
        )
    with pytest.raises(ValidationError):  # hazard_raise's own rule: a valid risk level
        patrol_raise_hazard(
            patrol=patrol,
            by=officer_a,
            category="security",
            risk_level="huge",
            location="门诊",
            description="杂物",
        )
    assert Hazard.objects.count() == 0 and patrol.hazards.count() == 0


def test_patrol_target_rules(officer_a, officer_b, county_bureau, hospital_a):
    from incidents.models import PatrolTarget
    from incidents.services import patrol_target_set

    with pytest.raises(IncidentError):
        patrol_target_set(hospital=hospital_a, by=county_bureau, starts_on=today(), daily_target=5)
    with pytest.raises(IncidentError):
        patrol_target_set(hospital=hospital_a, by=officer_b, starts_on=today(), daily_target=5)
    with pytest.raises(ValidationError) as refused:
        patrol_target_set(hospital=hospital_a, by=officer_a, starts_on=today(), daily_target=3)
    assert "daily_target" in refused.value.message_dict  # the rule's minimum is not lowered
    with pytest.raises(ValidationError) as refused:
        patrol_target_set(
            hospital=hospital_a,
            by=officer_a,
            starts_on=today(),
            ends_on=today() - dt.timedelta(days=1),
            daily_target=5,
        )
    assert "ends_on" in refused.value.message_dict
    assert PatrolTarget.objects.count() == 0
    target = patrol_target_set(
        hospital=hospital_a, by=officer_a, starts_on=today(), daily_target=5, reason="高峰"
    )
    assert target.history.get().history_user == officer_a
