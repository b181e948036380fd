"""The one entry point for telling people something: `notify(...)`, and the delivery engine.

Every (recipient or robot, channel, event, object, occurrence) is delivered at most once:
- in-app: the unique constraint on Notification(recipient, dedupe_key);
- e-mail and robots: a Delivery row with a unique (channel, target, dedupe_key), written BEFORE
  anything is sent, in the caller's transaction. Sending claims the row with a conditional
  UPDATE (pending → sending) so a re-run, a redelivered task or a second beat sends nothing new.
A failure is recorded on the row (attempts, last error) and retried with exponential backoff by
the task and by the periodic retry scan; one failing channel never blocks another.
"""

from __future__ import annotations

import contextlib
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Model, Q
from django.db.models.constants import OnConflict
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from hospitals.models import Hospital, Region

from .channels import (
    ROBOT_MAX_BYTES,
    DeliveryError,
    EmailChannel,
    RobotMessage,
    WebhookChannel,
    absolute_url,
    markdown_escape,
    markdown_url,
    robot_channel,
)
from .choices import PERSONAL_EVENTS, Channel, DeliveryStatus, EventKind
from .models import Delivery, Notification, NotificationPreference, Robot

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 30 * 60
# A row still "sending" after this long belongs to a worker that died mid-send.
STALE_SENDING_AFTER = timedelta(minutes=15)
# If the task queued after commit never ran (broker down), the retry scan sends it after this.
SAFETY_NET_DELAY = timedelta(minutes=2)
# Robots accept ~20 messages a minute: one run sends at most this many digest messages per robot.
ROBOT_MAX_MESSAGES_PER_RUN = 5


def backoff_seconds(attempt: int) -> int:
    """Delay before attempt `attempt + 1` (attempt counts from 1): 30 s, 60 s, 120 s … 30 min."""
    return min(BACKOFF_BASE_SECONDS * 2 ** max(attempt - 1, 0), BACKOFF_MAX_SECONDS)


def dedupe_key(event: str, obj: Model | None = None, occurrence: str = "") -> str:
    obj_part = f"{obj._meta.label_lower}:{obj.pk}" if obj is not None else "-"
    return f"{event}|{obj_part}|{occurrence}"[:255]


# ---------------------------------------------------------------------------------------------
# Dispatch batching: one reminder run → one digest per robot.


@dataclass
class _Batch:
    delivery_ids: set[int] = field(default_factory=set)  # e-mails sent one by one
    robot_ids: set[int] = field(default_factory=set)  # one digest per robot
    email_recipient_ids: set[int] = field(default_factory=set)  # one digest e-mail per person
    # A run visits thousands of objects of the same few hospitals: their robots, looked up once.
    robots: dict[tuple, list] = field(default_factory=dict)
    # Integration webhooks (notifications.webhooks): the active endpoints and who may see what,
    # read once per run.
    webhooks: dict = field(default_factory=dict)


_current_batch: ContextVar[_Batch | None] = ContextVar("notifications_batch", default=None)


@contextlib.contextmanager
def dispatch_batch() -> Iterator[_Batch]:
    """Collect what notify() wants to send and queue it once, after commit, when the block ends.

    Reminder scans run inside this so all of one run's robot messages go out as one digest per
    robot (robots accept ~20 messages a minute) and each person gets one e-mail per run."""
    outer = _current_batch.get()
    if outer is not None:  # nested: the outermost batch queues everything
        yield outer
        return
    batch = _Batch()
    token = _current_batch.set(batch)
    try:
        yield batch
    finally:
        _current_batch.reset(token)
    _queue_on_commit(batch)


def _queue_on_commit(batch: _Batch) -> None:
    if not (batch.delivery_ids or batch.robot_ids or batch.email_recipient_ids):
        return
    delivery_ids = sorted(batch.delivery_ids)
    robot_ids = sorted(batch.robot_ids)
    recipient_ids = sorted(batch.email_recipient_ids)
    transaction.on_commit(lambda: queue_sending(delivery_ids, robot_ids, recipient_ids))


