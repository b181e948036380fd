"""schemathesis over /api/schema/: every operation (reads and writes), with a signed-in bureau
token that may write, through the WSGI app. Positive data (what the schema allows, including
random strings, ids that do not exist, uploads that are not images); no answer may be a 5xx,
and every answer must match the schema (status code, content type, body)."""

from __future__ import annotations

import datetime as dt

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from core.dates import today
from hazards.choices import EvidenceStage
from hazards.services import hazard_add_evidence, hazard_start_rectification
from security import services as security_services
from tests.factories import BureauUserFactory, HospitalFactory, OfficerFactory, RegionFactory
from tests.hazards.factories import cleaned_photo, raise_hazard

from .helpers import issue

MAX_EXAMPLES = 8
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _world():
    city = RegionFactory(code="QZ", level="city")
    county = RegionFactory(code="JJ", level="county", parent=city)
    hospital = HospitalFactory(region=county)
    officer = OfficerFactory(hospital=hospital)
    bureau = BureauUserFactory(region=county)
    hazard = raise_hazard(hospital=hospital, found_by=officer, photos=[cleaned_photo()])
    hazard_start_rectification(
        hazard=hazard,
        by=officer,
        responsible_person="王五",
        rectification_measures="清理",
        interim_measures="警示",
    )
    hazard_add_evidence(
        hazard=hazard, by=officer, files=[cleaned_photo()], stage=EvidenceStage.AFTER
    )
    raise_hazard(
        hospital=hospital,
        found_by=bureau,
        source="supervision",
        deadline=today() + dt.timedelta(days=5),
    )
    security_services.checklist_ensure(hospital=hospital)
    return bureau


@pytest.fixture
def _keep_connection():
    """The WSGI app closes the database connection at the end of each request (Django's
    request signals); inside the test's transaction it must stay open, as Django's own test
    client arranges."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_api_conforms_to_its_schema(db, settings, _keep_connection):
    settings.API_THROTTLE_RATE = ""
    _token, secret = issue(_world())
    headers = {"Authorization": f"Bearer {secret}"}
    # Loaded from the app's own /api/schema/, with the token (the schema needs a login).
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application, headers=headers)
    schema.config.update(headers=headers)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30
    failures = []
    for operation in operations:
        strategy = operation.as_strategy(GenerationMode.POSITIVE)

        @given(case=strategy)
        @hypothesis_settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except Exception as exc:  # every operation is run; all failures are reported at once
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
    assert not failures, "\n\n".join(failures)
