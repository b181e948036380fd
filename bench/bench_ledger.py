"""Benchmark: build the hazard ledger for N hazards and report time and peak memory.

Not a unit test. Run against any database (a throwaway one: it writes N hazards and removes
them afterwards):

    DEBUG=1 .venv/bin/python bench/bench_ledger.py --hazards 20000 50000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sh_bench DEBUG=1 \
        .venv/bin/python bench/bench_ledger.py --hazards 100000

Each size runs in a fresh process so that its peak memory (max RSS of the build, minus the
RSS before the build) is its own. The workbook is written in openpyxl's write-only mode and rows
stream with .iterator(chunk_size=…), so the peak should stay flat as N grows. --heap also
reports the Python heap peak with tracemalloc (much slower; time is then not meaningful).

Read-only against an existing database (the 1M-hazard sh_bench; nothing is written), the newest N
hazards, each measurement in a fresh process:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sh_bench DEBUG=0 SECRET_KEY=… \
        .venv/bin/python bench/bench_ledger.py --existing --hazards 100000

prints `tuples` (bare openpyxl write-only writing the ledger's own rows and columns from tuples in
memory: the floor of issue 11), `ledger` (the web ledger download: query, layout, file) and the
harness's 12-column SQL floor ("seconds peak_rss growth"). Measured 2026-11-28 on a 2-CPU VM
shared with five other jobs, 100,000 rows (27 columns):

    load 3:    tuples 21.03 s (floor)   ledger 23.29 s = 1.11x, peak RSS 106.5 MB
               bare_sql (harness, 12 columns) 20.88 s, peak RSS 93.3 MB
    load 6-9:  tuples 52.54 s           ledger 62.45 s = 1.19x, peak RSS 105.6 MB

Before (commit bb9b1fe, bench.harness.ledger, same database): ledger 119.2 s against bare 18.3 s
= 6.5x (RESULTS.md had 4.69x); after, the same harness: 28.1 s against 32.5 s.

Measured 2026-11-22 on a loaded 2-CPU VM, PostgreSQL 127.0.0.1, 30 hospitals:

    hazards=2000   build_s=3.18   rows_per_s=629  build_rss_growth_mb=1.7  file_mb=0.21
    hazards=8000   build_s=11.11  rows_per_s=720  build_rss_growth_mb=0.0  file_mb=0.78
    hazards=20000  build_s=21.84  rows_per_s=916  build_rss_growth_mb=0.0  file_mb=1.93

(0.0 = the build never raised the process's peak above what it was before the build.)
With --heap (tracemalloc): peak Python heap 5.8 MB at 2,000 rows, 11.0 MB at 20,000 rows — the
rows stream (chunks of 2,000); what grows slowly is openpyxl's shared-string table (one entry per
distinct text).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from decimal import Decimal  # noqa: E402

from django.db import transaction  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from accounts.choices import Role  # noqa: E402
from accounts.models import User  # noqa: E402
from core.excel import Link  # noqa: E402
from hazards.exports import ledger_columns, ledger_rows, ledger_workbook  # noqa: E402
from hazards.models import Hazard  # noqa: E402
from hospitals.models import Hospital, Region  # noqa: E402
from reports.choices import ReportType  # noqa: E402
from reports.periods import Period  # noqa: E402
from reports.scope import ReportScope  # noqa: E402
from reports.services import build_report_file  # noqa: E402
from tests.factories import make_credit_code  # noqa: E402

BENCH_CODE = "BENCH"


def setup_scope(hospitals: int):
    region, _ = Region.objects.get_or_create(
        code=BENCH_CODE, defaults={"name": "基准测试县", "level": "county"}
    )
    existing = list(Hospital.objects.filter(region=region))

    for i in range(len(existing), hospitals):
        existing.append(
            Hospital.objects.create(
                name=f"基准测试医院{i + 1}",
                credit_code=make_credit_code(900000 + i),
                level="2",
                type="general",
                ownership="public",
                region=region,
            )
        )
    user, _ = User.objects.get_or_create(
        username="bench_officer",
        defaults={"role": Role.BUREAU, "region": region, "full_name": "基准测试员"},
    )
    return region, existing, user


def seed(n: int, hospitals, user) -> None:
    start = dt.date(2026, 1, 1)
    batch = []
    for i in range(n):
        found = start + dt.timedelta(days=i % 180)
        batch.append(
            Hazard(
                code=f"{BENCH_CODE}-{i:08d}",
                hospital=hospitals[i % len(hospitals)],
                source="self_inspection",
                found_side="hospital",
                category="fire",
                risk_level="major" if i % 50 == 0 else "general",
                location=f"住院部{i % 20}层东侧走廊",
                description=f"第{i}条:消防通道堆放杂物,疏散指示标志损坏,需限期整改" * 2,
                found_on=found,
                found_by=user,
                deadline=found + dt.timedelta(days=30),
                status="closed" if i % 3 else "pending",
                closed_on=found + dt.timedelta(days=10) if i % 3 else None,
                rectification_measures="清理杂物,更换疏散指示标志",
                responsible_person="李建国",
            )
        )
        if len(batch) == 5000:
            Hazard.objects.bulk_create(batch)
            batch = []
    Hazard.objects.bulk_create(batch)


def clean() -> None:
    Hazard.objects.filter(code__startswith=f"{BENCH_CODE}-").delete()


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(n: int, hospital_count: int, heap: bool = False) -> dict:
    region, hospitals, user = setup_scope(hospital_count)
    clean()
    t0 = time.perf_counter()
    with transaction.atomic():
        seed(n, hospitals, user)
    seeded = time.perf_counter() - t0
    scope = ReportScope(region=region, period=Period.parse("2026-H1"))
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    peak = None
    gc.collect()  # the seeding's garbage must not count as the build's memory
    rss_before = rss_mb()
    try:
        if heap:
            tracemalloc.start()
        t0 = time.perf_counter()
        rows = build_report_file(ReportType.HAZARD_LEDGER, scope, path)
        elapsed = time.perf_counter() - t0
        if heap:
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        size = os.path.getsize(path)
        rss_growth = rss_mb() - rss_before  # before clean(): deleting loads every row
    finally:
        os.unlink(path)
        clean()
    return {
        "hazards": n,
        "rows": rows,
        "seed_s": round(seeded, 2),
        "build_s": round(elapsed, 2),
        "rows_per_s": round(rows / elapsed) if elapsed else None,
        "build_rss_growth_mb": round(rss_growth, 1),
        "peak_heap_mb": round(peak / 2**20, 1) if peak is not None else "-",
        "file_mb": round(size / 2**20, 2),
    }


def _latest(rows: int):
    """The `rows` newest hazards of an existing database (read only), in ledger order."""
    newest = Hazard.objects.order_by("-pk").values("pk")[:rows]
    return Hazard.objects.filter(pk__in=newest)


def run_existing(n: int, mode: str) -> dict:
    """One measurement on an existing database (nothing is written):

    - ledger: the web ledger download (hazards.exports.ledger_workbook: query + layout + file);
    - tuples: the same rows and columns, fetched and laid out first (untimed), then written as
      plain tuples by bare openpyxl write-only (the floor of issue 11);
    - bare_sql: bench.harness's floor (12 columns straight from a server-side cursor)."""

    qs = _latest(n)
    gc.collect()
    rss_before = rss_mb()
    if mode == "ledger":
        t0 = time.perf_counter()
        content = ledger_workbook(qs, scope="bench", period="bench")
        elapsed = time.perf_counter() - t0
        size = len(content)
    elif mode == "tuples":
        columns = ledger_columns(None)
        data = [
            tuple(_bare_value(column.value(row)) for column in columns)
            for row in (
                (*values, number)
                for number, values in enumerate(ledger_rows(qs, None).iterator(2000), 1)
            )
        ]
        gc.collect()
        rss_before = rss_mb()
        t0 = time.perf_counter()
        wb = Workbook(write_only=True)
        ws = wb.create_sheet()
        for row in data:
            ws.append(row)
        with tempfile.TemporaryFile() as out:
            wb.save(out)
            size = out.tell()
        elapsed = time.perf_counter() - t0
    else:
        from bench.harness import ledger_child  # prints "seconds peak growth"

        ledger_child("bare", n)
        return {}
    return {
        "mode": mode,
        "rows": n,
        "seconds": round(elapsed, 2),
        "rss_growth_mb": round(rss_mb() - rss_before, 1),
        "peak_rss_mb": round(rss_mb(), 1),
        "file_mb": round(size / 2**20, 2),
    }