def queue_sending(
    delivery_ids: Iterable[int], robot_ids: Iterable[int], email_recipient_ids: Iterable[int] = ()
) -> None:
    """Queue the send tasks. If the broker is unreachable the rows stay pending and the
    periodic retry scan sends them later: nothing is lost."""
    # The one lazy edge of the services ↔ tasks pair: tasks (thin wrappers) import services.
    from .tasks import send_delivery, send_email_digest, send_robot_digest

    try:
        for pk in delivery_ids:
            send_delivery.delay(pk)
        for pk in email_recipient_ids:
            send_email_digest.delay(pk)
        for pk in robot_ids:
            send_robot_digest.delay(pk)
    except Exception:  # broker down: the retry scan is the safety net
        logger.exception("Could not queue notification sending; the retry scan will pick it up")


# ---------------------------------------------------------------------------------------------
# notify()


def _scope_of(
    obj: object, hospital: Hospital | None = None, region: Region | None = None
) -> tuple[Hospital | None, Region | None]:
    if hospital is not None or region is not None or obj is None:
        return hospital, region

    if isinstance(obj, Hospital):
        return obj, None
    if isinstance(obj, Region):
        return None, obj
    candidate = getattr(obj, "hospital", None)
    if isinstance(candidate, Hospital):
        return candidate, None
    candidate = getattr(obj, "region", None)
    if isinstance(candidate, Region):
        return None, candidate
    return None, None


def _robots_for_scope(hospital: Hospital | None, region: Region | None) -> list[Robot]:
    """Robots of a hospital or region; inside a dispatch batch (a reminder run) read once per
    scope for the whole run."""
    batch = _current_batch.get()
    key = (getattr(hospital, "pk", None), getattr(region, "pk", None))
    if batch is not None and key in batch.robots:
        return batch.robots[key]
    robots = list(Robot.objects.for_scope(hospital=hospital, region=region))
    if batch is not None:
        batch.robots[key] = robots
    return robots


def _insert_new(rows: list[Notification]) -> list[Notification]:
    """Insert the notifications that do not exist yet and return exactly those, with their pk
    (rows of one or of many dedupe keys).

    `INSERT … ON CONFLICT DO NOTHING RETURNING id, recipient_id` (PostgreSQL, SQLite ≥ 3.35):
    a row another run inserted first — even one not yet committed, whose insert we wait for —
    is skipped by the database and not returned, so the count of what a reminder run created
    is the count of rows it really added. (bulk_create(ignore_conflicts=True) cannot say which
    rows went in; a "does it exist?" read before it misses a concurrent run's insert.)"""
    if not rows:
        return []
    opts = Notification._meta
    fields = [f for f in opts.concrete_fields if not f.primary_key]
    returning = [opts.pk, opts.get_field("recipient"), opts.get_field("dedupe_key")]
    by_key = {(row.recipient_id, row.dedupe_key): row for row in rows}
    inserted: list[Notification] = []
    manager = Notification._base_manager
    connection = transaction.get_connection(manager.db)
    size = max(connection.ops.bulk_batch_size(fields, rows), 1)
    with transaction.atomic(using=manager.db, savepoint=False):
        for start in range(0, len(rows), size):
            # QuerySet._insert, which Django hands to managers too (queryset_only=False).
            returned = manager._insert(  # type: ignore[attr-defined]
                rows[start : start + size],
                fields=fields,
                returning_fields=returning,
                on_conflict=OnConflict.IGNORE,
            )
            for values in returned:
                if values is None:  # a single row that conflicted (fetchone() found nothing)
                    continue
                pk, recipient_id, key = values
                row = by_key[(recipient_id, key)]
                row.pk = pk
                row._state.adding = False
                row._state.db = manager.db
                inserted.append(row)
    return inserted


