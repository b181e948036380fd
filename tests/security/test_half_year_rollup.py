"""The half-year roll-up takes submitted hospitals from their frozen snapshot; build_rows is
as-of-correct for a past date."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from hospitals.models import Hospital
from reports.choices import ReportType
from reports.periods import Period
from reports.scope import ReportScope
from reports.services import build_report_bytes
from security.choices import ItemKind, ItemStatus
from security.models import ChecklistItem, SecurityProfile
from security.selectors import SOURCE_LIVE, SOURCE_SNAPSHOT, build_rows, half_year_rows
from security.services import (
    checklist_ensure,
    custom_item_create,
    item_confirm,
    item_send_back,
    report_save,
    report_submit,
)
from tests.reports.helpers import as_dicts, load
from tests.security.factories import complete_records

pytestmark = pytest.mark.django_db


def _at(day: dt.date):
    return time_machine.travel(dt.datetime.combine(day, dt.time(4), tzinfo=dt.UTC), tick=False)


def _submit(hospital, officer):
    report = report_save(
        hospital=hospital,
        year=2026,
        half=1,
        progress="按计划推进。",
        problems="",
        next_steps="",
        by=officer,
    )
    return report_submit(report=report, by=officer)


def test_half_year_builder_uses_snapshots_and_lists_non_submitters(
    city, hospital_a, hospital_b, officer_a, county_bureau
):
    complete_records(hospital_a)
    items = {i.kind: i for i in checklist_ensure(hospital=hospital_a)}
    with _at(dt.date(2026, 3, 1)):
        item_confirm(item=items[ItemKind.GUARDS], by=county_bureau, met_on=dt.date(2026, 3, 1))
    with _at(dt.date(2026, 6, 20)):
        _submit(hospital_a, officer_a)
    # After submitting: item 1 sent back, item 2 confirmed, guards left. The snapshot stands.
    with _at(dt.date(2026, 7, 10)):
        item_send_back(item=items[ItemKind.GUARDS], by=county_bureau, note="复查不合格")
        item_confirm(item=items[ItemKind.SCREENING], by=county_bureau, met_on=dt.date(2026, 7, 1))
    SecurityProfile.objects.filter(hospital=hospital_a).update(certified_guards=0)

    content, _rows = build_report_bytes(
        ReportType.SECURITY_HALF_YEAR, ReportScope(region=city, period=Period.parse("2026-H1"))
    )
    workbook = load(content)
    rows = {row["医疗机构"]: row for row in as_dicts(workbook["4+N 进展"])}
    a, b = rows[hospital_a.name], rows[hospital_b.name]
    assert a["数据来源"] == "报送快照(2026-06-20)"
    assert a["1. 专职保安员"] == "已达标"
    assert a["2. 安检器材"].startswith("未启动")
    assert (a["达标项"], a["缺口"], a["持证"]) == (1, 0, 24)
    assert a["半年报告"].startswith("已报送")
    assert b["数据来源"] == "未报送:实时核算(截至 2026-06-30)"
    assert b["缺口"] == 24 and b["达标项"] == 0
    missing = as_dicts(workbook["未报送机构"])
    assert [row["医疗机构"] for row in missing] == [hospital_b.name]


def test_half_year_rows_say_where_each_figure_comes_from(
    county, hospital_a, officer_a, county_bureau
):
    complete_records(hospital_a)
    second = Hospital.objects.create(
        name="晋江市第二医院", region=county, level="2", beds_actual=200
    )
    checklist_ensure(hospital=second)
    _submit(hospital_a, officer_a)
    rows = {r.hospital.pk: r for r in half_year_rows(Hospital.objects.all(), 2026, 1)}
    assert rows[hospital_a.pk].source == SOURCE_SNAPSHOT and rows[hospital_a.pk].submitted
    assert rows[second.pk].source == SOURCE_LIVE and not rows[second.pk].submitted
    assert rows[second.pk].guards["shortfall"] == 10  # 200 beds / 20, nobody certified


def test_build_rows_replays_item_status_as_of_a_past_date(hospital_a, officer_a, county_bureau):
    complete_records(hospital_a)
    items = {i.kind: i for i in checklist_ensure(hospital=hospital_a)}
    with _at(dt.date(2026, 3, 10)):
        item_confirm(item=items[ItemKind.POLICE_ROOM], by=county_bureau, met_on=dt.date(2026, 3, 9))
    with _at(dt.date(2026, 5, 10)):
        item_send_back(item=items[ItemKind.POLICE_ROOM], by=county_bureau, note="调解室撤并")
        custom = custom_item_create(hospital=hospital_a, name="智能门禁", by=officer_a)
    hospitals = Hospital.objects.filter(pk=hospital_a.pk)

    def police_room(day):
        with _at(dt.date(2026, 11, 1)):
            row = build_rows(hospitals, today=day)[0]
        state = next(s for s in row.standard if s.kind == ItemKind.POLICE_ROOM)
        return state.status, state.met_on, [s.label for s in row.custom]

    assert police_room(dt.date(2026, 3, 1)) == (ItemStatus.NOT_STARTED, None, [])
    assert police_room(dt.date(2026, 3, 31)) == (ItemStatus.MET, dt.date(2026, 3, 9), [])
    assert police_room(dt.date(2026, 5, 10)) == (ItemStatus.IN_PROGRESS, None, ["智能门禁"])
    # Today: the stored status.
    with _at(dt.date(2026, 11, 1)):
        row = build_rows(hospitals)[0]
    assert ChecklistItem.objects.get(pk=custom.pk).status == ItemStatus.NOT_STARTED
    assert next(s for s in row.standard if s.kind == ItemKind.POLICE_ROOM).status == (
        ItemStatus.IN_PROGRESS
    )
