"""The benchmark harness: every page of issue 11 against its floor, measured in the same run.

A page is timed through Django's test client (server time, warm: a few unmeasured requests
first); its floor is the rows that page shows fetched by raw SQL with psycopg on a connection of
its own. Then the reminder scan, the ledger against a bare openpyxl write-only sheet of the same
rows, and — when gunicorn and wrk are at hand — throughput and 200 concurrent connections.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import django
import psycopg
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from accounts.choices import Role
from accounts.models import User
from core.dates import today
from hazards.exports import ledger_workbook
from hazards.models import Hazard, HazardEvent
from hazards.reminders import next_reminder_on, reconcile_rhythms, remind_due_soon, remind_overdue
from hospitals.models import Hospital, Region
from inspections.models import Assignment, Inspection
from notifications.services import dispatch_batch
from reports.snapshots import figures_refresh_due

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Page:
    name: str
    user: str
    url: str
    floor_sql: str = ""
    floor_params: dict = field(default_factory=dict)
    target_ms: float = 100.0
    html_limit_kb: float | None = None


@dataclass
class Measured:
    page: Page
    status: int
    p50: float
    p95: float
    queries: int
    html_kb: float
    floor_p50: float | None
    floor_p95: float | None
    cold: float = 0.0  # the first request of the run (caches empty)

    @property
    def ok(self) -> bool:
        ok = self.status == 200 and self.p95 <= self.page.target_ms
        if self.page.html_limit_kb is not None:
            ok = ok and self.html_kb <= self.page.html_limit_kb
        return ok


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def _region_paths() -> dict[str, str]:
    users = {u.username: u for u in User.objects.filter(username__startswith="bench_")}
    return {name: users[f"bench_{name}"].region.path for name in ("province", "city", "county")}


LIST_FLOOR = """
SELECT h.id, h.code, h.location, h.description, h.category, h.risk_level, h.status,
       h.found_on, h.deadline, h.source, o.name
