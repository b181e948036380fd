"""Fixtures of the hospitals tests."""

from __future__ import annotations

import pytest
from django.urls import reverse


@pytest.fixture
def import_sheet(django_capture_on_commit_callbacks):
    """Upload as a user would and follow to the import's page once the worker (eager in
    tests) has run it; returns that page, or the upload page when it was refused at once."""

    def run(client, upload):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("hospitals:import"), {"file": upload})
        if response.status_code == 302:
            return client.get(response["Location"])
        return response

    return run
