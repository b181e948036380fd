"""THE access matrix of the API, over the world of the page matrix (tests/access/world.py) and
its actors, each with a read token and a write token:

- every route (list, detail, download, write) answers 401 to no token, an expired token and a
  revoked token;
- every detail route of an object of hospital A answers 404 to the actors who do not see it
  (the officer of hospital B, the county-2 bureau), exactly as the pages do;
- every write answers 403 to every read-only token, before anything is looked up;
- with a write token, who may act acts (2xx) and who may not is refused, and a refused request
  changes no row of the project.
Each request runs in a savepoint that is rolled back, so the world stays as built.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from api.choices import Scope
from api.models import ApiToken
from api.services import token_issue, token_revoke
from core.dates import today
from tests.access.engine import ANON, B1, B2, BC, DUTIES, OA, OB, SEE_A, SIGNED_IN, table_counts
from tests.access.world import ACTORS, build_world
from tests.factories import UserFactory

AD = "admin_1"
OUTSIDERS = frozenset({OB, B2})
OK = 200
NF = 404


@dataclass
class Route:
    name: str
    kwargs: object = None  # world -> kwargs
    method: str = "get"
    data: object = None  # world -> body
    # Expected answer per signed-in actor (write token for writes); default: 200 for all.
    expect: dict = field(default_factory=dict)
    detail: bool = False  # an object of hospital A: outsiders must get 404
    query: object = ""  # a string, or world -> string

    def url(self, world) -> str:
        kwargs = self.kwargs(world) if self.kwargs else {}
        url = reverse(f"api:{self.name}", kwargs=kwargs)
        query = self.query(world) if callable(self.query) else self.query
        return f"{url}?{query}" if query else url

    @property
    def id(self) -> str:
        query = "?<filter>" if callable(self.query) else ("?" + self.query if self.query else "")
        return f"{self.method.upper()} {self.name}{query} {(self.data and 'body') or ''}".strip()


def pk(key):
    return lambda w: {"pk": getattr(w, key).pk}


def scoped(ok=OK, viewers=SEE_A, **extra):
    row = {actor: (ok if actor in viewers else NF) for actor in SIGNED_IN}
    row.update(extra)
    return row


START = {
    "responsible_department": "总务科",
    "responsible_person": "王五",
    "rectification_measures": "清理杂物",
    "interim_measures": "设置警示",
}

ROUTES = [
    Route("me"),
    Route("schema"),
    Route("region-list"),
    Route("hospital-list"),
    # A filter naming county 1: who cannot see it gets the filter form's 400, as on the page.
    Route(
        "hospital-list",
        query=lambda w: f"region={w.county1.pk}",
        expect={B2: 400},
    ),
    Route("inspection-list"),
    Route("hazard-list"),
    Route("hazard-list", query="view=todo"),
    Route("hazard-list", query="status=open&risk_level=major"),
    Route("hazard-ledger"),
    Route("security-item-list"),
    Route("report-list"),
    # Regions: county 1 is seen by everyone bound to it (both officers) and the city above.
    Route("region-detail", pk("county1"), expect=scoped(viewers=SEE_A | {OB}), detail=True),
    Route("hospital-detail", pk("hospital_a"), expect=scoped(), detail=True),
    Route("inspection-detail", pk("inspection"), expect=scoped(), detail=True),
    # A draft self-inspection: A's officers only, not even the bureau above.
    Route("inspection-detail", pk("draft"), expect=scoped(viewers={OA}), detail=True),
    Route("hazard-detail", pk("hazard"), expect=scoped(), detail=True),
    Route("hazard-detail", pk("major"), expect=scoped(), detail=True),
    Route(
        "hazard-evidence",
        lambda w: {"pk": w.hazard.pk, "evidence_pk": w.evidence.pk},
        expect=scoped(),
        detail=True,
    ),
    Route("security-item-detail", pk("item"), expect=scoped(), detail=True),
    Route("report-detail", pk("export"), expect=scoped(), detail=True),
    Route("report-download", pk("export_done"), expect=scoped(), detail=True),
    # --- writes ---------------------------------------------------------------------------
    Route(
        "hazard-list",
        method="post",
        data=lambda w: {
            "hospital": w.hospital_a.pk,
            "source": "self_inspection",
            "category": "fire",
            "location": "门诊楼",
            "description": "灭火器过期",
        },
        # The officer of B and the county-2 bureau may not choose hospital A (400, the form's
        # "not one of the choices"); the administrator does not raise hazards (403, as the page).
        expect={OA: 201, OB: 400, B1: 400, B2: 400, BC: 400, AD: 403},
    ),
    Route(
        "hazard-list",
        method="post",
        data=lambda w: {
            "hospital": w.hospital_a.pk,
            "source": "supervision",
            "category": "fire",
            "location": "门诊楼",
            "description": "灭火器过期",
        },
        expect={OA: 400, OB: 400, B1: 201, B2: 400, BC: 201, AD: 403},
    ),
    Route(
        "hazard-action-start",
        pk("hazard"),
        method="post",
        data=START,
        expect=scoped(OK, **{B1: 403, BC: 403, AD: 403}),
        detail=True,
    ),
    Route(
        "hazard-action-accept",
        pk("submitted_hazard"),
        method="post",
        data={"note": "验收通过"},
        # A hospital's own 一般隐患: the hospital accepts it, the bureau may not.
        expect=scoped(OK, **{B1: 403, BC: 403, AD: 403}),
        detail=True,
    ),
    Route(
        "hazard-action-reject",
        pk("major"),
        method="post",
        data={"note": "电缆未全部更换"},
        # A 重大隐患 found by the county bureau: the bureau over it decides.
        expect=scoped(OK, **{OA: 403, AD: 403}),
        detail=True,
    ),
    Route(
        "hazard-extension-decide",
        lambda w: {"pk": w.hazard.pk, "extension_pk": w.extension.pk},
        method="post",
        data={"decision": "approve", "note": "同意"},
        expect=scoped(OK, **{OA: 403, AD: 403}),
        detail=True,
    ),
]


@dataclass
class Tokens:
    read: dict
    write: dict
    dead: dict  # "expired", "revoked" → secret


@pytest.fixture(scope="module")
def api_matrix(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("api-matrix-media")
    storages = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": media, "base_url": "/nonexistent-private-media/"},
        },
    }
    mp = pytest.MonkeyPatch()
    for name in ("django.request", "safehospital.access"):
        mp.setattr(logging.getLogger(name), "disabled", True)
    with django_db_blocker.unblock(), override_settings(STORAGES=storages, API_THROTTLE_RATE=""):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            world = build_world()
            # A superuser issues every actor's tokens (the security and audit administrators'
            # accounts are the superuser's to manage).
            issuer = UserFactory(username="m_api_root", is_superuser=True, is_staff=True)
            expires = today() + dt.timedelta(days=30)
            read, write = {}, {}
            for actor in ACTORS:
                if actor == ANON:
                    continue
                user = world.users[actor]
                read[actor] = token_issue(
                    owner=user, name="r", scope=Scope.READ, expires_on=expires, by=issuer
                )[1]
                write[actor] = token_issue(
                    owner=user, name="w", scope=Scope.WRITE, expires_on=expires, by=issuer
                )[1]
            officer = world.users[OA]
            revoked, revoked_secret = token_issue(
                owner=officer, name="x", scope=Scope.WRITE, expires_on=expires, by=issuer
            )
            token_revoke(token=revoked, by=issuer)
            expired, expired_secret = token_issue(
                owner=officer, name="e", scope=Scope.WRITE, expires_on=expires, by=issuer
            )
            ApiToken.objects.filter(pk=expired.pk).update(
                expires_at=timezone.now() - dt.timedelta(minutes=1)
            )
            yield world, Tokens(read, write, {"expired": expired_secret, "revoked": revoked_secret})
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            mp.undo()


@pytest.fixture(autouse=True)
def _isolated_media():
    """Overrides tests/conftest.py: the module's world keeps its files for every test."""
    yield