def notify(
    *,
    event: str,
    recipients: Iterable[User | None],
    title: str,
    body: str = "",
    url: str = "",
    obj: Model | None = None,
    occurrence: str = "",
    hospital: Hospital | None = None,
    region: Region | None = None,
    robots: bool = True,
    addresses: Iterable[tuple[str, str]] = (),
    attachment: str = "",
) -> list[Notification]:
    """Tell `recipients` about `event` on every channel. Returns the in-app notifications this
    call inserted (not those that existed already or that a concurrent call inserted first).

    Call it inside the caller's transaction: it writes rows only (in-app notifications and
    pending deliveries) and queues the sending after commit, so a rolled-back change notifies
    nobody. Deduplicated per recipient × event × object × occurrence: calling it again for the
    same occurrence is a no-op. E-mail respects each user's preferences; group robots of the
    object's hospital or region (inferred from `obj`, or given as `hospital`/`region`) that
    subscribe to the event receive it too (pass `robots=False` to skip them).

    `addresses` are (name, e-mail) pairs of people without an account (the police contact of
    a region plan): each gets one e-mail Delivery (target "email:<address>", no link into the
    site), deduplicated like every other. `attachment` names a builder registered in
    notifications.attachments; every e-mail of this call carries the file it builds from `obj`,
    rebuilt at each attempt. E-mails with an attachment or to a plain address are sent one by
    one, never folded into a digest.
    """
    key = dedupe_key(event, obj, occurrence)
    title = str(title)[:200]
    body = str(body)
    unique_recipients = {
        user.pk: user for user in recipients if user is not None and user.is_active
    }
    new_rows: list[Notification] = []
    now = timezone.now()
    pending_email_targets: list[str] = []
    pending_robot_ids: list[int] = []

    if unique_recipients:
        new_rows = _insert_new(
            [
                Notification(
                    recipient=user, event=event, dedupe_key=key, title=title, body=body, url=url
                )
                for user in unique_recipients.values()
            ]
        )

        muted = {
            pref.user_id: pref
            for pref in NotificationPreference.objects.filter(user_id__in=unique_recipients)
        }
        email_rows = []
        for pk, user in unique_recipients.items():
            if not user.email:
                continue
            pref = muted.get(pk)
            if pref is not None and not pref.wants_email(event):
                continue
            email_rows.append(
                Delivery(
                    channel=Channel.EMAIL,
                    target=f"user:{pk}",
                    recipient=user,
                    event=event,
                    dedupe_key=key,
                    title=title,
                    body=body,
                    url=url,
                    next_attempt_at=now + SAFETY_NET_DELAY,
                )
            )
            pending_email_targets.append(f"user:{pk}")
        if email_rows:
            Delivery.objects.bulk_create(email_rows, ignore_conflicts=True)

    single_email_targets: list[str] = []
    attachment_id = obj.pk if (attachment and obj is not None) else None
    if attachment:
        # Rows for accounts were built above; they carry the file too.
        Delivery.objects.filter(
            channel=Channel.EMAIL, dedupe_key=key, target__in=pending_email_targets, attempts=0
        ).update(attachment=attachment, attachment_object_id=attachment_id)
        single_email_targets, pending_email_targets = pending_email_targets, []
    address_rows = {}
    for name, address in addresses:
        address = (address or "").strip()
        if not address:
            continue
        target = f"email:{address.lower()}"[:300]
        address_rows[target] = Delivery(
            channel=Channel.EMAIL,
            target=target,
            address=address,
            address_name=str(name or "")[:100],
            event=event,
            dedupe_key=key,
            title=title,
            body=body,
            attachment=attachment,
            attachment_object_id=attachment_id,
            next_attempt_at=now + SAFETY_NET_DELAY,
        )
    if address_rows:
        Delivery.objects.bulk_create(address_rows.values(), ignore_conflicts=True)
        single_email_targets += list(address_rows)

    if robots and event not in PERSONAL_EVENTS:
        scope_hospital, scope_region = _scope_of(obj, hospital, region)
        matching = [
            robot for robot in _robots_for_scope(scope_hospital, scope_region) if robot.wants(event)
        ]
        if matching:
            Delivery.objects.bulk_create(
                [
                    Delivery(
                        channel=robot.kind,
                        target=f"robot:{robot.pk}",
                        robot=robot,
                        event=event,
                        dedupe_key=key,
                        title=title,
                        body=body,
                        url=url,
                        next_attempt_at=now + SAFETY_NET_DELAY,
                    )
                    for robot in matching
                ],
                ignore_conflicts=True,
            )
            pending_robot_ids = [robot.pk for robot in matching]

    delivery_ids: list[int] = []
    if single_email_targets:
        delivery_ids = list(
            Delivery.objects.filter(
                channel=Channel.EMAIL,
                dedupe_key=key,
                target__in=single_email_targets,
                status=DeliveryStatus.PENDING,
                attempts=0,
            ).values_list("pk", flat=True)
        )
    batch = _current_batch.get()
    if pending_email_targets and batch is not None:
        # Inside a reminder run: one digest e-mail per person, sent when the run ends.
        batch.email_recipient_ids.update(int(t.split(":")[1]) for t in pending_email_targets)
    elif pending_email_targets:
        # Only rows this call (or a concurrent twin) created and nobody has touched yet.
        delivery_ids += list(
            Delivery.objects.filter(
                channel=Channel.EMAIL,
                dedupe_key=key,
                target__in=pending_email_targets,
                status=DeliveryStatus.PENDING,
                attempts=0,
            ).values_list("pk", flat=True)
        )
    if delivery_ids or pending_robot_ids:
        if batch is not None:
            batch.delivery_ids.update(delivery_ids)
            batch.robot_ids.update(pending_robot_ids)
        else:
            _queue_on_commit(_Batch(set(delivery_ids), set(pending_robot_ids)))
    return new_rows


