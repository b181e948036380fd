"""The audit log is append-only and hash-chained: edits and deletions are refused, and the ones
made behind the application's back (raw SQL with the trigger off) are found by audit_verify."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from io import StringIO

import pytest
import time_machine
from django.core.checks import run_checks
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit import chain
from audit.choices import Action
from audit.models import AppendOnlyError, AuditCheckpoint, AuditEntry, AuditVerification
from audit.recorder import audit_record
from audit.tasks import purge_expired, verify_chain

pytestmark = pytest.mark.django_db


def record_some(user, n=5):
    return [audit_record(Action.LOGIN, actor=user, detail={"n": i}) for i in range(n)]


def run_verify() -> tuple[int, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("audit_verify", stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code), out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()


def raw(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def without_trigger(sql: str, params=()):
    """What a DBA (or an attacker with the database password) could do: switch the
    append-only trigger off and change the table directly."""
    if connection.vendor == "postgresql":
        raw("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
        try:
            raw(sql, params)
        finally:
            raw("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_append_only")
    else:
        raw(sql, params)


def test_rows_form_a_chain_and_verify_passes(officer_a):
    entries = record_some(officer_a)
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == chain.GENESIS
    for before, after in itertools.pairwise(entries):
        assert after.prev_hash == before.hash
    code, output = run_verify()
    assert code == 0, output
    assert "5" in output
    verification = AuditVerification.objects.get()
    assert verification.ok and verification.head_seq == 5


def test_orm_update_and_delete_are_refused(officer_a):
    entry = record_some(officer_a, 1)[0]
    entry.object_repr = "改动"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(object_repr="改动")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).object_repr == ""


@pytest.mark.postgres
def test_raw_update_and_delete_are_refused_by_the_trigger(officer_a):
    entry = record_some(officer_a, 1)[0]
    for sql in (
        "UPDATE audit_auditentry SET actor_name = 'x' WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            raw(sql, [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk, actor_name=entry.actor_name).exists()


@pytest.mark.postgres
def test_purge_checkpoints_are_immutable(officer_a):
    record_some(officer_a, 2)
    chain.purge(older_than=timezone.now() + dt.timedelta(seconds=1))
    checkpoint = AuditCheckpoint.objects.get()
    with pytest.raises(AppendOnlyError):
        checkpoint.delete()
    for sql in (
        "UPDATE audit_auditcheckpoint SET through_seq = 1 WHERE id = %s",
        "DELETE FROM audit_auditcheckpoint WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
            raw(sql, [checkpoint.pk])
    assert AuditCheckpoint.objects.get().through_seq == 2


@pytest.mark.postgres
def test_the_purge_flag_does_not_allow_updates(officer_a):
    entry = record_some(officer_a, 1)[0]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw("SET LOCAL audit.purge = 'on'")
        raw("UPDATE audit_auditentry SET actor_name = 'x' WHERE id = %s", [entry.pk])


def test_verify_reports_an_edited_row(officer_a):
    entries = record_some(officer_a)
    without_trigger(
        "UPDATE audit_auditentry SET object_repr = 'edited' WHERE seq = %s", [entries[2].seq]
    )
    code, output = run_verify()
    assert code == 1
    assert "seq=3" in output
    verification = AuditVerification.objects.get()
    assert not verification.ok and verification.broken_seq == 3


def test_verify_reports_an_edited_row_even_with_its_hash_recomputed(officer_a):
    """Recomputing the edited row's own hash does not help: the next row's prev_hash no
    longer matches."""
    entries = record_some(officer_a)
    edited = AuditEntry.objects.get(seq=2)
    values = chain.entry_values(edited)
    values["actor_name"] = "someone else"
    without_trigger(
        "UPDATE audit_auditentry SET actor_name = %s, hash = %s WHERE seq = 2",
        ["someone else", chain.row_hash(values)],
    )
    code, output = run_verify()
    assert code == 1
    assert "seq=3" in output
    assert entries


def test_verify_reports_a_deleted_row(officer_a):
    record_some(officer_a)
    without_trigger("DELETE FROM audit_auditentry WHERE seq = 4")
    code, output = run_verify()
    assert code == 1
    assert "seq=4" in output


def test_verify_reports_a_deleted_first_row(officer_a):
    record_some(officer_a, 3)
    without_trigger("DELETE FROM audit_auditentry WHERE seq = 1")
    code, output = run_verify()
    assert code == 1
    assert "seq=1" in output


def test_verify_reports_rows_cut_off_the_end_after_a_verification(officer_a):
    """Deleting the newest rows leaves no gap; the head seq of the last verification does."""
    record_some(officer_a, 4)
    assert run_verify()[0] == 0
    without_trigger("DELETE FROM audit_auditentry WHERE seq >= 3")
    code, output = run_verify()
    assert code == 1
    assert "seq=3" in output


def test_retention_purge_keeps_the_rest_verifiable(officer_a, settings):
    settings.AUDIT_RETENTION_DAYS = 180
    with time_machine.travel(timezone.now() - dt.timedelta(days=200), tick=False):
        old = record_some(officer_a, 3)
    recent = record_some(officer_a, 2)
    assert chain.verify().ok
    assert purge_expired() == 3
    # The purge leaves an entry of its own at the head of the chain.
    purge_entry = AuditEntry.objects.get(action=Action.SYSTEM)
    assert purge_entry.detail["purged"] == 3 and purge_entry.seq == 6
    recent.append(purge_entry)
    assert not AuditEntry.objects.filter(seq__in=[e.seq for e in old]).exists()
    checkpoint = AuditCheckpoint.objects.get()
    assert checkpoint.through_seq == 3
    assert checkpoint.anchor_hash == old[-1].hash
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == [
        e.seq for e in recent
    ]
    report = chain.verify()
    assert report.ok, report.message
    assert report.checked == 3
    # Nothing older left: a second purge does nothing; the chain continues from the head.
    assert purge_expired() == 0
    audit_record(Action.LOGOUT, actor=officer_a)
    assert run_verify()[0] == 0


def test_rows_within_the_retention_period_are_kept(officer_a, settings):
    settings.AUDIT_RETENTION_DAYS = 180
    with time_machine.travel(timezone.now() - dt.timedelta(days=170), tick=False):
        record_some(officer_a, 2)
    assert purge_expired() == 0
    assert AuditEntry.objects.count() == 2


def test_purge_of_everything_continues_from_the_checkpoint(officer_a):
    record_some(officer_a, 2)
    assert chain.purge(older_than=timezone.now() + dt.timedelta(seconds=1)) == 2
    entry = audit_record(Action.LOGIN, actor=officer_a)
    assert entry.seq == 3
    assert entry.prev_hash == AuditCheckpoint.objects.get().anchor_hash
    assert chain.verify().ok


def test_retention_below_180_days_fails_the_system_check(settings):
    settings.AUDIT_RETENTION_DAYS = 90
    errors = [e.id for e in run_checks()]
    assert "audit.E001" in errors
    settings.AUDIT_RETENTION_DAYS = 365
    assert "audit.E001" not in [e.id for e in run_checks()]


def test_audit_log_can_be_switched_off(settings, officer_a):
    settings.AUDIT_LOG_ENABLED = False
    assert audit_record(Action.LOGIN, actor=officer_a) is None
    assert not AuditEntry.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain(officer_a):
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def write():
        try:
            barrier.wait(timeout=10)
            for _ in range(10):
                audit_record(Action.LOGIN, actor=officer_a)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == list(
        range(1, 41)
    )
    report = chain.verify()
    assert report.ok, report.message


def test_nightly_verification_tells_the_auditors_when_broken(officer_a, county_auditor, mailoutbox):
    record_some(officer_a, 3)
    assert verify_chain() is True
    assert not mailoutbox
    without_trigger("UPDATE audit_auditentry SET username = 'someone' WHERE seq = 2")
    assert verify_chain() is False
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [county_auditor.email]
    assert "2" in mailoutbox[0].body
    assert not AuditVerification.objects.order_by("-pk").first().ok
