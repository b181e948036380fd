"""Robot channels against a real local HTTP server: payloads, signing, retries, timeouts."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from datetime import timedelta
from urllib.parse import quote_plus

import pytest
import time_machine
from django.utils import timezone

from notifications import services
from notifications.channels import DeliveryError, RobotMessage, robot_channel
from notifications.choices import DeliveryStatus, EventKind, RobotKind
from notifications.models import Delivery
from notifications.services import notify, send_robot_digest
from tests.notifications.factories import RobotFactory

pytestmark = pytest.mark.django_db


def _notify_hazard_event(hospital, n=1, event=EventKind.HAZARD_OVERDUE):
    with services.dispatch_batch():
        for i in range(n):
            notify(
                event=event,
                recipients=[],
                title=f"隐患 JJ-2026-{i:04d} 已逾期 1 天",
                body="部位:门诊楼三层消防通道",
                url=f"/hazards/{i}/",
                obj=hospital,
                occurrence=f"item-{i}",
            )


def test_wecom_robot_receives_markdown_payload(
    webhook_server, hospital_a, django_capture_on_commit_callbacks
):
    robot = RobotFactory(hospital=hospital_a, webhook_url=webhook_server.url())
    with django_capture_on_commit_callbacks(execute=True):
        _notify_hazard_event(hospital_a)
    assert len(webhook_server.received) == 1
    body = webhook_server.received[0].body
    assert body["msgtype"] == "markdown"
    assert set(body) == {"msgtype", "markdown"}
    content = body["markdown"]["content"]
    assert "隐患 JJ-2026-0000 已逾期 1 天" in content
    assert "http://127.0.0.1:8000/hazards/0/" in content or "/hazards/0/" in content
    delivery = Delivery.objects.get(robot=robot)
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.attempts == 1


def test_dingtalk_robot_is_signed_and_mentions_mobiles(webhook_server, hospital_a):
    secret = "SEC0123456789abcdef"
    robot = RobotFactory(
        hospital=hospital_a,
        kind=RobotKind.DINGTALK,
        webhook_url=webhook_server.url("/robot/send?access_token=tok"),
        secret=secret,
        at_mobiles="13800000000, 13900000000",
    )
    before = int(time.time() * 1000)
    robot_channel(RobotKind.DINGTALK).send(robot, RobotMessage(title="测试标题", text="- 内容"))
    after = int(time.time() * 1000)
    received = webhook_server.received[0]
    assert received.path == "/robot/send"
    assert received.query["access_token"] == ["tok"]
    timestamp = received.query["timestamp"][0]
    assert before <= int(timestamp) <= after
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    # parse_qs already URL-decoded the sign once: it must equal the base64 signature.
    assert received.query["sign"] == [expected]
    assert quote_plus(expected) != expected or "+" not in expected
    body = received.body
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"] == "测试标题"
    assert "- 内容" in body["markdown"]["text"]
    assert "@13800000000" in body["markdown"]["text"]
    assert body["at"] == {"atMobiles": ["13800000000", "13900000000"], "isAtAll": False}


def test_one_run_sends_one_digest_per_robot(
    webhook_server, hospital_a, county, django_capture_on_commit_callbacks
):
    hospital_robot = RobotFactory(hospital=hospital_a, webhook_url=webhook_server.url("/h"))
    region_robot = RobotFactory(region=county, webhook_url=webhook_server.url("/r"))
    with django_capture_on_commit_callbacks(execute=True):
        _notify_hazard_event(hospital_a, n=12)
    paths = sorted(r.path for r in webhook_server.received)
    assert paths == ["/h", "/r"]
    for received in webhook_server.received:
        content = received.body["markdown"]["content"]
        assert "共 12 条" in content
        assert len(content.encode()) <= 4096
    assert Delivery.objects.filter(robot=hospital_robot, status=DeliveryStatus.SENT).count() == 12
    assert Delivery.objects.filter(robot=region_robot, status=DeliveryStatus.SENT).count() == 12


def test_large_digest_is_split_into_messages_within_4096_bytes(webhook_server, hospital_a):
    robot = RobotFactory(hospital=hospital_a, webhook_url=webhook_server.url())
    _notify_hazard_event(hospital_a, n=80)
    result = send_robot_digest(robot.pk)
    assert result["sent"] + Delivery.objects.filter(robot=robot, status="pending").count() == 80
    assert 1 < len(webhook_server.received) <= services.ROBOT_MAX_MESSAGES_PER_RUN
    for received in webhook_server.received:
        assert len(received.body["markdown"]["content"].encode()) <= 4096


def test_robot_only_receives_subscribed_events_of_its_scope(webhook_server, hospital_a, hospital_b):
    RobotFactory(
        hospital=hospital_a, webhook_url=webhook_server.url(), events=[EventKind.HAZARD_DUE_SOON]
    )
    RobotFactory(hospital=hospital_b, webhook_url=webhook_server.url())
    _notify_hazard_event(hospital_a, event=EventKind.HAZARD_OVERDUE)
    assert not Delivery.objects.exists()


def test_server_error_is_retried_with_backoff_then_sent(webhook_server, hospital_a):
    robot = RobotFactory(hospital=hospital_a, webhook_url=webhook_server.url())
    webhook_server.respond(500, {"errmsg": "boom"})
    _notify_hazard_event(hospital_a)
    result = send_robot_digest(robot.pk)
    assert result == {"sent": 0, "failed": 0, "retry": 1}
    delivery = Delivery.objects.get(robot=robot)
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 1
    assert "HTTP 500" in delivery.last_error
    assert delivery.next_attempt_at > timezone.now()
    # Not due yet: a second run does not hammer the robot.
    assert send_robot_digest(robot.pk)["sent"] == 0
    assert len(webhook_server.received) == 1
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        services.retry_due_deliveries()  # eager Celery: queues and runs the digest
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.attempts == 2
    assert len(webhook_server.received) == 2


def test_client_error_is_not_retried(webhook_server, hospital_a):
    robot = RobotFactory(hospital=hospital_a, webhook_url=webhook_server.url())
    webhook_server.respond(400, {"errmsg": "bad request"})
    _notify_hazard_event(hospital_a)
    assert send_robot_digest(robot.pk) == {"sent": 0, "failed": 1, "retry": 0}
    delivery = Delivery.objects.get(robot=robot)
    assert delivery.status == DeliveryStatus.FAILED
    assert "HTTP 400" in delivery.last_error
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        services.retry_due_deliveries()
    assert len(webhook_server.received) == 1


def test_robot_error_code_is_permanent_but_rate_limit_is_retried(webhook_server, hospital_a):
    robot = RobotFactory(hospital=hospital_a, webhook_url=webhook_server.url())
    webhook_server.respond(200, {"errcode": 93000, "errmsg": "invalid webhook url"})
    _notify_hazard_event(hospital_a, n=1)
    assert send_robot_digest(robot.pk)["failed"] == 1

    other = RobotFactory(hospital=hospital_a, webhook_url=webhook_server.url())
    webhook_server.respond(200, {"errcode": 45009, "errmsg": "api freq out of limit"})
    _notify_hazard_event(hospital_a, n=1, event=EventKind.HAZARD_DUE_SOON)
    assert send_robot_digest(other.pk)["retry"] == 1
    assert Delivery.objects.get(robot=other).status == DeliveryStatus.PENDING


def test_a_hanging_robot_times_out_instead_of_hanging_the_worker(webhook_server, hospital_a):
    robot = RobotFactory(hospital=hospital_a, webhook_url=webhook_server.url())
    webhook_server.respond(200, {"errcode": 0}, delay=3.0)
    _notify_hazard_event(hospital_a)
    started = time.monotonic()
    result = send_robot_digest(robot.pk)
    assert time.monotonic() - started < 2.5
    assert result["retry"] == 1
    assert "超时" in Delivery.objects.get(robot=robot).last_error


def test_task_asks_celery_to_retry_with_capped_exponential_backoff(webhook_server, hospital_a):
    from celery.exceptions import Retry

    from notifications.services import TransientDeliveryError
    from notifications.tasks import send_robot_digest as task

    assert task.acks_late and task.reject_on_worker_lost
    assert task.autoretry_for == (TransientDeliveryError,)
    assert task.retry_backoff == services.BACKOFF_BASE_SECONDS
    assert task.retry_backoff_max == services.BACKOFF_MAX_SECONDS
    assert task.max_retries == services.MAX_ATTEMPTS - 1
    robot = RobotFactory(hospital=hospital_a, webhook_url=webhook_server.url())
    webhook_server.respond(503, {"errmsg": "unavailable"})
    _notify_hazard_event(hospital_a)
    with pytest.raises(Retry) as info:
        task.apply(args=[robot.pk], throw=True)
    assert info.value.when == services.BACKOFF_BASE_SECONDS
    assert Delivery.objects.get(robot=robot).attempts == 1


def test_failed_channel_does_not_block_email(
    webhook_server, hospital_a, officer_a, mailoutbox, django_capture_on_commit_callbacks
):
    RobotFactory(hospital=hospital_a, webhook_url=webhook_server.url())
    webhook_server.respond(400, {"errmsg": "bad"})
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            event=EventKind.HAZARD_OVERDUE,
            recipients=[officer_a],
            title="隐患逾期",
            obj=hospital_a,
        )
    assert len(mailoutbox) == 1
    assert Delivery.objects.get(channel="email").status == DeliveryStatus.SENT
    assert Delivery.objects.get(channel="wecom").status == DeliveryStatus.FAILED


def test_send_time_recheck_refuses_a_name_that_now_resolves_to_a_private_address(
    settings, hospital_a, monkeypatch
):
    from notifications import urlsafety

    settings.NOTIFICATIONS_ALLOW_PRIVATE_WEBHOOKS = False
    robot = RobotFactory(hospital=hospital_a, webhook_url="https://hooks.example.com/send")
    monkeypatch.setattr(urlsafety, "resolve_host", lambda host, port: ["10.0.0.5"])
    called = []
    monkeypatch.setattr("requests.post", lambda *a, **k: called.append(1))
    with pytest.raises(DeliveryError) as info:
        robot_channel(robot.kind).send(robot, RobotMessage(title="t", text="x"))
    assert info.value.permanent
    assert called == []


def test_personal_events_never_go_to_group_robots(webhook_server, hospital_a, officer_a, county):
    RobotFactory(hospital=hospital_a, webhook_url=webhook_server.url())
    RobotFactory(region=county, webhook_url=webhook_server.url())
    notify(
        event=EventKind.REPORT_READY,
        recipients=[officer_a],
        title="报表已生成",
        obj=hospital_a,
    )
    assert not Delivery.objects.filter(robot__isnull=False).exists()


def test_reminder_scan_discovers_every_apps_reminder_rules():
    from notifications.tasks import reminder_modules

    names = [module.__name__ for module in reminder_modules()]
    assert names == [
        "hazards.reminders",
        "inspections.reminders",
        "security.reminders",
        "training.reminders",
        "reports.reminders",
    ]
    for module in reminder_modules():
        assert module.REMINDER_RULES


def test_one_failing_rule_does_not_stop_the_others(monkeypatch):
    from hazards import reminders as hazard_reminders
    from notifications.tasks import run_reminders_now

    def broken(*, today):
        raise RuntimeError("boom")

    monkeypatch.setattr(hazard_reminders, "REMINDER_RULES", (broken,))
    counts = run_reminders_now()
    assert counts["hazards.reminders.broken"] == -1
    assert counts["inspections.reminders.remind_missed"] == 0


def test_wecom_mentions_go_in_a_follow_up_text_message(webhook_server, hospital_a):
    robot = RobotFactory(
        hospital=hospital_a, webhook_url=webhook_server.url(), at_mobiles="13800000000"
    )
    robot_channel(RobotKind.WECOM).send(robot, RobotMessage(title="隐患逾期提醒", text="- 内容"))
    kinds = [r.body["msgtype"] for r in webhook_server.received]
    assert kinds == ["markdown", "text"]
    assert webhook_server.received[1].body["text"] == {
        "content": "隐患逾期提醒",
        "mentioned_mobile_list": ["13800000000"],
    }