@dataclass(frozen=True)
class Notice:
    """The arguments of one `notify` call, for `notify_many`."""

    event: str
    recipients: tuple[User | None, ...]
    title: str
    body: str = ""
    url: str = ""
    obj: Model | None = None
    occurrence: str = ""


def notify_many(notices: Iterable[Notice]) -> list[int]:
    """`notify(...)` for each notice — the same rows, deduplicated the same way — in three
    queries for the lot instead of three per notice: a reminder run tells thousands of objects'
    people at once. No attachments, plain addresses or explicit scope (reminders use none).
    E-mails go out as in a reminder run, one digest per person (`dispatch_batch`). Returns how
    many in-app notifications each notice inserted."""
    now = timezone.now()
    prepared = []
    rows: list[Notification] = []
    for notice in notices:
        key = dedupe_key(notice.event, notice.obj, notice.occurrence)
        title, body = str(notice.title)[:200], str(notice.body)
        users = {u.pk: u for u in notice.recipients if u is not None and u.is_active}
        prepared.append((notice, key, title, body, users))
        rows += [
            Notification(
                recipient=user,
                event=notice.event,
                dedupe_key=key,
                title=title,
                body=body,
                url=notice.url,
            )
            for user in users.values()
        ]
    inserted: defaultdict[str, int] = defaultdict(int)
    for row in _insert_new(rows):
        inserted[row.dedupe_key] += 1
    everyone = {pk for *_rest, users in prepared for pk in users}
    muted = {
        pref.user_id: pref for pref in NotificationPreference.objects.filter(user_id__in=everyone)
    }
    deliveries: list[Delivery] = []
    email_recipient_ids: set[int] = set()
    robot_ids: set[int] = set()
    for notice, key, title, body, users in prepared:
        for pk, user in users.items():
            pref = muted.get(pk)
            if not user.email or (pref is not None and not pref.wants_email(notice.event)):
                continue
            deliveries.append(
                Delivery(
                    channel=Channel.EMAIL,
                    target=f"user:{pk}",
                    recipient=user,
                    event=notice.event,
                    dedupe_key=key,
                    title=title,
                    body=body,
                    url=notice.url,
                    next_attempt_at=now + SAFETY_NET_DELAY,
                )
            )
            email_recipient_ids.add(pk)
        if notice.event in PERSONAL_EVENTS:
            continue
        for robot in _robots_for_scope(*_scope_of(notice.obj)):
            if robot.wants(notice.event):
                deliveries.append(
                    Delivery(
                        channel=robot.kind,
                        target=f"robot:{robot.pk}",
                        robot=robot,
                        event=notice.event,
                        dedupe_key=key,
                        title=title,
                        body=body,
                        url=notice.url,
                        next_attempt_at=now + SAFETY_NET_DELAY,
                    )
                )
                robot_ids.add(robot.pk)
    Delivery.objects.bulk_create(deliveries, ignore_conflicts=True, batch_size=500)
    with dispatch_batch() as batch:
        batch.email_recipient_ids.update(email_recipient_ids)
        batch.robot_ids.update(robot_ids)
    return [inserted[key] for _notice, key, *_rest in prepared]


