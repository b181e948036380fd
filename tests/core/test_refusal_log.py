from __future__ import annotations

import logging

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_cross_tenant_404_is_logged_with_user_and_real_client_ip(
    client, settings, caplog, officer_a, hospital_b
):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    client.force_login(officer_a)
    with caplog.at_level(logging.WARNING, logger="safehospital.access"):
        response = client.get(
            reverse("hospitals:detail", args=[hospital_b.pk]),
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="203.0.113.9",
        )
    assert response.status_code == 404
    (record,) = [r for r in caplog.records if r.name == "safehospital.access"]
    message = record.getMessage()
    assert "status=404" in message
    assert f"user_id={officer_a.pk}" in message and "officer_a" in message
    assert "ip=203.0.113.9" in message
    assert f"/hospitals/{hospital_b.pk}/" in message


def test_permission_refusal_is_logged(client, caplog, officer_a):
    client.force_login(officer_a)
    with caplog.at_level(logging.WARNING, logger="safehospital.access"):
        response = client.get(reverse("hospitals:import"))
    assert response.status_code == 403
    assert any(
        "status=403" in r.getMessage() and "officer_a" in r.getMessage()
        for r in caplog.records
        if r.name == "safehospital.access"
    )


def test_ordinary_pages_are_not_logged(client, caplog, officer_a):
    client.force_login(officer_a)
    with caplog.at_level(logging.WARNING, logger="safehospital.access"):
        assert (
            client.get(reverse("hospitals:detail", args=[officer_a.hospital_id])).status_code == 200
        )
    assert not [r for r in caplog.records if r.name == "safehospital.access"]
