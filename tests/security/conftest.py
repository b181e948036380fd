from __future__ import annotations

import pytest

from security.services import checklist_ensure


@pytest.fixture
def client_for(client):
    """Log a user in on the test client and return the client."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def items_a(hospital_a):
    """Hospital A's standard checklist rows, by kind."""
    return {item.kind: item for item in checklist_ensure(hospital=hospital_a)}


@pytest.fixture
def ready_a(hospital_a):
    """Hospital A's records satisfy every computed 4+N rule (so items may be confirmed)."""
    from tests.security.factories import complete_records

    return complete_records(hospital_a)