# ---------------------------------------------------------------------------------------------
# Sending


class TransientDeliveryError(Exception):
    """Raised by tasks so Celery retries them with backoff; the row already records why."""


def _claim(pk: int, now: datetime) -> bool:
    return (
        Delivery.objects.filter(pk=pk, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.SENDING,
            claimed_at=now,
            attempts=F("attempts") + 1,
            updated_at=now,
        )
        == 1
    )


def _mark_sent(pks: list[int]) -> None:
    now = timezone.now()
    Delivery.objects.filter(pk__in=pks, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.SENT,
        sent_at=now,
        next_attempt_at=None,
        last_error="",
        updated_at=now,
    )


def _mark_failed(pks: list[int], exc: DeliveryError) -> bool:
    """Record a failure; returns True when another attempt is scheduled."""
    now = timezone.now()
    retry_any = False
    for delivery in Delivery.objects.filter(pk__in=pks, status=DeliveryStatus.SENDING):
        give_up = exc.permanent or delivery.attempts >= MAX_ATTEMPTS
        fields = {"last_error": str(exc)[:2000], "updated_at": now}
        if give_up:
            fields.update(status=DeliveryStatus.FAILED, next_attempt_at=None)
        else:
            retry_any = True
            fields.update(
                status=DeliveryStatus.PENDING,
                next_attempt_at=now + timedelta(seconds=backoff_seconds(delivery.attempts)),
            )
        Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(**fields)
    return retry_any


def deliver(delivery_id: int) -> str:
    """Send one e-mail or webhook delivery if it is still pending. Returns "sent", "retry",
    "failed" or "skipped" (someone else has it, or it was sent already)."""
    now = timezone.now()
    channel = (
        Delivery.objects.filter(pk=delivery_id, channel__in=(Channel.EMAIL, Channel.WEBHOOK))
        .values_list("channel", flat=True)
        .first()
    )
    if channel is None:
        return "skipped"
    if not _claim(delivery_id, now):
        return "skipped"
    delivery = Delivery.objects.select_related("recipient", "webhook__owner").get(pk=delivery_id)
    try:
        if channel == Channel.WEBHOOK:
            WebhookChannel().send(delivery)
        else:
            EmailChannel().send(delivery)
    except DeliveryError as exc:
        logger.warning("%s delivery %s failed: %s", channel, delivery_id, exc)
        return "retry" if _mark_failed([delivery_id], exc) else "failed"
    _mark_sent([delivery_id])
    return "sent"


