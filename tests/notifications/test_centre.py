"""Notification centre, nav badge, preferences and e-mail content."""

from __future__ import annotations

import pytest
from django.urls import reverse

from notifications.choices import Channel, DeliveryStatus, EventKind
from notifications.models import Delivery, Notification
from notifications.services import notify, preference_update
from tests.notifications.factories import NotificationFactory

pytestmark = pytest.mark.django_db


def test_user_sees_only_their_own_notifications(client, officer_a, officer_b):
    mine = NotificationFactory(recipient=officer_a, title="我的消息")
    theirs = NotificationFactory(recipient=officer_b, title="别人的消息")
    client.force_login(officer_a)
    content = client.get(reverse("notifications:list")).content.decode()
    assert mine.title in content
    assert theirs.title not in content


def test_someone_elses_notification_is_404_and_unchanged(client, officer_a, officer_b):
    theirs = NotificationFactory(recipient=officer_b)
    client.force_login(officer_a)
    assert client.post(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("notifications:mark_read", args=[theirs.pk])).status_code == 404
    client.post(reverse("notifications:mark_all_read"))
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_unread_and_read_filters(client, officer_a):
    unread = NotificationFactory(recipient=officer_a, title="未读的")
    read = NotificationFactory(recipient=officer_a, title="已读的")
    client.force_login(officer_a)
    client.post(reverse("notifications:mark_read", args=[read.pk]))
    unread_page = client.get(reverse("notifications:list"), {"state": "unread"}).content.decode()
    read_page = client.get(reverse("notifications:list"), {"state": "read"}).content.decode()
    assert unread.title in unread_page and read.title not in unread_page
    assert read.title in read_page and unread.title not in read_page


def test_opening_a_notification_marks_it_read_and_follows_the_link(client, officer_a):
    n = NotificationFactory(recipient=officer_a, url="/hazards/12/")
    client.force_login(officer_a)
    response = client.post(reverse("notifications:open", args=[n.pk]))
    assert response.status_code == 302 and response["Location"] == "/hazards/12/"
    n.refresh_from_db()
    assert n.read_at is not None


def test_an_external_link_is_not_followed(client, officer_a):
    n = NotificationFactory(recipient=officer_a, url="https://evil.example.com/")
    client.force_login(officer_a)
    response = client.post(reverse("notifications:open", args=[n.pk]))
    assert response["Location"] == reverse("notifications:list")


def test_reading_the_notification_pages_changes_no_row(client, officer_a):
    from notifications.models import NotificationPreference

    n = NotificationFactory(recipient=officer_a, url="/hazards/12/")
    NotificationFactory.create_batch(2, recipient=officer_a)
    client.force_login(officer_a)
    for state in ("", "unread", "read"):
        page = client.get(reverse("notifications:list"), {"state": state})
        assert page.status_code == 200
    assert client.get(reverse("notifications:preferences")).status_code == 200
    # Following a notification is a POST; a GET of its address is refused and marks nothing.
    assert client.get(reverse("notifications:open", args=[n.pk])).status_code == 405
    assert Notification.objects.filter(recipient=officer_a, read_at__isnull=True).count() == 3
    assert not NotificationPreference.objects.filter(user=officer_a).exists()
    page = client.get(reverse("notifications:list")).content.decode()
    assert 'data-testid="unread-badge">3<' in page
    # The list offers the click-through as a form that posts to the open endpoint.
    assert f'<form method="post" action="{reverse("notifications:open", args=[n.pk])}"' in page


def test_mark_all_read_clears_the_badge(client, officer_a):
    NotificationFactory.create_batch(3, recipient=officer_a)
    client.force_login(officer_a)
    page = client.get(reverse("notifications:list")).content.decode()
    assert 'data-testid="unread-badge">3<' in page
    client.post(reverse("notifications:mark_all_read"))
    assert not Notification.objects.filter(recipient=officer_a, read_at__isnull=True).exists()
    assert "unread-badge" not in client.get(reverse("notifications:list")).content.decode()