FROM hazards_hazard h JOIN hospitals_hospital o ON o.id = h.hospital_id
WHERE h.hospital_id IN (SELECT o2.id FROM hospitals_hospital o2
                        JOIN hospitals_region r ON r.id = o2.region_id WHERE r.path LIKE %(path)s)
{extra}
ORDER BY h.found_on DESC, h.id DESC LIMIT 25 OFFSET %(offset)s
"""

INSPECTION_FLOOR = """
SELECT i.id, i.kind, i.inspected_on, i.status, i.failed_count, o.name
FROM inspections_inspection i JOIN hospitals_hospital o ON o.id = i.hospital_id
JOIN hospitals_region r ON r.id = o.region_id
WHERE r.path LIKE %(path)s AND i.status = 'submitted'
ORDER BY i.inspected_on DESC, i.id DESC LIMIT 25
"""

CALENDAR_FLOOR = """
SELECT a.id, a.kind, a.due_date, o.name FROM inspections_assignment a
JOIN hospitals_hospital o ON o.id = a.hospital_id JOIN hospitals_region r ON r.id = o.region_id
WHERE r.path LIKE %(path)s AND a.period = date_trunc('month', now())::date
ORDER BY a.due_date, o.name LIMIT 50
"""

# A dashboard shows one row per sub-region (and a handful of tiles): the floor is those rows.
REGIONS_FLOOR = """
SELECT r.id, r.name, r.path FROM hospitals_region r WHERE r.parent_id = %(region)s ORDER BY r.path
"""

DETAIL_FLOOR = """
SELECT h.*, o.name FROM hazards_hazard h JOIN hospitals_hospital o ON o.id = h.hospital_id
WHERE h.id = %(pk)s;
"""


def pages() -> list[Page]:
    paths = _region_paths()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT h.id FROM hazards_hazard h JOIN hospitals_hospital o ON o.id = h.hospital_id "
            "JOIN hospitals_region r ON r.id = o.region_id WHERE r.path LIKE %s "
            "ORDER BY h.id DESC LIMIT 1",
            [paths["county"] + "%"],
        )
        (hazard_pk,) = cursor.fetchone()
        # The last row of page 499 in the list's order: page 500 as the user reaches it, by the
        # keyset "next" link (`?after=<found_on>,<id>`) rather than by OFFSET.
        cursor.execute(
            "SELECT h.found_on, h.id FROM hazards_hazard h "
            "JOIN hospitals_hospital o ON o.id = h.hospital_id "
            "JOIN hospitals_region r ON r.id = o.region_id WHERE r.path LIKE %s "
            "ORDER BY h.found_on DESC, h.id DESC LIMIT 1 OFFSET %s",
            [paths["province"] + "%", 499 * 25 - 1],
        )
        deep = cursor.fetchone()
    regions = {
        name: User.objects.get(username=f"bench_{name}").region_id
        for name in ("province", "city", "county")
    }
    result = []
    for who, target in (("county", 50.0), ("province", 100.0)):
        path = {"path": paths[who] + "%", "offset": 0}
        result += [
            Page(
                f"hazard list p1 ({who})",
                who,
                "/hazards/",
                LIST_FLOOR.format(extra=""),
                path,
                target,
            ),
            Page(
                f"hazard list open+fire ({who})",
                who,
                "/hazards/?status=open&category=fire",
                LIST_FLOOR.format(
                    extra="AND h.status <> 'closed' AND h.category = 'fire'",
                ),
                path,
                target,
            ),
            Page(
                f"inspection list ({who})",
                who,
                "/inspections/",
                INSPECTION_FLOOR,
                path,
                target,
            ),
        ]
    result += [
        Page(
            "hazard list p500 (province)",
            "province",
            "/hazards/?page=500",
            LIST_FLOOR.format(extra=""),
            {"path": paths["province"] + "%", "offset": 499 * 25},
            100.0,
        ),
        *(
            [
                Page(
                    "hazard list p500 by ?after= (province)",
                    "province",
                    f"/hazards/?after={deep[0].isoformat()},{deep[1]}",
                    LIST_FLOOR.format(extra=""),
                    {"path": paths["province"] + "%", "offset": 499 * 25},
                    100.0,
                )
            ]
            if deep
            else []
        ),
        Page(
            "hazard detail (county)",
            "county",
            f"/hazards/{hazard_pk}/",
            DETAIL_FLOOR,
            {"pk": hazard_pk},
            50.0,
        ),
        Page(
            "inspection calendar (province)",
            "province",
            "/inspections/calendar/",
            CALENDAR_FLOOR,
            {"path": paths["province"] + "%"},
            100.0,
        ),
    ]
    for who in ("county", "city", "province"):
        result.append(
            Page(
                f"dashboard ({who})",
                who,
                "/",
                REGIONS_FLOOR,
                {"region": regions[who]},
                150.0,
                200.0,
            )
        )
    result.append(
        Page(
            "4+N overview (province)",
            "province",
            "/security/overview/",
            REGIONS_FLOOR,
            {"region": regions["province"]},
            150.0,
            200.0,
        )
    )
    return result


def _floor(page: Page, runs: int) -> tuple[float, float] | tuple[None, None]:
    if not page.floor_sql:
        return None, None

    db = settings.DATABASES["default"]
    conninfo = dict(
        dbname=db["NAME"],
        user=db.get("USER") or None,
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        password=db.get("PASSWORD") or None,
        options=db.get("OPTIONS", {}).get("options"),  # the app's session settings (jit=off)
    )
    with psycopg.connect(**{k: v for k, v in conninfo.items() if v}) as conn:
        samples = []
        for n in range(runs + 3):
            started = time.perf_counter()
            # Client-side binding, as Django's psycopg backend does: server-side parameters
            # would plan `path LIKE $1` blind (a generic plan 4 s slower at OFFSET 12,475).
            with psycopg.ClientCursor(conn) as cursor:
                cursor.execute(page.floor_sql, page.floor_params)
                cursor.fetchall()
            if n >= 3:
                samples.append((time.perf_counter() - started) * 1000)
    return _percentiles(samples)


def measure_page(
    page: Page, runs: int, *, warm: int = 2, floor: bool = True, log=print
) -> Measured:
    client = Client()
    client.force_login(User.objects.get(username=f"bench_{page.user}"))
    started = time.perf_counter()
    client.get(page.url)
    cold = (time.perf_counter() - started) * 1000
    for _ in range(warm):
        client.get(page.url)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(page.url)
        samples.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(page.url)
    p50, p95 = _percentiles(samples)
    floor_p50, floor_p95 = _floor(page, runs) if floor else (None, None)
    measured = Measured(
        page,
        response.status_code,
        p50,
        p95,
        len(queries),
        len(response.content) / 1024,
        floor_p50,
        floor_p95,
        cold,
    )
    log(
        f"  {page.name}: p50 {p50:.0f} ms p95 {p95:.0f} ms, {len(queries)} queries, "
        f"{measured.html_kb:.0f} KB, floor p50 {floor_p50 or 0:.1f} ms, first {cold:.0f} ms"
    )
    return measured


def explain(sql: str, params: dict) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def explain_list_queries(user: str, url: str) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of every query the page runs that costs more than 5 ms."""
    client = Client()
    client.force_login(User.objects.get(username=f"bench_{user}"))
    client.get(url)

    cache.clear()  # the plans of the uncached path (tiles and count), not of a cache hit
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    plans = []
    for query in queries.captured_queries:
        if float(query["time"]) * 1000 < 5 or not query["sql"].lstrip().startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
        plans.append(f"-- {float(query['time']) * 1000:.0f} ms\n{query['sql'][:600]}\n{plan}")
    return plans


