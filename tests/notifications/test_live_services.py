"""Exactly once under concurrency (PostgreSQL) and end to end through a REAL Celery worker
(Redis + PostgreSQL). Both skip without the services unless REQUIRE_SERVICES=1."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection

from core.dates import today
from hazards.choices import Category, RiskLevel, Source
from hazards.services import hazard_raise
from notifications.choices import Channel, DeliveryStatus, EventKind
from notifications.models import Delivery, Notification
from notifications.tasks import run_reminders
from tests.notifications.factories import RobotFactory
from tests.notifications.test_hazard_reminders import at
from tests.reports.worker import _use_broker, worker_redis_url

BASE_DIR = Path(__file__).resolve().parents[2]


def _overdue_hazards(hospital, officer, n=3):
    """Hazards whose deadline was yesterday: overdue now, in real time (the worker's clock)."""
    found_on = today() - dt.timedelta(days=10)
    return [
        hazard_raise(
            hospital=hospital,
            found_by=officer,
            source=Source.SELF_INSPECTION,
            category=Category.FIRE,
            risk_level=RiskLevel.GENERAL,
            location=f"住院部{i + 1}号楼消防通道",
            description="消防通道堆放杂物",
            found_on=found_on,
            deadline=today() - dt.timedelta(days=1),
        )
        for i in range(n)
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_reminder_runs_send_each_reminder_once(
    hospital_a, officer_a, county_bureau, webhook_server, mailoutbox
):
    hazards = _overdue_hazards(hospital_a, officer_a)
    RobotFactory(
        hospital=hospital_a, webhook_url=webhook_server.url(), events=[EventKind.HAZARD_OVERDUE]
    )
    mailoutbox.clear()
    threads_count = 6
    barrier = threading.Barrier(threads_count)
    errors: list[BaseException] = []

    def worker():
        try:
            barrier.wait(timeout=10)
            run_reminders.apply(throw=True)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    with at(today()):
        threads = [threading.Thread(target=worker) for _ in range(threads_count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        # And once more afterwards, sequentially.
        run_reminders.apply(throw=True)
    assert errors == []

    overdue = Notification.objects.filter(event=EventKind.HAZARD_OVERDUE)
    assert overdue.count() == 2 * len(hazards)  # officer + county bureau, per hazard
    # Each person got each hazard exactly once, whichever run's (digest) e-mail carried it.
    for person in (officer_a, county_bureau):
        bodies = "\n".join(m.body for m in mailoutbox if m.to == [person.email])
        for hazard in hazards:
            assert bodies.count(f"隐患 {hazard.code} 已逾期 1 天") == 1
    emails = Delivery.objects.filter(channel=Channel.EMAIL, event=EventKind.HAZARD_OVERDUE)
    assert emails.count() == 2 * len(hazards)
    assert set(emails.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert set(emails.values_list("attempts", flat=True)) == {1}
    # Every hazard reached the robot exactly once, whichever run's digest carried it.
    contents = "\n".join(r.body["markdown"]["content"] for r in webhook_server.received)
    for hazard in hazards:
        assert contents.count(f"- [隐患 {hazard.code} ") == 1


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_celery_worker_delivers_a_reminder_end_to_end(
    hospital_a, officer_a, webhook_server, tmp_path
):
    from config.celery import app

    redis_url = worker_redis_url()  # this test process's own Redis database under xdist
    (hazard,) = _overdue_hazards(hospital_a, officer_a, n=1)
    robot = RobotFactory(
        hospital=hospital_a, webhook_url=webhook_server.url(), events=[EventKind.HAZARD_OVERDUE]
    )
    assert not Notification.objects.filter(event=EventKind.HAZARD_OVERDUE).exists()

    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER'] or 'postgres'}"
        f"{':' + db['PASSWORD'] if db['PASSWORD'] else ''}"
        f"@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    mail_dir = tmp_path / "mail"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DEBUG": "1",  # http:// webhook of the local test server
        "NOTIFICATIONS_ALLOW_PRIVATE_WEBHOOKS": "1",
        "EMAIL_URL": f"filemail:///{mail_dir}",  # absolute path: four slashes
        "CONN_MAX_AGE": "0",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "VAR_DIR": str(tmp_path / "var"),
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    eager, was_broker = app.conf.task_always_eager, app.conf.broker_url
    try:
        _use_broker(app, redis_url)
        app.conf.task_always_eager = False
        run_reminders.delay()  # through Redis, not eager
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            sent = set(
                Delivery.objects.filter(event=EventKind.HAZARD_OVERDUE).values_list(
                    "channel", "status"
                )
            )
            if sent == {(Channel.EMAIL, DeliveryStatus.SENT), (robot.kind, DeliveryStatus.SENT)}:
                break
            if worker.poll() is not None:
                break
            time.sleep(0.5)
    finally:
        app.conf.task_always_eager = eager
        _use_broker(app, was_broker)
        worker.terminate()
        try:
            output, _ = worker.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()

    assert (
        Notification.objects.filter(recipient=officer_a, event=EventKind.HAZARD_OVERDUE).count()
        == 1
    ), output[-3000:]
    email = Delivery.objects.get(channel=Channel.EMAIL, event=EventKind.HAZARD_OVERDUE)
    assert email.status == DeliveryStatus.SENT, output[-3000:]
    robot_delivery = Delivery.objects.get(robot=robot)
    assert robot_delivery.status == DeliveryStatus.SENT, output[-3000:]
    assert any(hazard.code in r.body["markdown"]["content"] for r in webhook_server.received)
    written = "".join(p.read_text() for p in mail_dir.glob("*.log"))
    assert officer_a.email in written
    assert "notifications.run_reminders" in output
