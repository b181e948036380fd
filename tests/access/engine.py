"""The machinery of the access matrix: expectations, snapshots, one request per actor."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from django.db.models.fields.files import FieldFile
from django.forms.models import model_to_dict
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .world import ACTORS

# Short names of the actors (tests/access/world.py builds them).
ANON, OA, OB, B1, B2, BC, AD, SA, AU = ACTORS
# The separated duties (security administrator, audit administrator): see nothing but their
# own pages. A row that does not name them gets DUTY_DEFAULT below.
DUTIES = frozenset({SA, AU})

LOGIN = "login"  # 302 to the login page
REDIRECT = 302  # any other redirect (a page's own "done" or "refused, see why" redirect)

# Who sees hospital A (and its records): its officer and every bureau account above it.
SEE_A = frozenset({OA, B1, BC, AD})
SIGNED_IN = frozenset(ACTORS) - {ANON}
BUREAU_SIDE = frozenset({B1, B2, BC, AD})

# What the security and audit administrators get where a row does not name them: the audit
# app's fence (audit.middleware.DutyFenceMiddleware) answers 403 for every page outside their
# own before the view runs; their own account's pages (login, logout, password, the accounts
# and sso namespaces) answer them as they answer the county-1 bureau; home and 我的工作 send
# them to their own list.
DUTY_LIKE_B1_NAMES = frozenset(
    {
        "login",
        "logout",
        "password_change",
        "password_change_done",
        "set_language",
        "javascript-catalog",
        "csp_report",
        "healthz",
        "service_worker",
    }
)
DUTY_LIKE_B1_NAMESPACES = ("accounts:", "sso:")
DUTY_LANDING_NAMES = frozenset({"home", "my_work"})


def duty_default(name: str, row: dict[str, Any]) -> dict[str, Any]:
    """Fill in SA and AU where `row` does not name them (see DUTY_LIKE_B1_NAMES)."""
    row = dict(row)
    for actor in DUTIES:
        if actor in row:
            continue
        if name in DUTY_LIKE_B1_NAMES or name.startswith(DUTY_LIKE_B1_NAMESPACES):
            row[actor] = row[B1]
        elif name in DUTY_LANDING_NAMES:
            row[actor] = REDIRECT
        else:
            row[actor] = 403
    return row


# The apps whose rows a refused POST must leave alone. (Not `audit`: every refusal is
# recorded there on purpose, tests/audit/ checks what.)
PROJECT_APPS = (
    "accounts",
    "hospitals",
    "inspections",
    "hazards",
    "security",
    "training",
    "incidents",
    "reports",
    "notifications",
    "sso",
    "api",
)


def E(default, **by_actor) -> dict[str, Any]:
    """One row of the table: every actor gets `default` unless named; anonymous is sent to
    the login page unless named. The separated duties (SA, AU) get `default` only when named:
    otherwise Case fills them in (duty_default)."""
    unknown = set(by_actor) - set(ACTORS)
    assert not unknown, unknown
    row = {actor: default for actor in ACTORS if actor not in DUTIES}
    row[ANON] = LOGIN
    row.update(by_actor)
    return row


def only(ok, actors, *, others=403, **extra) -> dict[str, Any]:
    """`actors` get `ok`, every other signed-in actor `others` (403: a role refusal)."""
    row = E(others, **{actor: ok for actor in actors})
    row.update(extra)
    return row


def scoped(ok, viewers=SEE_A, *, others=404, **extra) -> dict[str, Any]:
    """An object of hospital A: who sees it gets `ok`, everybody else 404."""
    return only(ok, viewers, others=others, **extra)


@dataclass
class Case:
    """One URL name (optionally one variant of it, e.g. one hazard action) with its table."""

    name: str
    get: dict[str, Any]
    post: dict[str, Any]
    kwargs: Callable[[Any], dict] | dict | None = None
    data: Callable[[Any], dict] | dict | None = None
    writers: frozenset = frozenset()  # who may change data with the POST
    watch: tuple[str, ...] = ()  # world objects whose rows a refused POST must not change
    query: Callable[[Any], str] | str = ""  # the query string, e.g. a filter naming a region
    variant: str = ""
    note: str = ""

    def __post_init__(self):
        self.get = duty_default(self.name, self.get)
        self.post = duty_default(self.name, self.post)

    @property
    def id(self) -> str:
        return f"{self.name}[{self.variant}]" if self.variant else self.name

    def url(self, world) -> str:
        kwargs = self.kwargs(world) if callable(self.kwargs) else (self.kwargs or {})
        url = reverse(self.name, kwargs=kwargs)
        query = self.query(world) if callable(self.query) else self.query
        return f"{url}?{query}" if query else url

    def payload(self, world) -> dict:
        return dict(self.data(world) if callable(self.data) else (self.data or {}))


def url_names(resolver=None, namespace="", excluded=()) -> set[str]:
    """Every named pattern of the URLconf, namespaced ("hazards:detail"), recursively."""
    resolver = resolver or get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            if ns in excluded:
                continue
            prefix = f"{namespace}{ns}:" if ns else namespace
            names |= url_names(pattern, prefix, excluded)
        elif isinstance(pattern, URLPattern):
            assert pattern.name, f"unnamed URL pattern {pattern.pattern}"
            names.add(f"{namespace}{pattern.name}")
    return names


# --- snapshots ------------------------------------------------------------------------------


def _project_tables() -> list[str]:
    tables = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label in PROJECT_APPS and not model._meta.proxy:
            tables.append(model._meta.db_table)
    return sorted(set(tables))


_TABLES: list[str] = []


def table_counts() -> dict[str, int]:
    """Row counts of every table of the project's apps (history tables and events included:
    nearly every change leaves a row there), in one query."""
    if not _TABLES:
        _TABLES.extend(_project_tables())
    qn = connection.ops.quote_name
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {qn(t)})" for t in _TABLES)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return dict(zip(_TABLES, row, strict=True))


def object_state(world, keys) -> dict[str, Any]:
    """The stored fields of the watched objects (None once deleted)."""
    state = {}
    for key in keys:
        obj = world.objects[key] if key in world.objects else world.users[key]
        fresh = type(obj)._default_manager.filter(pk=obj.pk).first()
        if fresh is None:
            state[key] = None
            continue
        values = model_to_dict(fresh)
        for f in fresh._meta.concrete_fields:  # model_to_dict skips non-editable fields
            values[f.attname] = getattr(fresh, f.attname)
        state[key] = {
            name: (value.name if isinstance(value, FieldFile) else value)
            for name, value in values.items()
            if not isinstance(value, list)
        }
    return state


def snapshot(world, case: Case) -> tuple[dict, dict]:
    return table_counts(), object_state(world, case.watch)


def diff(before, after) -> list[str]:
    changes = []
    (counts_a, objects_a), (counts_b, objects_b) = before, after
    for table, n in counts_a.items():
        if counts_b[table] != n:
            changes.append(f"{table}: {n} → {counts_b[table]} rows")
    for key, state in objects_a.items():
        if objects_b[key] != state:
            if state is None or objects_b[key] is None:
                changes.append(f"{key}: {state} → {objects_b[key]}")
                continue
            fields = [f for f in state if state[f] != objects_b[key].get(f)]
            changes.append(f"{key} changed: {', '.join(fields)}")
    return changes


# --- one request ----------------------------------------------------------------------------


def outcome(response) -> Any:
    """What the table speaks of: LOGIN, or the status code."""
    if response.status_code == 302 and response["Location"].startswith("/accounts/login/"):
        return LOGIN
    return response.status_code


@dataclass
class Result:
    actor: str
    expected: Any
    got: Any
    changes: list[str] = field(default_factory=list)
    may_write: bool = False
    hint: str = ""

    @property
    def ok(self) -> bool:
        # A GET never changes data for an actor it refuses; a POST only for case.writers.
        return self.expected == self.got and (self.may_write or not self.changes)

    def __str__(self) -> str:
        text = f"{self.actor}: expected {self.expected}, got {self.got}"
        if self.expected != self.got and self.hint:
            text += f" ({self.hint})"
        if self.changes and not self.may_write:
            text += f"; changed data although not allowed: {'; '.join(self.changes)}"
        return text


def _hint(response) -> str:
    """What the page said (its form errors and messages), to explain a mismatch."""
    if response.status_code == 302:
        return f"→ {response['Location']}"
    if "html" not in response.get("Content-Type", ""):
        return ""
    text = response.content.decode(errors="replace")
    found = re.findall(
        r'class="[^"]*(?:invalid-feedback|alert|errorlist)[^"]*"[^>]*>(.*?)</', text, re.S
    )
    # (the idle-session warning every page carries is not a message about the request)
    found = [re.sub(r"<[^>]+>|\s+", " ", f).strip() for f in found if "data-session" not in f]
    return " | ".join(f for f in found if f)[:300]


def run(case: Case, method: str, world, clients, token: str) -> list[Result]:
    """Each actor in turn, each inside a savepoint rolled back afterwards (so an allowed
    write never leaks into the next actor's request)."""
    table = case.get if method == "get" else case.post
    url = case.url(world)
    results = []
    # Every actor starts from the same rows (each request is rolled back): one "before".
    initial = []

    def before():
        if not initial:
            initial.append(snapshot(world, case))
        return initial[0]

    for actor in ACTORS:
        client = clients[actor]
        cookies = copy.deepcopy(client.cookies)  # a logout or password change rotates them
        sid = transaction.savepoint()
        try:
            if method == "get":
                refused = table[actor] in (LOGIN, 403, 404, 405)
                if refused:
                    before()
                response = client.get(url)
                changes = diff(before(), snapshot(world, case)) if refused else []
            else:
                before()
                payload = {"csrfmiddlewaretoken": token, **case.payload(world)}
                response = client.post(url, payload)
                changes = diff(before(), snapshot(world, case))
            results.append(
                Result(
                    actor,
                    table[actor],
                    outcome(response),
                    changes,
                    may_write=method == "post" and actor in case.writers,
                    hint=_hint(response),
                )
            )
        finally:
            transaction.savepoint_rollback(sid)
            client.cookies = cookies
    return results