def test_list_is_paginated_with_a_constant_number_of_queries(
    client, officer_a, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(officer_a)
    NotificationFactory.create_batch(3, recipient=officer_a)
    client.get(reverse("notifications:list"))  # warm caches (session, content types)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("notifications:list"))
    NotificationFactory.create_batch(40, recipient=officer_a)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(reverse("notifications:list"))
    assert len(response.context["page_obj"]) == 20
    assert response.context["page_obj"].paginator.num_pages == 3


def test_badge_costs_one_query(rf, officer_a, django_assert_num_queries):
    from django.template import Context, Template

    NotificationFactory.create_batch(2, recipient=officer_a)
    request = rf.get("/")
    request.user = officer_a
    template = Template("{% load notifications_tags %}{% unread_notification_count %}")
    with django_assert_num_queries(1):
        assert template.render(Context({"request": request})) == "2"
        assert template.render(Context({"request": request})) == "2"


def test_email_preferences_are_respected(
    officer_a, county_bureau, mailoutbox, django_capture_on_commit_callbacks
):
    preference_update(
        user=officer_a,
        email_enabled=True,
        email_events=[e for e in EventKind.values if e != EventKind.HAZARD_OVERDUE],
    )
    with django_capture_on_commit_callbacks(execute=True):
        notify(event=EventKind.HAZARD_OVERDUE, recipients=[officer_a, county_bureau], title="逾期")
        notify(event=EventKind.HAZARD_DUE_SOON, recipients=[officer_a], title="即将到期")
    assert sorted((m.to[0], m.subject) for m in mailoutbox) == sorted(
        [
            (county_bureau.email, "[平安医院] 逾期"),
            (officer_a.email, "[平安医院] 即将到期"),
        ]
    )
    # In-app cannot be turned off.
    assert Notification.objects.filter(recipient=officer_a).count() == 2


def test_email_master_switch_and_missing_address(
    officer_a, county_bureau, mailoutbox, django_capture_on_commit_callbacks
):
    preference_update(user=officer_a, email_enabled=False, email_events=EventKind.values)
    county_bureau.email = ""
    county_bureau.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify(event=EventKind.HAZARD_OVERDUE, recipients=[officer_a, county_bureau], title="逾期")
    assert mailoutbox == []
    assert not Delivery.objects.exists()
    assert Notification.objects.count() == 2


def test_preferences_page_saves_choices(client, officer_a):
    client.force_login(officer_a)
    page = client.get(reverse("notifications:preferences"))
    assert page.status_code == 200
    assert "站内消息始终开启" in page.content.decode()
    response = client.post(
        reverse("notifications:preferences"),
        {"email_enabled": "on", "email_events": [EventKind.HAZARD_DUE_SOON]},
    )
    assert response.status_code == 302
    pref = officer_a.notification_preference
    assert pref.wants_email(EventKind.HAZARD_DUE_SOON)
    assert not pref.wants_email(EventKind.HAZARD_OVERDUE)


def test_email_is_html_and_text_in_chinese_with_an_absolute_link(
    officer_a, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://anquan.example.gov.cn"
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            event=EventKind.HAZARD_DUE_SOON,
            recipients=[officer_a],
            title="隐患 JJ-2026-0001 将于 3 天后到期",
            body="部位:门诊楼",
            url="/hazards/1/",
        )
    message = mailoutbox[0]
    assert message.subject == "[平安医院] 隐患 JJ-2026-0001 将于 3 天后到期"
    assert "您好" in message.body and "https://anquan.example.gov.cn/hazards/1/" in message.body
    html, mime = message.alternatives[0]
    assert mime == "text/html"
    assert "查看详情" in html and 'href="https://anquan.example.gov.cn/hazards/1/"' in html
    delivery = Delivery.objects.get(channel=Channel.EMAIL)
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 1


def test_smtp_failure_is_recorded_and_retried(
    officer_a, monkeypatch, django_capture_on_commit_callbacks
):
    import smtplib

    from notifications.services import deliver

    def boom(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("connection lost")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", boom)
    notify(event=EventKind.HAZARD_DUE_SOON, recipients=[officer_a], title="提醒")
    delivery = Delivery.objects.get()
    assert deliver(delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert "connection lost" in delivery.last_error
    monkeypatch.undo()
    assert deliver(delivery.pk) == "sent"
    assert deliver(delivery.pk) == "skipped"  # never twice


def test_notify_inside_a_rolled_back_transaction_sends_nothing(officer_a, mailoutbox):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        notify(event=EventKind.HAZARD_DUE_SOON, recipients=[officer_a], title="提醒")
        raise RuntimeError
    assert mailoutbox == []
    assert not Notification.objects.exists()
    assert not Delivery.objects.exists()


def test_delivery_admin_page_lists_status_attempts_and_errors(
    client, county_admin, officer_a, officer_b
):
    notify(event=EventKind.HAZARD_DUE_SOON, recipients=[officer_a, officer_b], title="提醒")
    Delivery.objects.filter(recipient=officer_a).update(
        status=DeliveryStatus.FAILED, attempts=6, last_error="SMTP 550 mailbox unavailable"
    )
    client.force_login(county_admin)
    response = client.get(reverse("notifications:delivery_list"), {"status": "failed"})
    content = response.content.decode()
    assert "SMTP 550 mailbox unavailable" in content
    rows = list(response.context["page_obj"])
    # officer_b's hospital is in another county: not this administrator's delivery.
    assert [d.recipient for d in rows] == [officer_a]
    failed = rows[0]
    client.post(reverse("notifications:delivery_retry", args=[failed.pk]))
    failed.refresh_from_db()
    assert failed.status in (DeliveryStatus.PENDING, DeliveryStatus.SENT)
    other = Delivery.objects.get(recipient=officer_b)
    assert client.post(reverse("notifications:delivery_retry", args=[other.pk])).status_code == 404


def test_delivery_django_admin_lists_with_filters(admin_client, officer_a):
    notify(event=EventKind.HAZARD_DUE_SOON, recipients=[officer_a], title="提醒")
    response = admin_client.get("/admin/notifications/delivery/?status__exact=pending")
    assert response.status_code == 200
    assert "提醒" in response.content.decode()


def test_delivery_list_has_a_constant_number_of_queries(
    client, county_admin, hospital_a, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import OfficerFactory
    from tests.notifications.factories import RobotFactory

    client.force_login(county_admin)
    RobotFactory(hospital=hospital_a)
    notify(
        event=EventKind.HAZARD_DUE_SOON,
        recipients=[OfficerFactory(hospital=hospital_a)],
        title="a",
        obj=hospital_a,
    )
    client.get(reverse("notifications:delivery_list"))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("notifications:delivery_list"))
    for i in range(15):
        notify(
            event=EventKind.HAZARD_DUE_SOON,
            recipients=[OfficerFactory(hospital=hospital_a)],
            title=f"b{i}",
            obj=hospital_a,
            occurrence=str(i),
        )
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(reverse("notifications:delivery_list"))
    assert len(response.context["page_obj"]) == 32


def test_run_reminders_command(hospital_a, officer_a):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("run_reminders", "--date", "2027-03-14", stdout=out)
    assert "hazards.reminders.remind_overdue" in out.getvalue()


def test_a_delivery_left_sending_by_a_dead_worker_is_retried(officer_a, mailoutbox):
    from datetime import timedelta

    from django.utils import timezone

    from notifications.services import retry_due_deliveries

    notify(event=EventKind.HAZARD_DUE_SOON, recipients=[officer_a], title="提醒")
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING, attempts=1, claimed_at=timezone.now() - timedelta(minutes=20)
    )
    result = retry_due_deliveries()
    assert result["revived"] == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 2
    assert len(mailoutbox) == 1


def test_a_fresh_sending_row_is_left_alone(officer_a, mailoutbox):
    from django.utils import timezone

    from notifications.services import retry_due_deliveries

    notify(event=EventKind.HAZARD_DUE_SOON, recipients=[officer_a], title="提醒")
    Delivery.objects.update(status=DeliveryStatus.SENDING, attempts=1, claimed_at=timezone.now())
    assert retry_due_deliveries()["revived"] == 0
    assert mailoutbox == []


def test_pending_rows_whose_task_was_lost_are_sent_by_the_retry_scan(officer_a, mailoutbox):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from notifications.services import retry_due_deliveries

    # No on_commit execution here: as if the broker had been down when the task was queued.
    notify(event=EventKind.HAZARD_DUE_SOON, recipients=[officer_a], title="提醒")
    retry_due_deliveries()
    assert mailoutbox == []  # not yet: the immediate task gets its chance first
    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        retry_due_deliveries()
    assert len(mailoutbox) == 1


def test_delivery_list_filters_by_channel_and_search(client, county_admin, officer_a, hospital_a):
    from tests.notifications.factories import RobotFactory

    RobotFactory(hospital=hospital_a, name="晋江市医院保卫科群")
    notify(event=EventKind.HAZARD_OVERDUE, recipients=[officer_a], title="逾期提醒", obj=hospital_a)
    client.force_login(county_admin)
    rows = client.get(reverse("notifications:delivery_list"), {"channel": "wecom"}).context[
        "page_obj"
    ]
    assert [d.channel for d in rows] == ["wecom"]
    rows = client.get(reverse("notifications:delivery_list"), {"q": "保卫科群"}).context["page_obj"]
    assert [d.robot.name for d in rows] == ["晋江市医院保卫科群"]
