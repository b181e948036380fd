"""One domain error: every service error is a DomainError, views show it in one place, and a
NotAllowed answers 403 like PermissionDenied."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from accounts.services import UserManagementError
from core.errors import DomainError, NotAllowed
from core.views_helpers import DomainErrorMiddleware, apply_domain_error
from hazards.services import HazardError, HazardPermissionError, StaleHazardError
from hospitals.importing import SheetError
from incidents.services import IncidentError, IncidentNotAllowed
from inspections.offline import SyncError
from inspections.services import InspectionError, TemplateLockedError
from reports.narratives import NarrativeError
from reports.periods import PeriodError
from reports.services import ReportError
from reports.statutory import StatutoryError
from security.services import SecurityError
from training.services import TrainingError


@pytest.mark.parametrize(
    "error",
    [
        UserManagementError("x"),
        HazardError("x"),
        HazardPermissionError("x"),
        StaleHazardError("x"),
        SheetError("x", row=3),
        IncidentError("x"),
        InspectionError("x", ["p"]),
        TemplateLockedError("x"),
        SyncError(409, "x"),
        NarrativeError("x"),
        PeriodError("x"),
        ReportError("x"),
        StatutoryError("x"),
        SecurityError("x"),
        TrainingError("x"),
    ],
)
def test_every_service_error_is_a_domain_error_with_its_message(error):
    assert isinstance(error, DomainError)
    assert error.message == str(error) == "x"


def test_period_error_is_still_a_value_error():
    assert isinstance(PeriodError("x"), ValueError)


def test_not_allowed_has_a_default_message_and_incidents_refusals_are_not_allowed():
    assert str(NotAllowed()) == "您无权执行该操作。"
    assert isinstance(IncidentNotAllowed("x"), IncidentError)
    assert isinstance(IncidentNotAllowed("x"), NotAllowed)


class _Form(forms.Form):
    note = forms.CharField(required=False)


def _bound() -> _Form:
    form = _Form({"note": ""})
    assert form.is_valid()
    return form


def test_the_message_goes_on_the_named_field_else_on_the_form():
    form = _bound()
    apply_domain_error(form, DomainError("on the field", field="note"))
    assert form.errors["note"] == ["on the field"]
    form = _bound()
    apply_domain_error(form, DomainError("fallback"), field="note")
    assert form.errors["note"] == ["fallback"]
    form = _bound()
    apply_domain_error(form, DomainError("no such field", field="missing"))
    assert form.non_field_errors() == ["no such field"]


def test_given_a_request_the_message_becomes_an_error_message():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    apply_domain_error(request, HazardError("refused"))
    assert [str(m) for m in get_messages(request)] == ["refused"]


def test_not_allowed_is_a_403_from_the_helper_and_the_middleware():
    with pytest.raises(PermissionDenied):
        apply_domain_error(_bound(), NotAllowed("no"))
    middleware = DomainErrorMiddleware(lambda request: None)
    request = RequestFactory().get("/")
    with pytest.raises(PermissionDenied):
        middleware.process_exception(request, NotAllowed())
    assert middleware.process_exception(request, HazardError("x")) is None


@pytest.mark.django_db
def test_a_service_refusal_raised_in_a_view_answers_403(client, hospital_a, county_bureau):
    """The statutory confirmation refuses bureau staff (only the hospital's officer confirms)
    with NotAllowed; the view does not catch it and the person gets 403, as before with
    PermissionDenied, and nothing is saved."""
    from django.urls import reverse

    from reports.choices import ReportType
    from reports.models import StatutoryConfirmation
    from reports.periods import Period

    client.force_login(county_bureau)
    period = Period.parse("2026-Q3")
    response = client.post(
        reverse(
            "reports:statutory_confirm",
            args=[ReportType.HAZARD_STATS_QUARTER, period.key, hospital_a.pk],
        )
    )
    assert response.status_code == 403
    assert not StatutoryConfirmation.objects.exists()
