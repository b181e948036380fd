"""Row locking of the bureau decisions and of evidence stored once (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from hazards.choices import EventType
from hazards.models import Hazard, HazardEvent, HazardEvidence
from hazards.services import (
    HazardError,
    hazard_add_evidence,
    hazard_apply_resumption,
    hazard_lift_suspension,
    hazard_order_suspension,
    hazard_refuse_resumption,
)
from tests.factories import BureauUserFactory
from tests.hazards.conftest import start
from tests.hazards.factories import cleaned_photo, complete_dossier, distinct_jpeg

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(*calls) -> list[str]:
    """Run the calls at the same moment in threads; "ok" or the refusal message of each."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(call):
        try:
            barrier.wait(timeout=10)
            call()
            result = "ok"
        except HazardError as exc:
            result = exc.message
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(outcomes) == len(calls)
    return outcomes


def test_lift_and_refuse_of_one_application_exactly_one_wins(
    major, officer_a, county_bureau, county
):
    colleague = BureauUserFactory(region=county)
    start(major, officer_a)
    complete_dossier(major, officer_a, county_bureau)
    hazard_order_suspension(
        hazard=major,
        by=county_bureau,
        kind="suspend_use",
        scope="配电房",
        notice_no="停1号",
        reason="危险",
    )
    hazard_apply_resumption(hazard=major, by=officer_a, note="已整改")
    outcomes = _race(
        lambda: hazard_lift_suspension(
            hazard=Hazard.objects.get(pk=major.pk), by=county_bureau, reason="审查合格"
        ),
        lambda: hazard_refuse_resumption(
            hazard=Hazard.objects.get(pk=major.pk), by=colleague, reason="不合格"
        ),
    )
    assert outcomes.count("ok") == 1
    decided = HazardEvent.objects.filter(
        hazard=major, kind__in=[EventType.SUSPENSION_LIFTED, EventType.RESUMPTION_REFUSED]
    )
    assert decided.count() == 1


def test_the_same_upload_sent_twice_at_once_is_stored_once(self_found, officer_a):
    start(self_found, officer_a)
    photo = distinct_jpeg()

    def send():
        hazard_add_evidence(
            hazard=Hazard.objects.get(pk=self_found.pk),
            by=officer_a,
            files=[cleaned_photo(data=photo)],
            stage="after",
            upload_key="c" * 32,
        )

    assert _race(send, send) == ["ok", "ok"]
    assert HazardEvidence.objects.filter(hazard=self_found).count() == 1


def test_the_same_file_under_two_keys_at_once_is_stored_once(self_found, officer_a):
    start(self_found, officer_a)
    photo = distinct_jpeg()

    def send(key):
        return lambda: hazard_add_evidence(
            hazard=Hazard.objects.get(pk=self_found.pk),
            by=officer_a,
            files=[cleaned_photo(data=photo)],
            stage="after",
            upload_key=key,
        )

    outcomes = _race(send("d" * 32), send("e" * 32))
    assert outcomes.count("ok") == 1
    assert any("相同的文件已经上传过" in outcome for outcome in outcomes)
    assert HazardEvidence.objects.filter(hazard=self_found).count() == 1
