"""Session lifetime rules and what a user is told about attempts on their account."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse

from accounts.sessions import LOGIN_AT, SEEN_AT
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")


def page(client):
    return client.get(reverse("hospitals:list"))


def log_in(client, username="officer_a", **extra):
    response = client.post(LOGIN, {"username": username, "password": DEFAULT_PASSWORD}, **extra)
    assert response.status_code == 302, response.content.decode()[:300]
    return response


def age_session(client, *, idle_minutes=0, since_login_hours=0):
    session = client.session
    now = time.time()
    session[SEEN_AT] = now - idle_minutes * 60
    session[LOGIN_AT] = now - since_login_hours * 3600
    session.save()


def test_a_session_used_within_the_idle_timeout_lives_on(client, officer_a):
    log_in(client)
    age_session(client, idle_minutes=29, since_login_hours=11)
    assert page(client).status_code == 200


def test_an_idle_session_ends_and_the_login_page_says_why(client, officer_a, settings):
    log_in(client)
    age_session(client, idle_minutes=31)
    response = page(client)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{LOGIN}?expired=idle")
    assert "_auth_user_id" not in client.session
    body = client.get(response["Location"]).content.decode()
    assert "由于长时间未操作" in body


def test_a_login_ends_after_its_absolute_lifetime_however_active(client, officer_a):
    log_in(client)
    age_session(client, idle_minutes=0, since_login_hours=12.1)
    response = page(client)
    assert response["Location"].startswith(f"{LOGIN}?expired=lifetime")
    assert "_auth_user_id" not in client.session


def test_keepalive_refreshes_the_idle_clock(client, officer_a):
    log_in(client)
    age_session(client, idle_minutes=29)
    assert client.post(reverse("accounts:session_keepalive")).status_code == 204
    assert time.time() - client.session[SEEN_AT] < 5


def test_pages_carry_the_idle_warning_settings(client, officer_a, settings):
    log_in(client)
    body = page(client).content.decode()
    idle = int(settings.SESSION_IDLE_TIMEOUT.total_seconds())
    assert f'data-session-idle="{idle}"' in body
    assert "js/session.js" in body and 'id="session-warning"' in body


def test_login_rotates_the_session_key(client, officer_a):
    client.get(LOGIN)
    client.session.save()
    before = client.session.session_key
    log_in(client)
    assert client.session.session_key != before


def test_password_change_ends_the_users_other_sessions(client, officer_a):
    other_device = Client()
    log_in(other_device)
    log_in(client)
    new = "Another-Strong-4471"
    client.post(
        reverse("password_change"),
        {"old_password": DEFAULT_PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert page(client).status_code == 200  # the device that changed it stays logged in
    assert page(other_device).status_code == 302


def test_failed_attempts_are_shown_at_the_next_login_then_forgotten(client, officer_a, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    for _attempt in range(2):
        client.post(
            LOGIN,
            {"username": "officer_a", "password": "wrong"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="203.0.113.9",
        )
    log_in(client)
    body = page(client).content.decode()
    assert "2 次登录失败" in body and "203.0.113.9" in body
    officer_a.refresh_from_db()
    assert officer_a.failed_logins == 0
    client.post(reverse("logout"))
    log_in(client)
    assert "次登录失败" not in page(client).content.decode()
