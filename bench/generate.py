"""The benchmark dataset: a province of regions, institutions, hazards with their events,
inspections and inspection-day assignments, written with INSERT … SELECT over generate_series
so that a million hazards take minutes, not hours. PostgreSQL only.

Rows are plausible rather than realistic: what matters for the benchmark is their number, their
spread over regions, dates and statuses, and that every column the pages read is filled.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.db import connection, models, transaction

from accounts.choices import Role
from accounts.models import User
from core.dates import today
from hazards.models import Hazard, HazardEvent
from hospitals.models import Hospital, Region
from hospitals.validators import CREDIT_CODE_ALPHABET, credit_code_check_char
from inspections.models import Assignment, ChecklistTemplate, Inspection

PREFIX = "BENCH"
PASSWORD = "bench-password-not-secret"


@dataclass(frozen=True)
class Sizes:
    cities: int = 10
    counties_per_city: int = 10
    hospitals: int = 2000
    hazards: int = 1_000_000
    inspections: int = 231_000
    months: int = 24

    def scaled(self, factor: float) -> Sizes:
        def scale(n: int, floor: int) -> int:
            return max(floor, round(n * factor))

        return Sizes(
            cities=self.cities,
            counties_per_city=self.counties_per_city,
            hospitals=scale(self.hospitals, self.cities * self.counties_per_city),
            hazards=scale(self.hazards, 100),
            inspections=scale(self.inspections, 100),
            months=self.months,
        )


def _credit_code(n: int) -> str:
    body, value = "", n
    for _ in range(9):
        body = CREDIT_CODE_ALPHABET[value % 31] + body
        value //= 31
    first17 = "12350000" + body
    return first17 + credit_code_check_char(first17)


def _literal(field: models.Field) -> str:
    """SQL for a column the generator does not set: its Python default, NULL or now()."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return "now()"
    if field.has_default():
        value = field.get_default()
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        if isinstance(value, str):
            return "'" + value.replace("'", "''") + "'"
    if field.null:
        return "NULL"
    if isinstance(field, models.CharField | models.TextField):
        return "''"
    raise ValueError(f"{field.model.__name__}.{field.name} needs a value")


def insert_select(model, values: dict[str, str], source: str, params=()) -> int:
    """INSERT INTO model's table every column: `values[column]` (SQL over `source`) or the
    field's default. Returns the number of rows written."""
    columns, exprs = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key and field.column not in values:
            continue
        columns.append(connection.ops.quote_name(field.column))
        exprs.append(values.get(field.column) or _literal(field))
    unknown = set(values) - {f.column for f in model._meta.concrete_fields}
    if unknown:
        raise ValueError(f"unknown columns {unknown}")
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
        f"SELECT {', '.join(exprs)} FROM {source}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _regions(sizes: Sizes) -> tuple[Region, list[Region], list[Region]]:
    province = Region.objects.create(name="基准省", code=f"{PREFIX}P", level="province")
    cities, counties = [], []
    for c in range(sizes.cities):
        city = Region.objects.create(
            name=f"基准市{c + 1}", code=f"BC{c:03d}", level="city", parent=province
        )
        cities.append(city)
        for k in range(sizes.counties_per_city):
            counties.append(
                Region.objects.create(
                    name=f"基准市{c + 1}第{k + 1}县",
                    code=f"BK{c:03d}{k:03d}",
                    level="county",
                    parent=city,
                )
            )
    return province, cities, counties


