"""Session controls (等保 8.1.4.1 b): idle timeout and absolute lifetime in settings, the
session written at most once a minute, and requests without a session untouched. The expiry
itself is tested in test_sessions.py."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from accounts.sessions import SEEN_AT

pytestmark = pytest.mark.django_db


def test_the_defaults_are_thirty_minutes_and_twelve_hours(settings):
    from config import settings as production

    assert production.SESSION_IDLE_TIMEOUT.total_seconds() == 30 * 60
    assert production.SESSION_ABSOLUTE_LIFETIME.total_seconds() == 12 * 3600


def test_the_session_is_not_written_on_every_request(client, officer_a):
    client.force_login(officer_a)
    client.get(reverse("my_work"))
    seen = client.session[SEEN_AT]
    client.get(reverse("my_work"))
    assert client.session[SEEN_AT] == seen  # within the minute: no write
    session = client.session
    session[SEEN_AT] = time.time() - 61
    session.save()
    client.get(reverse("my_work"))
    assert client.session[SEEN_AT] > time.time() - 5


def test_requests_without_a_session_are_not_redirected(client):
    assert client.get(reverse("healthz")).status_code == 200
    assert client.get(reverse("service_worker")).status_code == 200
