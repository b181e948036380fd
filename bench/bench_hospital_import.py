"""Benchmark: validate and save an N-row hospitals sheet through the real import service.

Not a unit test. Everything happens inside a transaction that is rolled back, so it can run
against any database (even the demo one):

    DEBUG=1 .venv/bin/python bench/bench_hospital_import.py --rows 1000 5000

Target: the import runs inside one web request, so 5,000 rows (the per-file limit) should
validate and save in well under 30 s on SQLite. Reading cells with openpyxl is the main cost;
saving is a few bulk INSERTs (rows and their history).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import transaction  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from accounts.choices import Role  # noqa: E402
from accounts.models import User  # noqa: E402
from hospitals.importing import COLUMNS, hospitals_import  # noqa: E402
from hospitals.models import Region  # noqa: E402
from hospitals.validators import CREDIT_CODE_ALPHABET, credit_code_check_char  # noqa: E402


def credit_code(n: int) -> str:
    body = ""
    for _ in range(9):
        body = CREDIT_CODE_ALPHABET[n % 31] + body
        n //= 31
    first17 = "12999999" + body
    return first17 + credit_code_check_char(first17)


def sheet(rows: int) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append([column.header for column in COLUMNS])
    for n in range(rows):
        ws.append(
            [f"基准测试医院{n}", credit_code(7_000_000 + n), "二级", "综合医院", "公立", "BENCHI"]
            + ["福建省", 100, 90, 120, 400, "", "否", "", "", "张三", "", "", "", "", ""]
        )
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def run(rows: int) -> None:
    with transaction.atomic():
        region = Region.objects.create(name="基准测试县", code="BENCHI", level="county")
        admin = User.objects.create(username="bench_import_admin", role=Role.ADMIN, region=region)
        data = sheet(rows)
        started = time.perf_counter()
        result = hospitals_import(fileobj=data, by=admin)
        elapsed = time.perf_counter() - started
        assert result.ok, result.errors[:5]
        print(f"{rows:>6} rows: {elapsed:6.2f} s ({elapsed / rows * 1000:.2f} ms/row)")
        transaction.set_rollback(True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1000, 5000])
    for size in parser.parse_args().rows:
        run(size)
