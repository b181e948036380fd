"""Two people accepting the same hazard at the same moment: exactly one succeeds."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from hazards.choices import EventType, Status
from hazards.models import Hazard, HazardEvent
from hazards.services import HazardError, hazard_accept
from tests.factories import BureauUserFactory
from tests.hazards.conftest import start, submit
from tests.hazards.factories import raise_hazard


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_accept_exactly_one_succeeds(hospital_a, officer_a, county_bureau, county):
    colleague = BureauUserFactory(region=county)
    hazard = raise_hazard(hospital=hospital_a, found_by=county_bureau, source="spot_check")
    start(hazard, officer_a)
    submit(hazard, officer_a)

    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def accept(user):
        try:
            barrier.wait(timeout=10)
            hazard_accept(
                hazard=Hazard.objects.get(pk=hazard.pk),
                by=user,
                expected_status=Status.PENDING_ACCEPTANCE,
            )
            result = "ok"
        except HazardError:
            result = "refused"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=accept, args=(u,)) for u in (county_bureau, colleague)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["ok", "refused"]
    hazard.refresh_from_db()
    assert hazard.status == Status.CLOSED
    assert HazardEvent.objects.filter(hazard=hazard, kind=EventType.ACCEPTED).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_raises_get_distinct_codes(hospital_a, officer_a):
    barrier = threading.Barrier(4)
    codes: list[str] = []
    lock = threading.Lock()

    def work():
        try:
            barrier.wait(timeout=10)
            hazard = raise_hazard(hospital=hospital_a, found_by=officer_a)
            with lock:
                codes.append(hazard.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(codes) == 4
    assert len(set(codes)) == 4
