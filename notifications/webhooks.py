"""Outgoing, signed webhooks for integration accounts (issue 17): `emit(...)` and the services
administrators use to manage endpoints.

An event is emitted by the app that owns it (hazards, inspections, reports), inside the
transaction that made it happen, with ONE call:

    webhooks.emit(WebhookEvent.HAZARD_RAISED, hazard, data={...}, url=...)

`emit` writes one `Delivery` row (channel "webhook", target "webhook:<pk>") per active endpoint
that subscribes to the event and whose OWNER may see the object — `type(obj).objects
.visible_to(owner)`, the same rule as the owner's own pages, so an endpoint of a county-2
account never hears of a county-1 hazard. The row carries the exact JSON body; its unique
(channel, target, dedupe_key) makes a second emit of the same occurrence a no-op. Sending is
queued after commit through the same dispatch batch as `notify()` (a rolled-back change sends
nothing) and retried with the same backoff; every attempt is signed anew (channels.py,
`webhook_signature`).
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import uuid
from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError, NotAllowed

from .channels import absolute_url
from .choices import WEBHOOK_SUBSCRIBABLE, Channel, DeliveryStatus, WebhookEvent
from .models import Delivery, WebhookEndpoint
from .services import SAFETY_NET_DELAY, _Batch, _current_batch, _queue_on_commit, dedupe_key
from .services import deliver as deliver_now
from .urlsafety import validate_endpoint_url

SECRET_PREFIX = "whsec_"
# Deliveries an endpoint's page lists.
RECENT_DELIVERIES = 20


class WebhookError(DomainError):
    """A refused webhook operation; the message is translated."""


# ---------------------------------------------------------------------------------------------
# Emitting events


def _endpoints(batch: _Batch | None) -> list[WebhookEndpoint]:
    """The active endpoints with their owners; read once per dispatch batch (a reminder run
    emits for many hazards)."""
    if batch is not None and "endpoints" in batch.webhooks:
        return batch.webhooks["endpoints"]
    endpoints = list(
        WebhookEndpoint.objects.active().select_related(
            "owner", "owner__region", "owner__hospital", "owner__hospital__region"
        )
    )
    if batch is not None:
        batch.webhooks["endpoints"] = endpoints
    return endpoints


def _owner_sees(owner, obj, batch: _Batch | None) -> bool:
    """THE scoping rule of the object's model, asked for the endpoint's owner."""
    key = ("sees", owner.pk, obj._meta.label_lower, obj.pk)
    if batch is not None and key in batch.webhooks:
        return batch.webhooks[key]
    seen = type(obj).objects.visible_to(owner).filter(pk=obj.pk).exists()
    if batch is not None:
        batch.webhooks[key] = seen
    return seen


def payload_json(event: str, occurred_at: dt.datetime, data: dict) -> str:
    """The request body: {"event", "occurred_at", "data"} as compact UTF-8 JSON."""
    return json.dumps(
        {"event": str(event), "occurred_at": occurred_at.isoformat(), "data": data},
        ensure_ascii=False,
        separators=(",", ":"),
        cls=DjangoJSONEncoder,
    )


def emit(
    event: str,
    obj,
    *,
    data: dict | Callable[[], dict],
    url: str = "",
    occurrence: str = "",
    occurred_at: dt.datetime | None = None,
    title: str = "",
) -> list[int]:
    """Queue `event` about `obj` for every endpoint that wants it and whose owner may see `obj`.

    Call it inside the caller's transaction: it only writes Delivery rows; sending is queued
    after commit. One delivery per endpoint × event × object × `occurrence`: emitting the same
    occurrence again (a re-run scan, a retried task) adds nothing. `data` goes into the body as
    given, plus "url" (absolute link to the object's page); pass a callable to build it only
    when some endpoint receives the event (no endpoint, no extra query). Returns the ids of the deliveries
    queued (pending, never attempted)."""
    batch = _current_batch.get()
    wanted = [endpoint for endpoint in _endpoints(batch) if endpoint.wants(event)]
    receivers = [endpoint for endpoint in wanted if _owner_sees(endpoint.owner, obj, batch)]
    if not receivers:
        return []
    now = timezone.now()
    key = dedupe_key(event, obj, occurrence)
    values = data() if callable(data) else data
    body = payload_json(event, occurred_at or now, {**values, "url": absolute_url(url)})
    label = WebhookEvent(event).label if event in WebhookEvent.values else event
    title = str(title or f"{label} · {obj}")[:200]
    targets = [f"webhook:{endpoint.pk}" for endpoint in receivers]
    Delivery.objects.bulk_create(
        [
            Delivery(
                channel=Channel.WEBHOOK,
                target=target,
                webhook=endpoint,
                event=event,
                dedupe_key=key,
                title=title,
                url=url,
                payload=body,
                next_attempt_at=now + SAFETY_NET_DELAY,
            )
            for target, endpoint in zip(targets, receivers, strict=True)
        ],
        ignore_conflicts=True,
    )
    ids = list(
        Delivery.objects.filter(
            channel=Channel.WEBHOOK,
            dedupe_key=key,
            target__in=targets,
            status=DeliveryStatus.PENDING,
            attempts=0,
        ).values_list("pk", flat=True)
    )
    if ids:
        if batch is not None:
            batch.delivery_ids.update(ids)
        else:
            _queue_on_commit(_Batch(delivery_ids=set(ids)))
    return ids


# ---------------------------------------------------------------------------------------------
# Managing endpoints (administrators of the owner's region)


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _check_admin(by) -> None:
    if not (by.is_superuser or (by.is_region_admin and by.region_id)):
        raise NotAllowed(_("只有管理员可以配置 Webhook 推送。"))


def _check_manages(endpoint: WebhookEndpoint, by) -> None:
    _check_admin(by)
    if not WebhookEndpoint.objects.visible_to(by).filter(pk=endpoint.pk).exists():
        raise NotAllowed(_("您无权管理该 Webhook 推送。"))


def owner_choices(by):
    """Accounts an administrator may make an endpoint's owner: active users they manage."""
    return User.objects.visible_to(by).filter(is_active=True).select_related("region", "hospital")


def _clean(*, by, name: str, url: str, owner, events: Iterable[str]) -> dict:
    name = (name or "").strip()
    if not name:
        raise WebhookError(_("请填写名称。"), field="name")
    if len(name) > 100:
        raise WebhookError(_("名称不能超过 100 个字符。"), field="name")
    if len((url or "").strip()) > 500:
        raise WebhookError(_("推送地址不能超过 500 个字符。"), field="url")
    try:
        url = validate_endpoint_url(url)
    except ValidationError as exc:
        raise WebhookError("; ".join(exc.messages), field="url")
    if owner is None or not owner_choices(by).filter(pk=owner.pk).exists():
        raise WebhookError(_("请选择您管理范围内的有效集成账号。"), field="owner")
    allowed = {value for value, _label in WEBHOOK_SUBSCRIBABLE}
    chosen = sorted(set(events or ()))
    if not chosen:
        raise WebhookError(_("请至少选择一个推送事件。"), field="events")
    unknown = [event for event in chosen if event not in allowed]
    if unknown:
        raise WebhookError(
            _("未知的推送事件:%(events)s") % {"events": ", ".join(unknown)}, field="events"
        )
    return {"name": name, "url": url, "owner": owner, "events": chosen}


def webhook_create(
    *, by, name: str, url: str, owner, events: Iterable[str], is_active: bool = True
) -> tuple[WebhookEndpoint, str]:
    """Create an endpoint with a newly generated secret. Returns (endpoint, secret): the
    caller shows the secret once."""
    _check_admin(by)
    fields = _clean(by=by, name=name, url=url, owner=owner, events=events)
    secret = new_secret()
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            **fields, secret=secret, is_active=is_active, created_by=by
        )
    return endpoint, secret