def _hospitals(sizes: Sizes, counties: list[Region]) -> list[int]:
    Hospital.objects.bulk_create(
        Hospital(
            name=f"{counties[n % len(counties)].name}基准医院{n + 1}",
            credit_code=_credit_code(5_000_000 + n),
            level="2",
            type="general",
            ownership="public",
            region=counties[n % len(counties)],
            beds_actual=100 + n % 400,
            beds_authorized=120 + n % 400,
        )
        for n in range(sizes.hospitals)
    )
    return list(
        Hospital.objects.filter(credit_code__startswith="12350000")
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _user(username: str, role: str, **kwargs) -> User:
    user = User(username=username, role=role, full_name=username, **kwargs)
    user.set_password(PASSWORD)
    user.save()
    return user


def _users(province, cities, counties, hospital_ids) -> dict[str, User]:
    return {
        "province": _user("bench_province", Role.BUREAU, region=province),
        "city": _user("bench_city", Role.BUREAU, region=cities[0]),
        "county": _user("bench_county", Role.BUREAU, region=counties[0]),
        "officer": _user("bench_officer", Role.OFFICER, hospital_id=hospital_ids[0]),
    }


# Statuses: hazards found in the last 45 days are mixed; older ones are closed except one in
# fifty (the overdue backlog). One in twenty had its deadline extended (an event that keeps the
# previous deadline), one in forty is 重大隐患.
_HAZARD_STATUS = """CASE
    WHEN g.i %% 50 = 7 THEN (ARRAY['pending','in_progress','pending_acceptance'])[1 + g.i %% 3]
    WHEN mod(g.i, %(days)s) >= 45 THEN 'closed'
    WHEN g.i %% 3 = 0 THEN 'closed'
    ELSE (ARRAY['pending','in_progress','pending_acceptance'])[1 + g.i %% 3]
END"""


def _hazards(
    sizes: Sizes, hospital_ids: list[int], found_by: int, end: dt.date, first: int = 1
) -> int:
    days = sizes.months * 30
    found = "(%(end)s::date - mod(g.i, %(days)s))"
    status = _HAZARD_STATUS
    closed = f"({status}) = 'closed'"
    closed_on = f"CASE WHEN {closed} THEN LEAST({found} + 10 + g.i %% 20, %(end)s::date) END"
    values = {
        "code": "'BENCH-' || lpad(g.i::text, 8, '0')",
        "hospital_id": "(%(hospitals)s::int[])[1 + mod(g.i::bigint * 7919, %(count)s)::int]",
        "source": "(ARRAY['self_inspection','linked_department','joint','spot_check'])[1 + g.i %% 4]",
        "source_label": "'基准数据'",
        "found_side": "CASE WHEN g.i %% 4 = 0 THEN 'hospital' ELSE 'bureau' END",
        "category": "(ARRAY['fire','logistics','hazmat','special_equipment','medical',"
        "'security','training','other'])[1 + g.i %% 8]",
        "risk_level": "CASE WHEN g.i %% 40 = 0 THEN 'major' ELSE 'general' END",
        "location": "'住院部' || (g.i %% 20) || '层东侧走廊'",
        "description": "'消防通道堆放杂物,疏散指示标志损坏,需限期整改(第' || g.i || '条)'",
        "found_on": found,
        "found_by_id": "%(found_by)s",
        "mode": "'deadline'",
        "deadline": f"{found} + 30 + g.i %% 15",
        "responsible_person": "'李建国'",
        "rectification_measures": "'清理杂物,更换疏散指示标志'",
        "status": status,
        "closed_on": closed_on,
        "closed_at": f"({closed_on})::timestamp + interval '10 hours'",
        "closed_by_id": f"CASE WHEN {closed} THEN %(found_by)s END",
        "submitted_at": f"CASE WHEN ({status}) IN ('closed', 'pending_acceptance') "
        f"THEN ({found} + 8)::timestamp END",
        "created_at": f"({found})::timestamp + interval '9 hours'",
    }
    params = {
        "end": end,
        "days": days,
        "hospitals": hospital_ids,
        "count": len(hospital_ids),
        "found_by": found_by,
        "first": first,
        "last": first + sizes.hazards - 1,
    }
    return insert_select(Hazard, values, "generate_series(%(first)s, %(last)s) AS g(i)", params)


def _events(actor: int, first_hazard_id: int = 0) -> int:
    """Raised for every hazard; started, submitted and accepted as far as its status went; a
    deadline change (with the previous deadline) for one hazard in twenty."""
    steps = """(VALUES (1, 'raised', '', 'pending', 0), (2, 'started', 'pending', 'in_progress', 2),
        (3, 'submitted', 'in_progress', 'pending_acceptance', 8),
        (4, 'accepted', 'pending_acceptance', 'closed', 10),
        (5, 'deadline_set', '', '', 5)) AS s(step, kind, from_status, to_status, day)"""
    reached = """CASE h.status WHEN 'pending' THEN 1 WHEN 'in_progress' THEN 2
        WHEN 'pending_acceptance' THEN 3 ELSE 4 END"""
    source = (
        f"{Hazard._meta.db_table} h CROSS JOIN {steps} "
        "WHERE h.code LIKE 'BENCH-%%' AND h.id >= %(first)s "
        f"AND (s.step <= {reached} OR (s.step = 5 AND h.id %% 20 = 0))"
    )
    at = "LEAST(h.found_on + s.day, COALESCE(h.closed_on, h.found_on + s.day), %(end)s::date - 1)"
    values = {
        "hazard_id": "h.id",
        "kind": "s.kind",
        "actor_id": "%(actor)s",
        "from_status": "s.from_status",
        "to_status": "s.to_status",
        "note": "''",
        "at": f"{at} + make_interval(hours => 9 + s.step)",
        "previous_deadline": "CASE WHEN s.step = 5 THEN h.deadline - 15 END",
    }
    params = {"actor": actor, "first": first_hazard_id, "end": today()}
    return insert_select(HazardEvent, values, source, params)


def _inspections(sizes: Sizes, hospital_ids, template_id: int, by: int, end: dt.date) -> int:
    values = {
        "hospital_id": "(%(hospitals)s::int[])[1 + mod(g.i, %(count)s)]",
        "kind": "CASE WHEN g.i %% 5 = 0 THEN 'linked' ELSE 'self' END",
        "template_id": "%(template)s",
        "inspected_on": "%(end)s::date - mod(g.i * 7, %(days)s)",
        "location": "'全院'",
        "participants": "'张三、李四'",
        "status": "'submitted'",
        "created_by_id": "%(by)s",
        "submitted_at": "(%(end)s::date - mod(g.i * 7, %(days)s))::timestamp",
        "submitted_by_id": "%(by)s",
        "failed_count": "g.i %% 4",
    }
    params = {
        "hospitals": hospital_ids,
        "count": len(hospital_ids),
        "template": template_id,
        "end": end,
        "days": sizes.months * 30,
        "by": by,
        "n": sizes.inspections,
    }
    return insert_select(Inspection, values, "generate_series(1, %(n)s) AS g(i)", params)


def _assignments(sizes: Sizes, hospital_ids, end: dt.date) -> int:
    values = {
        "kind": "k.kind",
        "hospital_id": "h.id",
        "period": "m.month",
        "due_date": "m.month + k.day",
    }
    source = (
        "unnest(%(hospitals)s::int[]) AS h(id) "
        "CROSS JOIN (VALUES ('self', 14), ('linked', 25)) AS k(kind, day) "
        "CROSS JOIN (SELECT (date_trunc('month', %(end)s::date) - make_interval(months => n))"
        "::date AS month FROM generate_series(0, %(months)s) AS n) AS m"
    )
    params = {"hospitals": hospital_ids, "end": end, "months": sizes.months}
    return insert_select(Assignment, values, source, params)


def generate(sizes: Sizes, *, log=print) -> dict:
    """Write the dataset (refuses when one is already there). Returns row counts and times."""
    if connection.vendor != "postgresql":
        raise RuntimeError("the benchmark dataset needs PostgreSQL")
    if Region.objects.filter(code=f"{PREFIX}P").exists():
        raise RuntimeError("a benchmark dataset is already in this database")
    end = today()
    timings: dict[str, float] = {}
    counts: dict[str, int] = {}

    def step(name, fn, *args):
        started = time.perf_counter()
        with transaction.atomic():
            result = fn(*args)
        timings[name] = round(time.perf_counter() - started, 1)
        log(f"  {name}: {timings[name]} s")
        return result

    province, cities, counties = step("regions", _regions, sizes)
    hospital_ids = step("hospitals", _hospitals, sizes, counties)
    users = step("users", _users, province, cities, counties, hospital_ids)
    template = ChecklistTemplate.objects.order_by("pk").first()
    counts["hazards"] = step("hazards", _hazards, sizes, hospital_ids, users["county"].pk, end)
    counts["hazard_events"] = step("hazard_events", _events, users["county"].pk)
    counts["inspections"] = step(
        "inspections", _inspections, sizes, hospital_ids, template.pk, users["officer"].pk, end
    )
    counts["assignments"] = step("assignments", _assignments, sizes, hospital_ids, end)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # VACUUM also sets the visibility map, so index-only scans skip the heap (as they would
        # on a long-lived database); it cannot run inside a transaction (tests), ANALYZE can.
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    timings["analyze"] = round(time.perf_counter() - started, 1)
    counts.update(
        regions=1 + len(cities) + len(counties), hospitals=len(hospital_ids), users=len(users)
    )
    return {"counts": counts, "timings": timings, "as_of": end.isoformat()}


def grow(hazards: int) -> int:
    """Add `hazards` more hazards (with their events) to an existing dataset: the same pages
    must then cost the same number of queries."""
    users = {u.username: u for u in User.objects.filter(username__startswith="bench_")}
    hospital_ids = list(
        Hospital.objects.filter(credit_code__startswith="12350000")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    first = Hazard.objects.filter(code__startswith="BENCH-").count() + 1
    last_id = Hazard.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    sizes = Sizes(hazards=hazards)
    with transaction.atomic():
        added = _hazards(sizes, hospital_ids, users["bench_county"].pk, today(), first)
        _events(users["bench_county"].pk, last_id + 1)
    return added
