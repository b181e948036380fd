"""Shared fixtures: the standing cast and the live-service gates.

Tests that need a live PostgreSQL or Redis are marked `postgres` / `redis`, real-browser tests
`browser` (Playwright driving Chromium), workbook-to-PDF tests `libreoffice` (LibreOffice
headless and poppler's pdftotext/pdfinfo). Without the service they skip and say why; with
REQUIRE_SERVICES=1 (CI) a missing service is a failure instead.
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlparse

import pytest
from django.db import connection

from tests.factories import (
    AdminUserFactory,
    BureauUserFactory,
    HospitalFactory,
    OfficerFactory,
    RegionFactory,
)

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def _redis_reachable() -> tuple[bool, str]:
    url = os.environ.get("REDIS_URL")
    if not url:
        return False, "REDIS_URL is not set"
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), 2):
            return True, ""
    except OSError as exc:
        return False, f"Redis at {url} is not reachable: {exc}"


CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def _browser_available() -> tuple[bool, str]:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False, "Playwright is not installed (pip install -r requirements-dev.txt)"
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return (
            False,
            f"Chromium not found at {CHROMIUM} (apt-get install chromium, or set CHROMIUM)",
        )
    return True, ""


def _libreoffice_available() -> tuple[bool, str]:
    import shutil

    missing = [tool for tool in ("soffice", "pdftotext", "pdfinfo") if not shutil.which(tool)]
    if missing:
        return (
            False,
            f"{', '.join(missing)} not found "
            "(apt-get install libreoffice-calc-nogui poppler-utils)",
        )
    return True, ""


def _service_gate(item, ok: bool, why: str):
    if ok:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {why}", pytrace=False)
    pytest.skip(why)


@pytest.fixture(autouse=True)
def _live_services(request):
    if request.node.get_closest_marker("postgres"):
        _service_gate(
            request.node,
            connection.vendor == "postgresql",
            f"needs PostgreSQL (DATABASE_URL); this run uses {connection.vendor}",
        )
    if request.node.get_closest_marker("redis"):
        ok, why = _redis_reachable()
        _service_gate(request.node, ok, why)
    if request.node.get_closest_marker("browser"):
        ok, why = _browser_available()
        _service_gate(request.node, ok, why)
    if request.node.get_closest_marker("libreoffice"):
        ok, why = _libreoffice_available()
        _service_gate(request.node, ok, why)


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the site's language. A request leaves its language active in the
    thread (LocaleMiddleware does not reset it), and an API request may ask for English: a
    service called directly by the next test on this worker would then speak English."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Counters kept in the (in-memory) cache, e.g. the login throttle, start at zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    """Uploads and generated files of one test never leak into another."""
    storages = dict(settings.STORAGES)
    storages["default"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path / "media", "base_url": "/nonexistent-private-media/"},
    }
    settings.STORAGES = storages


@pytest.fixture(autouse=True)
def _small_demo():
    """Tests build the small demo (the whole organisation, a short history); `make run` and a
    plain `seed_demo` keep the full one."""
    from hospitals.demo_size import set_demo_size

    previous = set_demo_size("small")
    yield
    set_demo_size(previous.name)


@pytest.fixture
def city(db):
    return RegionFactory(name="泉州市", code="QZ", level="city")


@pytest.fixture
def county(city):
    return RegionFactory(name="晋江市", code="JJ", level="county", parent=city)


@pytest.fixture
def other_county(city):
    return RegionFactory(name="南安市", code="NA", level="county", parent=city)


@pytest.fixture
def hospital_a(county):
    return HospitalFactory(name="晋江市医院", region=county, level="3")


@pytest.fixture
def hospital_b(other_county):
    return HospitalFactory(name="南安市医院", region=other_county, level="2")


@pytest.fixture
def officer_a(hospital_a):
    return OfficerFactory(username="officer_a", hospital=hospital_a)


@pytest.fixture
def officer_b(hospital_b):
    return OfficerFactory(username="officer_b", hospital=hospital_b)


@pytest.fixture
def county_bureau(county):
    return BureauUserFactory(username="county_bureau", region=county)


@pytest.fixture
def other_county_bureau(other_county):
    return BureauUserFactory(username="other_county_bureau", region=other_county)


@pytest.fixture
def city_bureau(city):
    return BureauUserFactory(username="city_bureau", region=city)


@pytest.fixture
def county_admin(county):
    return AdminUserFactory(username="county_admin", region=county)


@pytest.fixture
def city_admin(city):
    return AdminUserFactory(username="city_admin", region=city)