def _as_after_a_daily_run(day) -> int:
    """Bring every open hazard's `next_reminder_on` to where yesterday's daily run would have
    left it (the generator inserts hazards without one, and the migration's backfill makes
    every overdue hazard due at once), so the measured run is an ordinary day's."""

    rhythms = reconcile_rhythms(on=day)
    rows = Hazard.objects.exclude(next_reminder_on=None).only(
        "pk", "hospital_id", "deadline", "next_reminder_on"
    )
    batch = []
    for hazard in rows.iterator(chunk_size=5000):
        wanted = next_reminder_on(
            hazard.deadline, rhythm=rhythms[hazard.hospital_id], on=day, sent_before=True
        )
        if hazard.next_reminder_on != wanted:
            hazard.next_reminder_on = wanted
            batch.append(hazard)
    Hazard.objects.bulk_update(batch, ["next_reminder_on"], batch_size=5000)
    return len(batch)


def _an_officer_per_hospital() -> int:
    """The generated province has one officer account in all; a real one has at least one per
    institution, and every reminder goes to them (in-app rows and e-mail deliveries)."""

    staffed = set(User.objects.filter(role=Role.OFFICER).values_list("hospital_id", flat=True))
    hospitals = Hospital.objects.exclude(pk__in=staffed).values_list("pk", flat=True)
    users = [
        User(
            username=f"bench_reminded_{pk}",
            role=Role.OFFICER,
            hospital_id=pk,
            email=f"officer{pk}@example.org",
            full_name=f"安全员{pk}",
        )
        for pk in hospitals
    ]
    User.objects.bulk_create(users, batch_size=1000)
    return len(users)


def figure_runs() -> dict:
    """The scheduled refresh of the stored figure runs, timed (pages read its runs)."""

    started = time.perf_counter()
    runs = figures_refresh_due(every=True)
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 1),
        "runs": ", ".join(f"{run.period_key} {run.duration_ms / 1000:.1f} s" for run in runs),
    }


def reminder_scan() -> dict:
    """The daily hazard reminder scan on an ordinary day (the day after a run), rolled back
    afterwards, with its query count."""

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM hazards_hazard WHERE status <> 'closed' AND deadline < %s",
            [today()],
        )
        (overdue,) = cursor.fetchone()
    with transaction.atomic():
        _as_after_a_daily_run(today())
        _an_officer_per_hospital()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM hazards_hazard WHERE next_reminder_on <= %s", [today()]
            )
            (due,) = cursor.fetchone()
        started = time.perf_counter()
        # As notifications.tasks.run_reminders_now runs it: one dispatch batch for the run.
        with CaptureQueriesContext(connection) as queries, dispatch_batch():
            sent = remind_due_soon(today=today()) + remind_overdue(today=today())
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return {
        "seconds": round(elapsed, 2),
        "notifications": sent,
        "overdue_open": overdue,
        "due": due,
        "queries": len(queries.captured_queries),
    }


LEDGER_CHILD = """
import os, resource, sys, time
sys.path.insert(0, {root!r})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
from bench.harness import ledger_child
ledger_child({mode!r}, {rows})
"""


