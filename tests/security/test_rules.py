"""The computed rule behind 已达标, and who may do what to a checklist item."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from core.uploads import clean_evidence_upload
from hospitals.models import Hospital
from security.choices import PLAN_ITEMS, STANDARD_KINDS, ItemKind, ItemStatus
from security.models import AlarmPoint, ChecklistItem, SecurityProfile
from security.selectors import (
    PlanIndex,
    checklist_states,
    hospital_facts,
    plan_item_cells,
    region_overview,
)
from security.services import (
    SecurityError,
    allowed_actions,
    checklist_ensure,
    evidence_add,
    item_confirm,
    item_refusal,
    item_submit,
    item_update_progress,
    profile_update,
)
from tests.factories import HospitalFactory
from tests.security.factories import ProfileFactory, complete_records, png_upload

pytestmark = pytest.mark.django_db


def _guards_item(hospital) -> ChecklistItem:
    return next(i for i in checklist_ensure(hospital=hospital) if i.kind == ItemKind.GUARDS)


@pytest.fixture
def maternity(county):
    """惠安县妇幼保健院 on the demo: 7 guards required (140 beds / 20), none certified."""
    hospital = HospitalFactory(
        name="惠安县妇幼保健院",
        region=county,
        level="2",
        beds_actual=140,
        on_duty_staff=100,
        daily_outpatients=500,
    )
    complete_records(hospital)
    SecurityProfile.objects.filter(hospital=hospital).update(
        certified_guards=0, uncertified_guards=9
    )
    return hospital


def test_guard_item_cannot_be_confirmed_while_certified_guards_are_short(maternity, county_bureau):
    item = _guards_item(maternity)
    with pytest.raises(SecurityError) as refused:
        item_confirm(item=item, by=county_bureau)
    message = str(refused.value)
    assert "不能确认达标" in message
    assert "持《国家保安员证》的专职保安员 0 人,按标准应配 7 人,缺 7 人" in message
    assert "未持证的 9 人不计入" in message
    item.refresh_from_db()
    assert item.status == ItemStatus.NOT_STARTED
    assert not item.events.filter(action="confirmed").exists()


def test_confirm_post_with_a_shortfall_is_refused_with_the_reason(
    maternity, county_bureau, client_for
):
    item = _guards_item(maternity)
    client = client_for(county_bureau)
    page = client.get(reverse("security:item", args=[item.pk])).content.decode()
    # The page says why and offers no confirm button.
    assert "系统核算显示本项目尚未达标" in page
    assert reverse("security:item_confirm", args=[item.pk]) not in page
    assert "缺 7 人" in page
    response = client.post(
        reverse("security:item_confirm", args=[item.pk]), {"met_on": "2024-01-01"}, follow=True
    )
    assert "不能确认达标" in response.content.decode()
    item.refresh_from_db()
    assert item.status == ItemStatus.NOT_STARTED and item.confirmed_by is None


def test_certified_guards_close_the_gap_and_then_the_bureau_may_confirm(
    maternity, officer_a, county_bureau
):
    from tests.factories import OfficerFactory

    officer = OfficerFactory(hospital=maternity)
    item = _guards_item(maternity)
    assert "confirm" not in allowed_actions(county_bureau, item)
    profile_update(
        hospital=maternity, values={"certified_guards": 7, "uncertified_guards": 2}, by=officer
    )
    assert "confirm" in allowed_actions(county_bureau, item)
    item_confirm(item=item, by=county_bureau, met_on=dt.date(2024, 1, 1))
    item.refresh_from_db()
    assert item.status == ItemStatus.MET


def test_hospital_cannot_submit_an_item_its_records_say_is_short(maternity):
    from tests.factories import OfficerFactory

    officer = OfficerFactory(hospital=maternity)
    item = _guards_item(maternity)
    evidence_add(item=item, uploads=[clean_evidence_upload(png_upload())], by=officer)
    with pytest.raises(SecurityError, match="不能申报达标"):
        item_submit(item=item, by=officer)
    assert ChecklistItem.objects.get(pk=item.pk).status == ItemStatus.NOT_STARTED


@pytest.mark.parametrize(
    "kind, break_records, reason",
    [
        (
            ItemKind.SCREENING,
            lambda h: h.entrances.update(xray_machines=0),
            "个主要出入口缺安检器材",
        ),
        (ItemKind.ALARM, lambda h: h.alarm_points.update(networked=False), "未与监控中心联网"),
        (
            ItemKind.FACE,
            lambda h: h.video_systems.update(retention_days=30),
            "录像保存不足 90 天",
        ),
        (
            ItemKind.POLICE_ROOM,
            lambda h: SecurityProfile.objects.filter(hospital=h).update(mediation_room=False),
            "尚未设立医疗纠纷调解室",
        ),
        (
            ItemKind.GUARDS,
            lambda h: h.guard_posts.update(stab_vests=0),
            "防卫器械不足",
        ),
    ],
)
def test_each_computable_item_is_refused_for_its_own_shortfall(
    hospital_a, ready_a, county_bureau, kind, break_records, reason
):
    item = next(i for i in checklist_ensure(hospital=hospital_a) if i.kind == kind)
    assert item_refusal(county_bureau, item, "confirm") is None
    break_records(hospital_a)
    with pytest.raises(SecurityError, match=reason):
        item_confirm(item=item, by=county_bureau)


def _scenario(county, bureau):
    """Five covered hospitals with different records; some items confirmed."""
    hospitals = []
    for index, certified in enumerate([30, 0, 5, 24, 40]):
        hospital = HospitalFactory(region=county, level="2", beds_actual=480, on_duty_staff=0)
        complete_records(hospital)
        SecurityProfile.objects.filter(hospital=hospital).update(
            certified_guards=24, uncertified_guards=3
        )
        for kind in (ItemKind.GUARDS, ItemKind.ALARM, ItemKind.FACE):
            item = next(i for i in checklist_ensure(hospital=hospital) if i.kind == kind)
            if index % 2 == 0 or kind != ItemKind.GUARDS:
                item_confirm(item=item, by=bureau, met_on=dt.date(2024, 1, 1))
        # Records change after confirmation: some now contradict item 1.
        SecurityProfile.objects.filter(hospital=hospital).update(certified_guards=certified)
        if index == 3:
            AlarmPoint.objects.filter(hospital=hospital).update(networked=False)
        hospitals.append(hospital)
    return hospitals


def test_overview_counts_equal_the_per_hospital_computation(county, county_bureau, client_for):
    hospitals = _scenario(county, county_bureau)
    overview = region_overview(Hospital.objects.in_region(county))
    assert overview.covered == len(hospitals)

    # The per-hospital computation, one hospital at a time (as its own page does it).
    index = PlanIndex.load()
    short, shortfall_total, achieved = 0, 0, {number: 0 for number, _l, _k in PLAN_ITEMS}
    kind_achieved = {kind: 0 for kind in STANDARD_KINDS}
    for hospital in hospitals:
        facts = hospital_facts(hospital)
        standard, _custom = checklist_states(
            hospital,
            ChecklistItem.objects.filter(hospital=hospital),
            index.for_hospital(hospital),
            facts=facts,
        )
        short += 1 if facts.guards.shortfall else 0
        shortfall_total += facts.guards.shortfall
        for cell in plan_item_cells(standard):
            achieved[cell.number] += cell.is_achieved
        for state in standard:
            kind_achieved[state.kind] += state.is_achieved

    assert overview.hospitals_short_of_guards == short == 2  # certified 0 and 5 of 24
    assert overview.guards_shortfall == shortfall_total == 24 + 19
    assert {r.number: r.met for r in overview.rates} == achieved
    assert {r.number: r.met for r in overview.part_rates} == {
        "1": kind_achieved[ItemKind.GUARDS],
        "2": kind_achieved[ItemKind.SCREENING],
        "3-1": kind_achieved[ItemKind.ALARM],
        "3-2": kind_achieved[ItemKind.FACE],
        "4": kind_achieved[ItemKind.POLICE_ROOM],
    }
    # Item 1 was confirmed at hospitals 0, 2, 4; hospital 2 is now short: 2 of 5 count as met,
    # never more than the hospitals that are not short.
    item_1 = overview.rates[0]
    assert item_1.met == 2
    assert item_1.met <= overview.covered - overview.hospitals_short_of_guards
    # Item 3-1 was confirmed everywhere, but hospital 3's alarm points went offline.
    assert overview.part_rates[2].met == 4

    # The page shows the same figures.
    body = client_for(county_bureau).get(reverse("security:overview")).content.decode()
    assert "2 家不足" in body
    assert "40%" in body or "40.0%" in body


def test_contradicted_item_is_shown_but_not_counted(hospital_a, ready_a, county_bureau, client_for):
    item = _guards_item(hospital_a)
    item_confirm(item=item, by=county_bureau, met_on=dt.date(2024, 1, 1))
    SecurityProfile.objects.filter(hospital=hospital_a).update(
        certified_guards=0, uncertified_guards=30
    )
    row = region_overview(Hospital.objects.filter(pk=hospital_a.pk)).rows[0]
    guards = row.standard[0]
    assert guards.is_met and guards.contradicted and not guards.is_achieved
    assert guards.status_label == "已达标(核算不足)"
    assert row.items_met == 0
    page = client_for(county_bureau).get(reverse("security:hospital", args=[hospital_a.pk]))
    assert page.context["met_count"] == 0
    assert "统计时不计为达标" in page.content.decode()


# --- allowed_actions drives the buttons, and the service refuses the same ----------------------


def test_bureau_has_no_progress_button_and_the_service_refuses_it(
    items_a, county_bureau, client_for
):
    item = items_a[ItemKind.SCREENING]
    assert "progress" not in allowed_actions(county_bureau, item)
    page = client_for(county_bureau).get(reverse("security:item", args=[item.pk])).content.decode()
    assert reverse("security:item_progress", args=[item.pk]) not in page
    assert reverse("security:item_evidence", args=[item.pk]) not in page
    with pytest.raises(SecurityError, match="卫健局不能代医院修改"):
        item_update_progress(item=item, status=ItemStatus.IN_PROGRESS, by=county_bureau)


def test_officer_has_no_confirm_button_and_the_service_refuses_it(
    items_a, ready_a, officer_a, client_for
):
    item = items_a[ItemKind.SCREENING]
    actions = allowed_actions(officer_a, item)
    assert {"progress", "evidence_add"} <= actions
    assert not actions & {"confirm", "send_back"}
    page = client_for(officer_a).get(reverse("security:item", args=[item.pk])).content.decode()
    assert reverse("security:item_progress", args=[item.pk]) in page
    assert reverse("security:item_confirm", args=[item.pk]) not in page
    assert reverse("security:item_send_back", args=[item.pk]) not in page
    with pytest.raises(SecurityError, match="医院不能确认"):
        item_confirm(item=item, by=officer_a)


def test_confirmed_item_is_the_bureaus_finding_the_hospital_cannot_edit_it(
    items_a, ready_a, officer_a, county_bureau, client_for
):
    item = items_a[ItemKind.POLICE_ROOM]
    item_confirm(item=item, by=county_bureau, met_on=dt.date(2024, 1, 1))
    item.refresh_from_db()
    assert allowed_actions(officer_a, item) == set()
    assert allowed_actions(county_bureau, item) == {"send_back"}
    page = client_for(officer_a).get(reverse("security:item", args=[item.pk])).content.decode()
    for name in ("item_progress", "item_evidence", "item_submit", "item_confirm"):
        assert reverse(f"security:{name}", args=[item.pk]) not in page
    response = client_for(officer_a).post(
        reverse("security:item_progress", args=[item.pk]),
        {"status": ItemStatus.IN_PROGRESS, "note": "改"},
        follow=True,
    )
    assert "医院不能再修改" in response.content.decode()
    item.refresh_from_db()
    assert item.status == ItemStatus.MET


def test_destructive_forms_ask_first_without_inline_script(items_a, ready_a, officer_a, client_for):
    item = items_a[ItemKind.SCREENING]
    evidence_add(item=item, uploads=[clean_evidence_upload(png_upload())], by=officer_a)
    page = client_for(officer_a).get(reverse("security:item", args=[item.pk])).content.decode()
    assert 'data-confirm="确定删除这份佐证材料?"' in page
    assert "onsubmit=" not in page and "onclick=" not in page
    assert "security/security.js" in page


def test_demo_profile_factory_keeps_working_with_a_total(hospital_a):
    # Older callers pass the total; the uncertified part is derived.
    profile = ProfileFactory(hospital=hospital_a, full_time_guards=30, certified_guards=28)
    assert (profile.certified_guards, profile.uncertified_guards) == (28, 2)
    assert profile.full_time_guards == 30
