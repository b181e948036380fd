from __future__ import annotations

import pytest

from core.roles import Role
from tests.factories import UserFactory


@pytest.fixture
def county_secadmin(county):
    return UserFactory(username="county_secadmin", role=Role.SECADMIN, region=county)


@pytest.fixture
def county_auditor(county):
    return UserFactory(username="county_auditor", role=Role.AUDITOR, region=county)


@pytest.fixture
def city_auditor(city):
    return UserFactory(username="city_auditor", role=Role.AUDITOR, region=city)