def webhook_update(
    *,
    endpoint: WebhookEndpoint,
    by,
    name: str,
    url: str,
    owner,
    events: Iterable[str],
    is_active: bool,
) -> WebhookEndpoint:
    _check_manages(endpoint, by)
    fields = _clean(by=by, name=name, url=url, owner=owner, events=events)
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        for attr, value in fields.items():
            setattr(locked, attr, value)
        locked.is_active = is_active
        locked.save()
    return locked


def webhook_set_active(*, endpoint: WebhookEndpoint, by, active: bool) -> WebhookEndpoint:
    """Switch an endpoint on or off. A switched-off endpoint gets no new deliveries; those
    still pending fail (permanently) when their turn comes."""
    _check_manages(endpoint, by)
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        if locked.is_active != active:
            locked.is_active = active
            locked.save(update_fields=["is_active", "updated_at"])
    return locked


def webhook_rotate_secret(*, endpoint: WebhookEndpoint, by) -> str:
    """A new secret (the old one stops working at once). Returns it, to be shown once."""
    _check_manages(endpoint, by)
    secret = new_secret()
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        locked.secret = secret
        locked.save(update_fields=["secret", "updated_at"])
    return secret


def webhook_ping(*, endpoint: WebhookEndpoint, by) -> Delivery:
    """Send a signed "ping" to the endpoint now, recorded as a delivery like every event (a
    failure is retried like one). Returns the delivery as it stands after the attempt."""
    _check_manages(endpoint, by)
    if not endpoint.is_active:
        raise WebhookError(_("该 Webhook 推送已停用,请先启用。"))
    now = timezone.now()
    body = payload_json(
        WebhookEvent.PING,
        now,
        {
            "endpoint": {"id": endpoint.pk, "name": endpoint.name},
            "by": by.get_username(),
            "url": absolute_url(reverse("notifications:webhook_detail", args=[endpoint.pk])),
        },
    )
    with transaction.atomic():
        delivery = Delivery.objects.create(
            channel=Channel.WEBHOOK,
            target=f"webhook:{endpoint.pk}",
            webhook=endpoint,
            event=WebhookEvent.PING,
            dedupe_key=f"ping|{uuid.uuid4().hex}",
            title=_("测试推送 · %(name)s") % {"name": endpoint.name},
            payload=body,
            next_attempt_at=now + SAFETY_NET_DELAY,
        )
    deliver_now(delivery.pk)
    delivery.refresh_from_db()
    return delivery


def recent_deliveries(endpoint: WebhookEndpoint, *, limit: int = RECENT_DELIVERIES):
    return list(endpoint.deliveries.order_by("-created_at", "-pk")[:limit])
