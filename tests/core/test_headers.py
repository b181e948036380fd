from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_authenticated_pages_are_never_stored(client, officer_a):
    client.force_login(officer_a)
    response = client.get(reverse("hospitals:detail", args=[officer_a.hospital_id]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "camera=(self)" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_the_login_page_has_the_permissions_policy(client):
    response = client.get(reverse("login"))
    assert "microphone=()" in response["Permissions-Policy"]
