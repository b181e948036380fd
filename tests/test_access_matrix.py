"""The access matrix (issue 12 part 6): every URL of the URLconf × 7 actors × GET and POST,
against the explicit table in tests/access/cases.py, in one world built once for the module.

See /work/readme/matrix.md (what it covers, how to add a URL)."""

from __future__ import annotations

import logging
import os

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings

from tests.access.cases import CASES, EXCLUDED, EXCLUDED_NAMESPACES
from tests.access.engine import ACTORS, ANON, run, url_names
from tests.access.world import build_world

# The CSRF secret every client carries in its cookie and sends back with each POST (the
# middleware checks the pair exactly as for a browser: Client(enforce_csrf_checks=True)).
CSRF_SECRET = "MatrixCsrfSecret0123456789abcdef"
assert len(CSRF_SECRET) == 32


class _SilentChannel:
    """The robot test message goes nowhere (no network in tests)."""

    def send(self, robot, message):
        return None


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world and one logged-in client per actor, built once inside a transaction that is
    rolled back when the module is done; each request runs in a savepoint of its own."""
    media = tmp_path_factory.mktemp("matrix-media")
    storages = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": media, "base_url": "/nonexistent-private-media/"},
        },
    }
    mp = pytest.MonkeyPatch()
    from notifications import services as notification_services

    mp.setattr(notification_services, "robot_channel", lambda kind: _SilentChannel())
    # ~2000 requests, most of them refused on purpose: keep the refusal log quiet.
    for name in ("django.request", "safehospital.access"):
        mp.setattr(logging.getLogger(name), "disabled", True)
    with django_db_blocker.unblock(), override_settings(STORAGES=storages):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            world = build_world()
            clients = {}
            for actor in ACTORS:
                client = Client(enforce_csrf_checks=True)
                if actor != ANON:
                    client.force_login(world.users[actor])
                client.cookies[settings.CSRF_COOKIE_NAME] = CSRF_SECRET
                clients[actor] = client
            yield world, clients
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            mp.undo()


@pytest.fixture(autouse=True)
def _isolated_media():
    """Overrides tests/conftest.py: the module's world keeps its files for every test."""
    yield


def test_every_url_name_has_a_row():
    """A URL added without an entry in the matrix fails here (and a row for a URL that is
    gone fails too)."""
    names = url_names(excluded=EXCLUDED_NAMESPACES)
    covered = {case.name for case in CASES}
    assert not covered - names, f"rows for URL names that do not exist: {covered - names}"
    assert set(EXCLUDED) <= names, f"excluded names that do not exist: {set(EXCLUDED) - names}"
    assert not covered & set(EXCLUDED)
    missing = names - covered - set(EXCLUDED)
    assert not missing, f"URL names without a row in tests/access/cases.py: {sorted(missing)}"


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_access(matrix, case, method):
    world, clients = matrix
    results = run(case, method, world, clients, CSRF_SECRET)
    if os.environ.get("MATRIX_SHOW"):
        print(f"\n{method.upper():4} {case.id:45}", " ".join(f"{r.actor}={r.got}" for r in results))
    failures = [str(result) for result in results if not result.ok]
    assert not failures, f"{method.upper()} {case.url(world)} ({case.id})\n" + "\n".join(failures)


@pytest.mark.django_db
def test_admin_refuses_non_staff(matrix):
    """/admin/ (left out of the matrix) sends everyone who is not staff — anonymous or any of
    the app's roles — to the admin login page, for reading and for writing."""
    world, clients = matrix
    from hazards.models import Hazard

    before = Hazard.objects.count()
    for actor, client in clients.items():
        for method, path in (
            ("get", "/admin/"),
            ("get", "/admin/hazards/hazard/"),
            ("get", f"/admin/hazards/hazard/{world.hazard.pk}/change/"),
            ("post", f"/admin/hazards/hazard/{world.hazard.pk}/delete/"),
        ):
            data = {"csrfmiddlewaretoken": CSRF_SECRET, "post": "yes"}
            response = getattr(client, method)(path, data) if method == "post" else client.get(path)
            assert response.status_code == 302, (actor, path, response.status_code)
            # Anonymous: a login page (the site's or the admin's); signed in but not staff:
            # the admin's own login page ("you are not authorised").
            location = response["Location"]
            if actor == ANON:
                assert location.startswith(("/accounts/login/", "/admin/login/")), location
            else:
                assert location.startswith("/admin/login/"), (actor, path, location)
    assert Hazard.objects.count() == before


@pytest.mark.django_db
def test_a_post_without_the_csrf_token_is_refused(matrix):
    """The matrix POSTs carry a valid token; without it even the allowed actor gets 403."""
    from django.urls import reverse

    from tests.access.cases import CASES
    from tests.access.engine import diff, snapshot

    world, clients = matrix
    case = next(c for c in CASES if c.name == "hazards:action" and c.variant == "start")
    before = snapshot(world, case)
    response = clients["officer_a"].post(
        reverse("hazards:action", args=[world.hazard.pk, "start"]), case.payload(world)
    )
    assert response.status_code == 403
    assert not diff(before, snapshot(world, case))
