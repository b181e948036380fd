"""notify() returns — and reminder runs count — only the in-app notifications it inserted."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from notifications.choices import EventKind
from notifications.models import Notification
from notifications.services import notify


@pytest.mark.django_db
def test_notify_returns_only_the_rows_it_inserted(officer_a, county_bureau):
    first = notify(event=EventKind.HAZARD_DUE_SOON, recipients=[officer_a], title="提醒")
    assert [n.recipient for n in first] == [officer_a]
    assert first[0].pk == Notification.objects.get(recipient=officer_a).pk

    second = notify(
        event=EventKind.HAZARD_DUE_SOON, recipients=[officer_a, county_bureau], title="提醒"
    )
    assert [n.recipient for n in second] == [county_bureau]
    assert second[0].pk == Notification.objects.get(recipient=county_bureau).pk
    assert notify(event=EventKind.HAZARD_DUE_SOON, recipients=[county_bureau], title="提醒") == []
    assert Notification.objects.count() == 2


def _someone_waits_for_a_lock(timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.05)
    return False


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_concurrent_run_does_not_count_rows_the_other_run_inserted(officer_a, county_bureau):
    """Run A has inserted (not yet committed) when run B asks: B's insert waits for A's and then
    skips the rows, and B reports 0 created — the sum of both counts equals the rows that exist
    (it used to be 4 for 2 rows: B had checked "does it exist?" before A committed)."""
    recipients = [officer_a, county_bureau]
    a_inserted = threading.Event()
    release_a = threading.Event()
    counts: dict[str, int] = {}
    errors: list[BaseException] = []

    def run_a():
        try:
            with transaction.atomic():
                counts["a"] = len(
                    notify(event=EventKind.HAZARD_OVERDUE, recipients=recipients, title="逾期")
                )
                a_inserted.set()
                assert release_a.wait(20)  # commit once run B is blocked on our rows
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
            a_inserted.set()
        finally:
            connection.close()

    def run_b():
        try:
            assert a_inserted.wait(10)
            counts["b"] = len(
                notify(event=EventKind.HAZARD_OVERDUE, recipients=recipients, title="逾期")
            )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run_a), threading.Thread(target=run_b)]
    for thread in threads:
        thread.start()
    assert a_inserted.wait(10)
    # Polled from this thread's own connection: a snapshot of pg_stat_activity taken inside
    # run A's transaction would never change.
    b_waited = _someone_waits_for_a_lock()
    release_a.set()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert b_waited, "run B never waited for run A's uncommitted rows"
    assert counts == {"a": 2, "b": 0}
    assert Notification.objects.filter(event=EventKind.HAZARD_OVERDUE).count() == 2