def send_email_digest(recipient_id: int, *, limit: int = 100) -> dict:
    """Send a person's due e-mail deliveries as one message (a single one as a normal e-mail).

    Returns counts {"sent": n, "failed": n, "retry": n}."""
    result = {"sent": 0, "failed": 0, "retry": 0}
    now = timezone.now()
    candidates = list(
        Delivery.objects.filter(
            channel=Channel.EMAIL,
            recipient_id=recipient_id,
            status=DeliveryStatus.PENDING,
            attachment="",
        )
        .filter(Q(attempts=0) | Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .select_related("recipient")
        .order_by("created_at", "pk")[:limit]
    )
    claimed = [d for d in candidates if _claim(d.pk, now)]
    if not claimed:
        return result
    pks = [d.pk for d in claimed]
    channel = EmailChannel()
    try:
        if len(claimed) == 1:
            channel.send(claimed[0])
        else:
            channel.send_digest(claimed[0].recipient, claimed)
    except DeliveryError as exc:
        logger.warning("E-mail digest to user %s failed: %s", recipient_id, exc)
        result["retry" if _mark_failed(pks, exc) else "failed"] = len(pks)
        return result
    _mark_sent(pks)
    result["sent"] = len(pks)
    return result


def _digest_messages(deliveries: list[Delivery], limit_bytes: int) -> list[list[Delivery]]:
    """Split deliveries into chunks whose rendered digest fits in one robot message."""
    chunks: list[list[Delivery]] = []
    current: list[Delivery] = []
    for delivery in deliveries:
        candidate = [*current, delivery]
        if current and len(render_digest(candidate).text.encode()) > limit_bytes:
            chunks.append(current)
            current = [delivery]
        else:
            current = candidate
    if current:
        chunks.append(current)
    return chunks


def render_digest(deliveries: list[Delivery]) -> RobotMessage:
    """One markdown message for a robot: items grouped by event, each linking to its page."""
    if len(deliveries) == 1:
        title = deliveries[0].title
    else:
        title = _("%(site)s提醒(共 %(count)s 条)") % {
            "site": settings.SITE_NAME,
            "count": len(deliveries),
        }
    by_event: dict[str, list[Delivery]] = defaultdict(list)
    for delivery in deliveries:
        by_event[delivery.event].append(delivery)
    lines: list[str] = []
    for event, items in by_event.items():
        lines.append(f"**{EventKind(event).label if event in EventKind.values else event}**")
        for item in items:
            # Titles and bodies carry what users typed (descriptions, locations, names):
            # escaped, so a "](http://…)" or "<img …>" in them stays text in the group chat.
            link = absolute_url(item.url)
            label = markdown_escape(item.title)
            text = f"[{label}]({markdown_url(link)})" if link else label
            detail = item.body.strip().splitlines()[0][:120] if item.body.strip() else ""
            lines.append(f"- {text}" + (f":{markdown_escape(detail)}" if detail else ""))
        lines.append("")
    # The site name in every message also satisfies a DingTalk robot's "keyword" security setting.
    lines.append(f"> {settings.SITE_NAME}")
    return RobotMessage(title=str(title), text="\n".join(lines).strip())


def send_robot_digest(robot_id: int) -> dict:
    """Send a robot's pending deliveries as digest messages (at most a few per run).

    Returns counts {"sent": n, "failed": n, "retry": n}."""

    result = {"sent": 0, "failed": 0, "retry": 0}
    robot = Robot.objects.filter(pk=robot_id).first()
    if robot is None:
        return result
    now = timezone.now()
    candidates = list(
        Delivery.objects.filter(robot=robot, status=DeliveryStatus.PENDING)
        .filter(Q(attempts=0) | Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("created_at", "pk")[:200]
    )
    if not candidates:
        return result
    if not robot.is_active:
        pks = [d.pk for d in candidates if _claim(d.pk, now)]
        _mark_failed(pks, DeliveryError(_("机器人已停用"), permanent=True))
        result["failed"] = len(pks)
        return result
    # Leave room for the title line the channel adds.
    chunks = _digest_messages(candidates, ROBOT_MAX_BYTES - 400)[:ROBOT_MAX_MESSAGES_PER_RUN]
    channel = robot_channel(robot.kind)
    for chunk in chunks:
        claimed = [d for d in chunk if _claim(d.pk, now)]
        if not claimed:
            continue
        pks = [d.pk for d in claimed]
        try:
            channel.send(robot, render_digest(claimed))
        except DeliveryError as exc:
            logger.warning("Robot %s digest failed: %s", robot.pk, exc)
            if _mark_failed(pks, exc):
                result["retry"] += len(pks)
            else:
                result["failed"] += len(pks)
            if not exc.permanent:
                break  # the robot is unreachable or throttling: stop this run
            continue
        _mark_sent(pks)
        result["sent"] += len(pks)
    return result


def send_robot_test_message(*, robot: Robot, by: User) -> None:
    """Send a test message to a robot now (not recorded as a delivery). Raises DeliveryError."""
    channel = robot_channel(robot.kind)
    message = RobotMessage(
        title=_("%(site)s测试消息") % {"site": settings.SITE_NAME},
        text=_("这是一条来自%(site)s的测试消息,由 %(user)s 于 %(time)s 发送。机器人配置正确。")
        % {
            "site": settings.SITE_NAME,
            "user": markdown_escape(by.display_name if hasattr(by, "display_name") else by),
            "time": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        },
    )
    channel.send(robot, message)


def retry_due_deliveries(*, limit: int = 500) -> dict:
    """The periodic safety net: revive rows of dead workers, queue what is due."""
    now = timezone.now()
    revived = Delivery.objects.filter(
        status=DeliveryStatus.SENDING, claimed_at__lt=now - STALE_SENDING_AFTER
    ).update(
        status=DeliveryStatus.PENDING,
        next_attempt_at=now,
        last_error=_("发送过程中断(工作进程退出),将重试"),
        updated_at=now,
    )
    due = Delivery.objects.due(now)
    recipient_ids = sorted(
        set(
            due.filter(channel=Channel.EMAIL, attachment="")
            .values_list("recipient_id", flat=True)
            .distinct()[:limit]
        )
        - {None}
    )
    # Sent one by one: e-mails with an attachment, e-mails to a plain address and webhooks.
    single_ids = list(
        due.filter(
            Q(channel=Channel.EMAIL) & (~Q(attachment="") | Q(recipient__isnull=True))
            | Q(channel=Channel.WEBHOOK)
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    robot_ids = sorted(
        set(due.filter(robot__isnull=False).values_list("robot_id", flat=True).distinct())
    )
    queue_sending(single_ids, robot_ids, recipient_ids)
    return {
        "revived": revived,
        "recipients": len(recipient_ids),
        "robots": len(robot_ids),
        "single": len(single_ids),
    }


def delivery_retry(*, delivery: Delivery, by: User) -> bool:
    """An administrator asks to try a failed delivery again. Returns False if not failed."""
    now = timezone.now()
    with transaction.atomic():
        updated = Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.FAILED).update(
            status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now, updated_at=now
        )
    if updated:
        robot_id = delivery.robot_id
        if robot_id:
            transaction.on_commit(lambda: queue_sending([], [robot_id]))
        else:  # one e-mail (with its attachment, if any) or one webhook call, on its own
            transaction.on_commit(lambda: queue_sending([delivery.pk], []))
    return bool(updated)


def deliveries_for(
    *, event: str, obj: Model | None, occurrence: str = "", channel: str = Channel.EMAIL
) -> list[Delivery]:
    """The deliveries of one event occurrence (a page showing "sent to …" asks here)."""
    return list(
        Delivery.objects.filter(channel=channel, dedupe_key=dedupe_key(event, obj, occurrence))
        .select_related("recipient")
        .order_by("pk")
    )


# ---------------------------------------------------------------------------------------------
# Notification centre


def notification_mark_read(*, notification: Notification, by: User) -> None:
    if notification.recipient_id != by.pk:
        raise PermissionError("not the recipient")
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now


def notifications_mark_all_read(*, by: User) -> int:
    return Notification.objects.filter(recipient=by, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def preference_for(user: User) -> NotificationPreference:
    """The user's preferences; the defaults (unsaved) until they first save them, so reading
    the preferences page writes nothing."""
    pref = NotificationPreference.objects.filter(user=user).first()
    return pref if pref is not None else NotificationPreference(user=user)


def preference_update(*, user: User, email_enabled: bool, email_events: Iterable[str]) -> None:
    wanted = set(email_events)
    with transaction.atomic():
        pref, _created = NotificationPreference.objects.select_for_update().get_or_create(user=user)
        pref.email_enabled = email_enabled
        pref.email_muted_events = sorted(set(EventKind.values) - wanted)
        pref.save()
