"""The hash chain of the audit log: append, verify, purge. The one place that writes rows.

Appends are serialised so that concurrent writers never fork the chain: on PostgreSQL by a
transaction-level advisory lock, elsewhere (SQLite, one process) by a process lock — SQLite
serialises writers across processes itself.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import AuditCheckpoint, AuditEntry, AuditVerification

logger = logging.getLogger("safehospital.audit")

GENESIS = "0" * 64
# pg_advisory_xact_lock key: "AUDIT" in ASCII, any constant unique to this purpose.
ADVISORY_KEY = 0x4155444954
# The fields the hash covers, in this order (the canonical JSON sorts keys anyway).
HASHED_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_name",
    "username",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "detail",
    "ip",
    "user_agent",
    "method",
    "path",
    "source",
    "status",
    "scope_path",
    "prev_hash",
)
_local_lock = threading.RLock()


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(values: dict) -> bytes:
    """The bytes the hash is taken over: the hashed fields as sorted, compact JSON."""
    data = {name: values.get(name) for name in HASHED_FIELDS}
    data["at"] = _iso(data["at"])
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def row_hash(values: dict) -> str:
    return hashlib.sha256(canonical(values)).hexdigest()


def entry_values(entry: AuditEntry) -> dict:
    return {name: getattr(entry, name) for name in HASHED_FIELDS}


def json_safe(detail: dict | None) -> dict:
    """The detail as it comes back from the database (so the stored row hashes the same)."""
    return json.loads(json.dumps(detail or {}, default=str, ensure_ascii=False))


@contextmanager
def _serialised():
    """One writer at a time, inside a transaction. PostgreSQL: an advisory lock held to the end
    of the (outermost) transaction, across processes and machines. Other databases (SQLite,
    the embedded single-process default): a process lock."""
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_KEY])
            yield
    else:
        with _local_lock, transaction.atomic():
            yield


def _head() -> tuple[int, str]:
    """The last seq and hash of the chain (the purge checkpoint when every row is gone)."""
    last = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()
    if last:
        return last
    checkpoint = AuditCheckpoint.objects.order_by("-through_seq").first()
    if checkpoint:
        return checkpoint.through_seq, checkpoint.anchor_hash
    return 0, GENESIS


def append(**fields) -> AuditEntry:
    """Add one row at the head of the chain (3 queries on PostgreSQL: lock, head, insert)."""
    fields["detail"] = json_safe(fields.get("detail"))
    with _serialised():
        seq, prev_hash = _head()
        entry = AuditEntry(seq=seq + 1, at=timezone.now(), prev_hash=prev_hash, **fields)
        entry.hash = row_hash(entry_values(entry))
        entry.save(force_insert=True)
    return entry


# --- verification -------------------------------------------------------------------------


@dataclass
class ChainReport:
    ok: bool
    checked: int
    broken_seq: int | None = None
    message: str = ""
    head_seq: int | None = None
    head_hash: str = ""


def _rows() -> Iterator[AuditEntry]:
    return AuditEntry.objects.order_by("seq").iterator(chunk_size=2000)


def verify() -> ChainReport:
    """Walk the chain from its anchor (genesis or the last purge checkpoint) and report the
    first broken row: an edited row no longer matches its hash; a deleted row leaves a gap in
    `seq` or a `prev_hash` that does not match the row before."""
    checkpoint = AuditCheckpoint.objects.order_by("-through_seq").first()
    expected_seq, expected_prev = (
        (checkpoint.through_seq + 1, checkpoint.anchor_hash) if checkpoint else (1, GENESIS)
    )
    checked = 0
    for entry in _rows():
        if entry.seq != expected_seq:
            return ChainReport(
                False,
                checked,
                expected_seq,
                _("第 %(expected)d 条缺失(其后是第 %(found)d 条):记录被删除。")
                % {"expected": expected_seq, "found": entry.seq},
            )
        if entry.prev_hash != expected_prev:
            return ChainReport(
                False,
                checked,
                entry.seq,
                _("第 %(seq)d 条的前一条哈希不符:其前的记录被删除或改动。") % {"seq": entry.seq},
            )
        if row_hash(entry_values(entry)) != entry.hash:
            return ChainReport(
                False,
                checked,
                entry.seq,
                _("第 %(seq)d 条的哈希不符:该记录被改动。") % {"seq": entry.seq},
            )
        checked += 1
        expected_seq, expected_prev = entry.seq + 1, entry.hash
    head = expected_seq - 1
    verified = AuditVerification.objects.filter(ok=True).aggregate(head=Max("head_seq"))["head"]
    if verified is not None and head < verified:
        return ChainReport(
            False,
            checked,
            head + 1,
            _("第 %(first)d 至 %(last)d 条缺失(曾经校验过):末尾的记录被删除。")
            % {"first": head + 1, "last": verified},
        )
    return ChainReport(
        True,
        checked,
        None,
        _("审计链完整,共校验 %(count)d 条。") % {"count": checked},
        head_seq=head,
        head_hash=expected_prev,
    )


def verify_and_record() -> ChainReport:
    """Verify and keep the result (the audit page shows it). The head's seq and hash also go
    to the application log: shipped off the host, they anchor the chain outside the database
    (someone able to rewrite the whole table could recompute every hash after an edit)."""
    report = verify()
    if report.ok:
        logger.info(
            "audit chain intact: %s entries, head seq=%s hash=%s",
            report.checked,
            report.head_seq,
            report.head_hash,
        )
    AuditVerification.objects.create(
        ok=report.ok,
        checked=report.checked,
        broken_seq=report.broken_seq,
        head_seq=report.head_seq,
        message=report.message,
    )
    return report


# --- retention ----------------------------------------------------------------------------


def purge(*, older_than: dt.datetime) -> int:
    """Delete the rows before `older_than` (the retention period) and anchor the rest of the
    chain at the last deleted row. On PostgreSQL the trigger lets the DELETE through only with
    `audit.purge` set for this transaction."""
    with _serialised():
        last = (
            AuditEntry.objects.filter(at__lt=older_than)
            .order_by("-seq")
            .values_list("seq", "hash")
            .first()
        )
        if last is None:
            return 0
        through_seq, anchor = last
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL audit.purge = 'on'")
            cursor.execute(
                f"DELETE FROM {AuditEntry._meta.db_table} WHERE seq <= %s", [through_seq]
            )
            purged = cursor.rowcount
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL audit.purge = 'off'")
        AuditCheckpoint.objects.create(
            through_seq=through_seq, anchor_hash=anchor, purged=purged, cutoff=older_than
        )
    return purged
