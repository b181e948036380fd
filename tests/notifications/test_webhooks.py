"""Outgoing signed webhooks against a real receiver on loopback: every event once, a valid
signature, retries with backoff, the SSRF guard and the owner's scope."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import socket

import pytest
import time_machine
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from core.dates import today
from hazards.choices import Status
from hazards.models import HazardEvent
from hazards.services import hazard_accept, hazard_set_deadline
from hazards.webhooks import emit_for_event, emit_overdue
from inspections import checklist_seed
from inspections.models import Answer, ChecklistItem, ChecklistSection, ChecklistTemplate
from inspections.services import inspection_start, inspection_submit
from notifications import services
from notifications.channels import webhook_signature
from notifications.choices import Channel, DeliveryStatus, WebhookEvent
from notifications.models import Delivery, WebhookEndpoint
from notifications.tasks import run_reminders_now
from notifications.webhooks import WebhookError, webhook_create
from reports.choices import ExportStatus, ReportType
from reports.models import ReportExport
from reports.periods import Period
from reports.services import export_build
from tests.factories import BureauUserFactory, OfficerFactory
from tests.hazards.conftest import start, submit
from tests.hazards.factories import raise_hazard
from tests.notifications.webhook_receiver import verify

pytestmark = pytest.mark.django_db

ALL_EVENTS = [
    WebhookEvent.HAZARD_RAISED,
    WebhookEvent.HAZARD_STATUS_CHANGED,
    WebhookEvent.HAZARD_OVERDUE,
    WebhookEvent.INSPECTION_SUBMITTED,
    WebhookEvent.REPORT_READY,
]


@pytest.fixture
def integration_user(county):
    return BureauUserFactory(username="integration_county", region=county)


def endpoint_for(owner, url, events=ALL_EVENTS, **kwargs) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        name=f"对接 {owner.username}",
        url=url,
        secret=kwargs.pop("secret", "whsec_test-secret"),
        events=list(events),
        owner=owner,
        **kwargs,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the signature ---------------------------------------------------------------------------


def test_signature_is_hmac_sha256_of_timestamp_dot_body():
    body = b'{"event":"ping"}'
    expected = hmac.new(b"k", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert webhook_signature("k", 1700000000, body) == f"sha256={expected}"


def test_raised_hazard_reaches_the_receiver_signed(
    receiver, hospital_a, officer_a, integration_user, django_capture_on_commit_callbacks
):
    endpoint = endpoint_for(integration_user, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        hazard = raise_hazard(hospital=hospital_a, found_by=officer_a)
    assert receiver.events() == [WebhookEvent.HAZARD_RAISED]
    call = receiver.calls[0]
    assert verify(endpoint.secret, call.headers, call.raw)
    assert not verify("whsec_another", call.headers, call.raw)
    delivery = Delivery.objects.get(webhook=endpoint)
    assert call.headers["X-SafeHospital-Delivery"] == str(delivery.pk)
    assert call.headers["Content-Type"].startswith("application/json")
    body = call.body
    assert set(body) == {"event", "occurred_at", "data"}
    assert body["event"] == "hazard.raised"
    data = body["data"]
    assert data["hazard"]["id"] == hazard.pk and data["hazard"]["code"] == hazard.code
    assert data["hospital"] == {
        "id": hospital_a.pk,
        "name": hospital_a.name,
        "region": {"id": hospital_a.region_id, "code": hospital_a.region.code},
    }
    assert data["status"] == Status.PENDING
    assert data["url"].endswith(f"/hazards/{hazard.pk}/")
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 1
    assert delivery.payload.encode() == call.raw  # the stored body is what was sent


# --- the whole round: every event exactly once ---------------------------------------------


def test_loopback_receiver_gets_each_event_once_with_a_valid_signature(
    receiver,
    county,
    hospital_a,
    officer_a,
    county_bureau,
    integration_user,
    django_capture_on_commit_callbacks,
):
    endpoint = endpoint_for(integration_user, receiver.url)
    checklist_seed.install(ChecklistTemplate, ChecklistSection, ChecklistItem)
    with django_capture_on_commit_callbacks(execute=True):
        # A hazard through every transition of its life.
        hazard = raise_hazard(hospital=hospital_a, found_by=officer_a)
        start(hazard, officer_a)
        submit(hazard, officer_a)
        hazard_accept(hazard=hazard, by=officer_a)
        # A hazard past its deadline; the reminder scan runs twice.
        late = raise_hazard(
            hospital=hospital_a,
            found_by=officer_a,
            found_on=today() - dt.timedelta(days=10),
            deadline=today() - dt.timedelta(days=2),
        )
        run_reminders_now()
        run_reminders_now()
        # An inspection submitted (all items pass: no hazard raised).
        inspection = inspection_start(by=officer_a, hospital=hospital_a, kind="self")
        Answer.objects.filter(inspection=inspection).update(result="pass")
        Answer.objects.filter(inspection=inspection, item__code="TRAIN-01").update(result="na")
        inspection_submit(inspection=inspection, by=officer_a)
        # A report built by the task's service, and a second (redelivered) build.
        period = Period.parse("2026-Q3")
        export = ReportExport.objects.create(
            report_type=ReportType.QUARTERLY,
            region=county,
            period_kind=period.kind,
            period_key=period.key,
            period_start=period.start,
            period_end=period.end,
            status=ExportStatus.QUEUED,
        )
        export_build(export.pk)
        export_build(export.pk)
    export.refresh_from_db()
    assert export.status == ExportStatus.READY

    assert sorted(receiver.events()) == sorted(
        [WebhookEvent.HAZARD_RAISED] * 2
        + [WebhookEvent.HAZARD_STATUS_CHANGED] * 3
        + [WebhookEvent.HAZARD_OVERDUE, WebhookEvent.INSPECTION_SUBMITTED]
        + [WebhookEvent.REPORT_READY]
    )
    assert all(verify(endpoint.secret, call.headers, call.raw) for call in receiver.calls)
    delivery_ids = [call.headers["X-SafeHospital-Delivery"] for call in receiver.calls]
    assert len(set(delivery_ids)) == len(delivery_ids)  # each delivery once

    by_event: dict[str, list[dict]] = {}
    for call in receiver.calls:
        by_event.setdefault(call.event, []).append(call.body["data"])
    transitions = [
        (data["from_status"], data["to_status"])
        for data in by_event[WebhookEvent.HAZARD_STATUS_CHANGED]
    ]
    assert sorted(transitions) == sorted(
        [
            (Status.PENDING, Status.IN_PROGRESS),
            (Status.IN_PROGRESS, Status.PENDING_ACCEPTANCE),
            (Status.PENDING_ACCEPTANCE, Status.CLOSED),
        ]
    )
    overdue = by_event[WebhookEvent.HAZARD_OVERDUE][0]
    assert overdue["hazard"]["id"] == late.pk and overdue["days_overdue"] == 2
    submitted = by_event[WebhookEvent.INSPECTION_SUBMITTED][0]
    assert submitted["inspection"]["id"] == inspection.pk
    assert submitted["status"] == "submitted"
    ready = by_event[WebhookEvent.REPORT_READY][0]
    assert ready["report"]["id"] == export.pk and ready["status"] == ExportStatus.READY
    assert ready["region"] == {"id": county.pk, "code": county.code}
    assert (
        Delivery.objects.filter(channel=Channel.WEBHOOK).exclude(status=DeliveryStatus.SENT).count()
        == 0
    )


def test_an_emitter_run_twice_delivers_once(
    receiver, hospital_a, officer_a, integration_user, django_capture_on_commit_callbacks
):
    endpoint_for(integration_user, receiver.url)
    hazard = raise_hazard(
        hospital=hospital_a,
        found_by=officer_a,
        found_on=today() - dt.timedelta(days=10),
        deadline=today() - dt.timedelta(days=1),
    )
    started = start(hazard, officer_a)
    event = HazardEvent.objects.get(hazard=hazard, to_status=Status.IN_PROGRESS)
    with django_capture_on_commit_callbacks(execute=True):
        emit_for_event(started, event)
        emit_for_event(started, event)
        emit_overdue(started, today=today())
        emit_overdue(started, today=today() + dt.timedelta(days=7))  # a later cycle
        with services.dispatch_batch():
            emit_overdue(started, today=today())
    rows = Delivery.objects.filter(channel=Channel.WEBHOOK).order_by("pk")
    assert [row.event for row in rows] == [
        WebhookEvent.HAZARD_RAISED,
        WebhookEvent.HAZARD_STATUS_CHANGED,
        WebhookEvent.HAZARD_OVERDUE,
    ]
    # Raised and started were sent without the capture (no commit: still pending) ...
    assert receiver.events() == [WebhookEvent.HAZARD_STATUS_CHANGED, WebhookEvent.HAZARD_OVERDUE]


def test_a_new_deadline_once_passed_is_a_new_overdue_occurrence(
    receiver, hospital_a, officer_a, county_bureau, integration_user
):
    endpoint_for(integration_user, receiver.url, events=[WebhookEvent.HAZARD_OVERDUE])
    hazard = raise_hazard(
        hospital=hospital_a,
        found_by=officer_a,
        found_on=today() - dt.timedelta(days=10),
        deadline=today() - dt.timedelta(days=3),
    )
    emit_overdue(hazard, today=today())
    hazard = hazard_set_deadline(hazard=hazard, by=county_bureau, deadline=today())
    with time_machine.travel(timezone.now() + dt.timedelta(days=2)):
        emit_overdue(hazard, today=today() + dt.timedelta(days=2))
    assert Delivery.objects.filter(event=WebhookEvent.HAZARD_OVERDUE).count() == 2


# --- retries ---------------------------------------------------------------------------------


def _pending_event(endpoint_owner, hospital, officer, url, **kwargs):
    endpoint = endpoint_for(endpoint_owner, url, events=[WebhookEvent.HAZARD_RAISED], **kwargs)
    raise_hazard(hospital=hospital, found_by=officer)  # no commit: the row waits, pending
    return endpoint, Delivery.objects.get(webhook=endpoint)


def test_a_5xx_is_retried_with_backoff_and_the_same_body(
    receiver, hospital_a, officer_a, integration_user
):
    endpoint, delivery = _pending_event(integration_user, hospital_a, officer_a, receiver.url)
    receiver.statuses = [503, 500]
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        assert services.deliver(delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert delivery.next_attempt_at == now + dt.timedelta(seconds=30)
    assert "HTTP 503" in delivery.last_error
    # Not due yet: the retry scan leaves it alone.
    with time_machine.travel(now + dt.timedelta(seconds=10), tick=False):
        services.retry_due_deliveries()
    assert len(receiver.calls) == 1
    with time_machine.travel(now + dt.timedelta(seconds=31), tick=False):
        services.retry_due_deliveries()  # the task runs eagerly: second attempt, 500
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.status == DeliveryStatus.PENDING
    assert delivery.next_attempt_at == now + dt.timedelta(seconds=31 + 60)
    with time_machine.travel(now + dt.timedelta(seconds=92), tick=False):
        services.retry_due_deliveries()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 3
    assert len(receiver.calls) == 3
    assert len({call.raw for call in receiver.calls}) == 1  # the same body every time
    for call in receiver.calls:
        assert verify(endpoint.secret, call.headers, call.raw, tolerance=10**6)


def test_connection_refused_is_retried_then_given_up(hospital_a, officer_a, integration_user):
    url = f"http://127.0.0.1:{_free_port()}/hook"
    with override_settings(WEBHOOK_ALLOWED_HOSTS=["127.0.0.1"]):
        _endpoint, delivery = _pending_event(integration_user, hospital_a, officer_a, url)
        now = timezone.now()
        outcomes = []
        for attempt in range(services.MAX_ATTEMPTS):
            moment = now + dt.timedelta(seconds=services.BACKOFF_MAX_SECONDS * 2 * attempt)
            with time_machine.travel(moment, tick=False):
                outcomes.append(services.deliver(delivery.pk))
                delivery.refresh_from_db()
                if delivery.status == DeliveryStatus.PENDING:
                    wait = delivery.next_attempt_at - moment
                    assert wait == dt.timedelta(seconds=services.backoff_seconds(attempt + 1))
    assert outcomes == ["retry"] * (services.MAX_ATTEMPTS - 1) + ["failed"]
    assert delivery.status == DeliveryStatus.FAILED
    assert "连接失败" in delivery.last_error


def test_a_4xx_fails_at_once(receiver, hospital_a, officer_a, integration_user):
    _endpoint, delivery = _pending_event(integration_user, hospital_a, officer_a, receiver.url)
    receiver.statuses = [410]
    assert services.deliver(delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and "HTTP 410" in delivery.last_error


def test_a_switched_off_endpoint_sends_nothing(receiver, hospital_a, officer_a, integration_user):
    endpoint, delivery = _pending_event(integration_user, hospital_a, officer_a, receiver.url)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False)
    assert services.deliver(delivery.pk) == "failed"
    assert receiver.calls == []
    raise_hazard(hospital=hospital_a, found_by=officer_a)
    assert Delivery.objects.filter(webhook=endpoint).count() == 1  # no new row either


# --- the SSRF guard --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://10.1.2.3/hook",
        "https://192.168.1.10/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "http://93.184.216.34/hook",  # public, but plain http
        "ftp://93.184.216.34/hook",
    ],
)
def test_private_or_plain_targets_are_refused_without_the_setting(url, county_admin, county):
    owner = BureauUserFactory(region=county)
    with pytest.raises(WebhookError) as refused:
        webhook_create(by=county_admin, name="对接", url=url, owner=owner, events=ALL_EVENTS)
    assert refused.value.field == "url"
    assert not WebhookEndpoint.objects.exists()


@override_settings(NOTIFICATIONS_ALLOW_PRIVATE_WEBHOOKS=True)
def test_the_robots_switch_does_not_open_integration_webhooks(county_admin, county):
    owner = BureauUserFactory(region=county)
    with pytest.raises(WebhookError, match="内网"):
        webhook_create(
            by=county_admin,
            name="对接",
            url="https://127.0.0.1/hook",
            owner=owner,
            events=ALL_EVENTS,
        )


def test_the_allow_list_admits_only_what_it_lists(county_admin, county):
    owner = BureauUserFactory(region=county)
    with override_settings(WEBHOOK_ALLOWED_HOSTS=["127.0.0.1", "10.20.0.0/16"]):
        for url in ("http://127.0.0.1:9000/hook", "http://10.20.3.4/hook"):
            endpoint, secret = webhook_create(
                by=county_admin, name="内网", url=url, owner=owner, events=ALL_EVENTS
            )
            assert endpoint.url == url and secret.startswith("whsec_") and len(secret) > 40
        with pytest.raises(WebhookError):
            webhook_create(
                by=county_admin,
                name="内网",
                url="https://10.30.0.1/hook",
                owner=owner,
                events=ALL_EVENTS,
            )


def test_a_send_to_a_target_no_longer_allowed_is_refused(
    receiver, hospital_a, officer_a, integration_user
):
    endpoint, delivery = _pending_event(integration_user, hospital_a, officer_a, receiver.url)
    with override_settings(WEBHOOK_ALLOWED_HOSTS=[]):
        assert services.deliver(delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert receiver.calls == []
    assert endpoint.pk  # the endpoint stays; an administrator may fix its URL


# --- scope: the owner's visibility ------------------------------------------------------------


def test_an_endpoint_hears_only_of_what_its_owner_may_see(
    receiver,
    county,
    other_county,
    hospital_a,
    hospital_b,
    officer_a,
    officer_b,
    integration_user,
    django_capture_on_commit_callbacks,
):
    county_1 = endpoint_for(integration_user, receiver.url)
    county_2_owner = BureauUserFactory(username="integration_county2", region=other_county)
    county_2 = endpoint_for(county_2_owner, receiver.url)
    hospital_owner = OfficerFactory(username="integration_hospital_b", hospital=hospital_b)
    hospital_level = endpoint_for(hospital_owner, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        in_county_1 = raise_hazard(hospital=hospital_a, found_by=officer_a)
        in_county_2 = raise_hazard(hospital=hospital_b, found_by=officer_b)
    targets = {
        (row.webhook_id, json.loads(row.payload)["data"]["hazard"]["id"])
        for row in Delivery.objects.filter(channel=Channel.WEBHOOK)
    }
    assert targets == {
        (county_1.pk, in_county_1.pk),
        (county_2.pk, in_county_2.pk),
        (hospital_level.pk, in_county_2.pk),
    }
    assert len(receiver.calls) == 3


def test_an_endpoint_of_an_inactive_owner_or_unsubscribed_event_gets_nothing(
    receiver, hospital_a, officer_a, integration_user
):
    endpoint_for(integration_user, receiver.url, events=[WebhookEvent.REPORT_READY])
    gone = BureauUserFactory(region=hospital_a.region, is_active=False)
    endpoint_for(gone, receiver.url)
    raise_hazard(hospital=hospital_a, found_by=officer_a)
    assert not Delivery.objects.filter(channel=Channel.WEBHOOK).exists()


def test_a_rolled_back_change_sends_nothing(
    receiver, hospital_a, officer_a, integration_user, django_capture_on_commit_callbacks
):
    endpoint_for(integration_user, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            raise_hazard(hospital=hospital_a, found_by=officer_a)
            transaction.set_rollback(True)
    assert receiver.calls == []
    assert not Delivery.objects.filter(channel=Channel.WEBHOOK).exists()


def test_an_inspection_with_findings_tells_of_its_hazards_and_itself(
    receiver, hospital_a, officer_a, integration_user, django_capture_on_commit_callbacks
):
    endpoint = endpoint_for(integration_user, receiver.url)
    checklist_seed.install(ChecklistTemplate, ChecklistSection, ChecklistItem)
    inspection = inspection_start(by=officer_a, hospital=hospital_a, kind="self")
    answers = Answer.objects.filter(inspection=inspection)
    answers.update(result="pass")
    finding = answers.order_by("item__section__order", "item__order", "pk").first()
    Answer.objects.filter(pk=finding.pk).update(
        result="fail", hazard_location="门诊楼", hazard_description="灭火器过期"
    )
    with django_capture_on_commit_callbacks(execute=True):
        inspection_submit(inspection=inspection, by=officer_a)
    finding.refresh_from_db()
    assert sorted(receiver.events()) == [
        WebhookEvent.HAZARD_RAISED,
        WebhookEvent.INSPECTION_SUBMITTED,
    ]
    bodies = {call.event: call.body["data"] for call in receiver.calls}
    assert bodies[WebhookEvent.HAZARD_RAISED]["hazard"]["id"] == finding.hazard_id
    submitted = bodies[WebhookEvent.INSPECTION_SUBMITTED]["inspection"]
    assert submitted["hazard_ids"] == [finding.hazard_id] and submitted["failed_count"] == 1
    assert all(verify(endpoint.secret, call.headers, call.raw) for call in receiver.calls)


def test_a_hazard_fixed_on_the_spot_is_raised_and_closed(
    receiver, hospital_a, officer_a, integration_user, django_capture_on_commit_callbacks
):
    endpoint_for(integration_user, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        raise_hazard(
            hospital=hospital_a,
            found_by=officer_a,
            fixed_on_the_spot=True,
            rectification_measures="当场更换",
        )
    changed = [c.body["data"] for c in receiver.calls if c.event == "hazard.status_changed"]
    assert receiver.events().count(WebhookEvent.HAZARD_RAISED) == 1
    assert [(d["from_status"], d["to_status"], d["transition"]) for d in changed] == [
        (Status.PENDING, Status.CLOSED, "fixed_on_the_spot")
    ]
