"""tests/accounts test user management in the combined mode (ADMIN_DUTIES_SEPARATED off: the
system administrator manages accounts, as a small deployment runs it). The separated mode
(the default: only the security administrator manages accounts) is tested in
tests/audit/test_duties.py and by the access matrix."""

import pytest


@pytest.fixture(autouse=True)
def _combined_admin_duties(settings):
    settings.ADMIN_DUTIES_SEPARATED = False