def _bare_value(value):
    """What a plain tuple would hold: a link as its formula text, money as a float."""

    if value == "":
        return None  # the ledger writes no cell for empty text either
    if isinstance(value, Link):
        return value.formula
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hazards", type=int, nargs="+", default=[5000, 20000])
    parser.add_argument("--hospitals", type=int, default=30)
    parser.add_argument("--heap", action="store_true", help="also trace the Python heap")
    parser.add_argument("--single", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--existing",
        action="store_true",
        help="read-only: the newest N hazards of the database (e.g. sh_bench), ledger against "
        "bare openpyxl writing the same rows and columns as tuples",
    )
    parser.add_argument("--mode", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.existing:
        if args.mode:
            result = run_existing(args.hazards[0], args.mode)
            if result:
                print("  ".join(f"{k}={v}" for k, v in result.items()), flush=True)
            return
        for n in args.hazards:
            for mode in ("tuples", "ledger", "bare_sql"):
                command = [sys.executable, __file__, "--existing", "--mode", mode]
                subprocess.run([*command, "--hazards", str(n)], check=True)
        return
    if args.single:
        result = run(args.hazards[0], args.hospitals, heap=args.heap)
        print("  ".join(f"{k}={v}" for k, v in result.items()), flush=True)
        return
    for n in args.hazards:
        command = [sys.executable, __file__, "--single", "--hazards", str(n)]
        command += ["--hospitals", str(args.hospitals)] + (["--heap"] if args.heap else [])
        subprocess.run(command, check=True)


if __name__ == "__main__":
    main()
