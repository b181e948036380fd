"""Lockout and throttle behind a reverse proxy: nobody can lock another person out."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from core.http import client_ip
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
PROXY = "10.0.0.2"


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def via_proxy(client, forwarded: str, username: str, password: str):
    return client.post(
        LOGIN,
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "expected"),
    [
        ([], "10.0.0.2", "203.0.113.9", "10.0.0.2"),  # no proxy configured: header ignored
        (["10.0.0.0/24"], "198.51.100.1", "203.0.113.9", "198.51.100.1"),  # not from our proxy
        (["10.0.0.2"], "10.0.0.2", "203.0.113.9", "203.0.113.9"),
        # A client writing its own header gets it prepended: the proxy's entry is the last one.
        (["10.0.0.2"], "10.0.0.2", "1.2.3.4, 203.0.113.9", "203.0.113.9"),
        # Two of our proxies in a row are both skipped.
        (["10.0.0.0/24"], "10.0.0.2", "203.0.113.9, 10.0.0.7", "203.0.113.9"),
        (["10.0.0.2"], "10.0.0.2", "", "10.0.0.2"),
        (["10.0.0.2"], "10.0.0.2", "not-an-ip", "10.0.0.2"),
        (["::1"], "::1", "2001:db8::5", "2001:db8::5"),
    ],
)
def test_client_ip_believes_forwarded_for_only_from_trusted_proxies(
    settings, trusted, remote, forwarded, expected
):
    settings.TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_attacker_behind_the_proxy_cannot_lock_out_the_real_user(settings, client, officer_a):
    settings.TRUSTED_PROXIES = [PROXY]
    for _attempt in range(settings.AXES_FAILURE_LIMIT + 2):
        via_proxy(client, "203.0.113.9", "officer_a", "wrong-password")
    # The attacker's address is locked for that username, even with the right password …
    response = via_proxy(client, "203.0.113.9", "officer_a", DEFAULT_PASSWORD)
    assert not logged_in(client)
    assert response.status_code in (403, 429)
    # … while the real user, through the same proxy from their own desk, logs in.
    via_proxy(client, "198.51.100.7", "officer_a", DEFAULT_PASSWORD)
    assert logged_in(client)


def test_without_trusted_proxies_a_forged_header_does_not_dodge_the_lockout(
    settings, client, officer_a
):
    settings.TRUSTED_PROXIES = []
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        via_proxy(client, f"203.0.113.{attempt}", "officer_a", "wrong-password")
    response = via_proxy(client, "203.0.113.99", "officer_a", DEFAULT_PASSWORD)
    assert not logged_in(client)
    assert response.status_code in (403, 429)


def test_one_address_trying_many_usernames_is_throttled_without_locking_accounts(
    settings, client, officer_a
):
    settings.TRUSTED_PROXIES = [PROXY]
    settings.LOGIN_IP_FAILURE_LIMIT = 8
    for attempt in range(8):  # fewer than AXES_FAILURE_LIMIT per username
        via_proxy(client, "203.0.113.9", f"user{attempt % 3}", "wrong-password")
    response = via_proxy(client, "203.0.113.9", "officer_a", DEFAULT_PASSWORD)
    assert response.status_code == 429
    assert "登录尝试过于频繁" in response.content.decode()
    assert not logged_in(client)
    # Another address is not affected, and officer_a's account was never locked.
    via_proxy(client, "198.51.100.7", "officer_a", DEFAULT_PASSWORD)
    assert logged_in(client)