def ledger_child(mode: str, rows: int) -> None:
    """Run in a fresh process: write `rows` hazards, by the ledger or by bare openpyxl."""

    qs = Hazard.objects.filter(pk__in=Hazard.objects.order_by("-pk").values("pk")[:rows]).order_by(
        "found_on", "pk"
    )
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    if mode == "ledger":
        ledger_workbook(qs, scope="bench", period="bench")
    else:
        wb = Workbook(write_only=True)
        ws = wb.create_sheet()
        with connection.chunked_cursor() as cursor:  # server-side, like .iterator()
            cursor.execute(
                "SELECT h.code, o.name, h.category, h.risk_level, h.location, h.description, "
                "h.found_on, h.deadline, h.status, h.closed_on, h.responsible_person, "
                "h.rectification_measures FROM hazards_hazard h "
                "JOIN hospitals_hospital o ON o.id = h.hospital_id "
                "WHERE h.id IN (SELECT id FROM hazards_hazard ORDER BY id DESC LIMIT %s) "
                "ORDER BY h.found_on, h.id",
                [rows],
            )
            while batch := cursor.fetchmany(2000):
                for row in batch:
                    ws.append(row)
        with tempfile.TemporaryFile() as out:
            wb.save(out)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{elapsed:.3f} {peak:.1f} {peak - before:.1f}")


def ledger(rows: int) -> dict:
    """The hazard ledger against its floor, each in a fresh process (bench/bench_ledger.py
    --existing): bare openpyxl write-only writing the same rows and columns from tuples in
    memory (issue 11's floor; the rows are fetched and laid out before the clock starts), then
    the ledger download itself (query, layout and file)."""
    result = {"rows": rows}
    script = ROOT / "bench" / "bench_ledger.py"
    for name, mode in (("bare", "tuples"), ("ledger", "ledger")):
        out = subprocess.run(
            [sys.executable, str(script), "--existing", "--mode", mode, "--hazards", str(rows)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        values = dict(part.split("=", 1) for part in out.split())
        result[name] = {
            "seconds": float(values["seconds"]),
            "peak_rss_mb": float(values["peak_rss_mb"]),
        }
    result["ratio"] = round(result["ledger"]["seconds"] / result["bare"]["seconds"], 2)
    return result


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def throughput(seconds: int = 10) -> dict | None:
    """gunicorn (2 sync workers) + wrk on loopback: hazard list (province) against /healthz
    with 16 connections, and the hazard list with 200 connections (non-2xx counted)."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    wrk = shutil.which("wrk")
    if not gunicorn.exists() or not wrk:
        return None

    user = User.objects.get(username="bench_province")
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "sso.backends.PasswordBackend"  # the password backend
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    port = _free_port()
    env = {**os.environ, "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1,localhost"}
    env.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    server = subprocess.Popen(
        [str(gunicorn), "config.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level=error"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"

        def run(path: str, connections: int) -> dict:
            out = subprocess.run(
                [
                    wrk,
                    f"-c{connections}",
                    "-t2",
                    f"-d{seconds}s",
                    "--timeout",
                    "30s",
                    "-H",
                    f"Cookie: {cookie}",
                    "-H",
                    "Host: 127.0.0.1",
                    f"http://127.0.0.1:{port}{path}",
                ],
                capture_output=True,
                text=True,
            ).stdout
            rps = next(
                (float(line.split()[1]) for line in out.splitlines() if "Requests/sec" in line),
                0.0,
            )
            non2xx = next(
                (int(line.split(":")[1]) for line in out.splitlines() if "Non-2xx" in line),
                0,
            )
            errors = next((line.strip() for line in out.splitlines() if "errors" in line), "")
            return {"rps": rps, "non_2xx": non2xx, "socket_errors": errors}

        trivial = run("/healthz", 16)
        hazards = run("/hazards/", 16)
        crowd = run("/hazards/", 200)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(10)
    ratio = round(hazards["rps"] / trivial["rps"], 3) if trivial["rps"] else None
    return {"trivial": trivial, "hazard_list": hazards, "crowd_200": crowd, "ratio": ratio}


def sizes() -> dict:
    return {
        "regions": Region.objects.count(),
        "hospitals": Hospital.objects.count(),
        "hazards": Hazard.objects.count(),
        "hazard_events": HazardEvent.objects.count(),
        "inspections": Inspection.objects.count(),
        "assignments": Assignment.objects.count(),
    }


def machine() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (pg,) = cursor.fetchone()

    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": f"{os.cpu_count()} CPUs, {platform.processor() or platform.machine()}",
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": pg,
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