def _request(route: Route, world, secret: str | None):
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    client = Client(headers=headers)
    body = route.data(world) if callable(route.data) else (route.data or {})
    with transaction.atomic():
        before = table_counts()
        if route.method == "get":
            response = client.get(route.url(world))
        else:
            response = client.post(route.url(world), body, content_type="application/json")
        after = table_counts()
        transaction.set_rollback(True)
    changed = {t for t in before if before[t] != after[t]}
    return response, changed


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.id)
def test_api_matrix(api_matrix, route):
    world, tokens = api_matrix
    problems = []
    # No token, an expired one, a revoked one: 401, nothing changed.
    for label, secret in [("anonymous", None), *tokens.dead.items()]:
        response, changed = _request(route, world, secret)
        if response.status_code != 401 or changed:
            problems.append(f"{label}: {response.status_code} (401 expected) {changed or ''}")
    for actor in sorted(SIGNED_IN):
        # The security and audit administrators use no business endpoint (the duty fence).
        expected = 403 if actor in DUTIES else route.expect.get(actor, OK)
        if route.method == "post":
            response, changed = _request(route, world, tokens.read[actor])
            if response.status_code != 403 or changed:
                problems.append(f"{actor} read-only: {response.status_code} (403 expected)")
            response, changed = _request(route, world, tokens.write[actor])
        else:
            response, changed = _request(route, world, tokens.read[actor])
        got = response.status_code
        if got != expected:
            detail = (
                response.json() if response["Content-Type"].startswith("application/json") else ""
            )
            problems.append(f"{actor}: {got} ({expected} expected) {detail}")
        if got >= 400 and changed:
            problems.append(f"{actor}: refused ({got}) but changed {sorted(changed)}")
        if got >= 400 and response["Content-Type"].startswith("application/json"):
            body = response.json()
            if not {"detail", "code", "field"} <= set(body):
                problems.append(f"{actor}: error body not in the API's shape: {body}")
    assert not problems, "\n".join(problems)


def test_every_api_route_is_in_the_matrix():
    from django.urls import get_resolver

    resolver = get_resolver()
    api = next(p for p in resolver.url_patterns if getattr(p, "namespace", None) == "api")
    names = {p.name for p in api.url_patterns}
    covered = {r.name for r in ROUTES}
    # The transitions run one shared view class (hazards.views.ACTIONS); four of them are here
    # with their real deciders, the rest share their code path and the schemathesis run.
    shared = {n for n in names if n.startswith("hazard-action-")} - covered
    assert names - covered - shared == {"docs", "not-found"}, names - covered - shared
