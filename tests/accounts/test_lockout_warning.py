"""Lockout (等保 8.1.4.1 b): after a failed login the form says how many tries are left before
the account is locked and for how long; the lock page says how long it has left."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")


def fail(client, username="officer_a"):
    return client.post(LOGIN, {"username": username, "password": "wrong-password"})


def test_each_failure_says_how_many_tries_are_left(client, officer_a, settings):
    settings.AXES_FAILURE_LIMIT = 5
    body = fail(client).content.decode()
    assert "还可尝试 4 次,之后账号将被锁定 15 分钟" in body
    body = fail(client).content.decode()
    assert "还可尝试 3 次" in body


def test_the_last_failure_locks_with_the_time_left(client, officer_a):
    for _ in range(4):
        fail(client)
    body = fail(client).content.decode()
    assert "还可尝试" not in body
    assert "连续 5 次登录失败" in body and "15 分钟后再试" in body
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=10)):
        response = client.post(LOGIN, {"username": "officer_a", "password": DEFAULT_PASSWORD})
    assert response.status_code == 429
    assert "5 分钟后再试" in response.content.decode()


def test_no_warning_before_any_failure_and_none_after_a_success(client, officer_a):
    assert "还可尝试" not in client.get(LOGIN).content.decode()
    fail(client)
    client.post(LOGIN, {"username": "officer_a", "password": DEFAULT_PASSWORD})
    client.post(reverse("logout"))
    body = fail(client).content.decode()
    assert "还可尝试 4 次" in body  # a success started the count afresh


def test_unknown_usernames_get_the_same_answer(client, db):
    assert "还可尝试 4 次" in fail(client, "nobody-here").content.decode()
