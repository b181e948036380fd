from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_login(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == connection.vendor


@pytest.mark.postgres
def test_healthz_reports_connection_use_and_fails_when_slots_run_out(client, settings):
    body = client.get(reverse("healthz")).json()
    used, limit = body["connections"]["used"], body["connections"]["max"]
    assert 1 <= used <= limit
    settings.HEALTHZ_MAX_CONNECTION_USE = (used - 0.5) / limit  # as if almost full
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["status"] == "degraded"
