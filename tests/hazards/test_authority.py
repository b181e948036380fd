"""Who may change what on a hazard: the field-authority table, the bureau's decisions as
transitions, and the 挂牌督办 level deciding which bureau verifies and closes out."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from core.dates import today
from hazards import services
from hazards.choices import EventType, RiskLevel, Status
from hazards.models import Hazard
from hazards.services import (
    BUREAU,
    FIELD_AUTHORITY,
    HazardError,
    HazardPermissionError,
    bureau_authority_region,
    editable_fields,
    hazard_accept,
    hazard_apply_resumption,
    hazard_approve_extension,
    hazard_delist,
    hazard_lift_suspension,
    hazard_list_for_supervision,
    hazard_order_suspension,
    hazard_record_recheck,
    hazard_refuse_resumption,
    hazard_regrade,
    hazard_request_extension,
    hazard_set_deadline,
    hazard_update,
)
from notifications.models import Notification
from tests.factories import BureauUserFactory, HospitalFactory, OfficerFactory, RegionFactory
from tests.hazards.conftest import start, submit
from tests.hazards.factories import SIX_PART_PLAN, complete_dossier, raise_hazard

pytestmark = pytest.mark.django_db

BUREAU_FIELDS = sorted(name for name, side in FIELD_AUTHORITY.items() if side == BUREAU)
# A value different from the fixture's for each bureau field: what an officer tries to set.
FORGED = {
    "risk_level": RiskLevel.GENERAL,
    "supervision_level": "",
    "supervision_notice_no": "伪造文号",
    "suspension": "",
    "suspension_scope": "全院",
    "suspension_notice_no": "伪造通知",
    "deadline": (today() + dt.timedelta(days=365)).isoformat(),
}


def _snapshot(hazard: Hazard) -> dict:
    hazard.refresh_from_db()
    return {f.attname: getattr(hazard, f.attname) for f in Hazard._meta.concrete_fields}


@pytest.fixture
def decided(major, officer_a, county_bureau):
    """A 重大隐患 in rectification, listed at 县级 and under a 停用整改 order."""
    start(major, officer_a)
    complete_dossier(major, officer_a, county_bureau)
    hazard_order_suspension(
        hazard=major,
        by=county_bureau,
        kind="suspend_use",
        scope="住院楼配电房",
        notice_no="晋卫停〔2026〕1号",
        reason="电气火灾风险,人员密集",
    )
    major.refresh_from_db()
    return major


# --- the table -----------------------------------------------------------------------------------


def test_every_bureau_field_is_a_decision_with_its_own_transition():
    assert set(services.BUREAU_DECISIONS) == set(BUREAU_FIELDS)
    assert set(FORGED) == set(BUREAU_FIELDS)
    for field, (transition, event) in services.BUREAU_DECISIONS.items():
        assert callable(transition) and event in EventType.values, field


def test_sides_own_their_fields(self_found, bureau_found, officer_a, county_bureau):
    hospital = {n for n, side in FIELD_AUTHORITY.items() if side == services.HOSPITAL}
    finder = {n for n, side in FIELD_AUTHORITY.items() if side == services.FINDER}
    assert set(editable_fields(officer_a, self_found)) == hospital | finder
    assert set(editable_fields(officer_a, bureau_found)) == hospital
    assert set(editable_fields(county_bureau, bureau_found)) == finder
    assert editable_fields(county_bureau, self_found) == []


# --- officer vs bureau fields --------------------------------------------------------------------


@pytest.mark.parametrize("field", BUREAU_FIELDS)
def test_officer_post_of_a_bureau_field_to_the_edit_view_changes_nothing(
    client, decided, officer_a, field
):
    client.force_login(officer_a)
    before = _snapshot(decided)
    events = decided.events.count()
    data = {**SIX_PART_PLAN, "progress": "已更换一半电缆", field: FORGED[field]}
    response = client.post(reverse("hazards:edit", args=[decided.pk]), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "属于卫健局的决定" in body
    assert str(Hazard._meta.get_field(field).verbose_name) in body
    # what the officer typed is still in the form
    assert "已更换一半电缆" in body
    assert _snapshot(decided) == before
    assert decided.events.count() == events


def test_officer_post_of_all_bureau_fields_at_once_changes_nothing(client, decided, officer_a):
    client.force_login(officer_a)
    before = _snapshot(decided)
    response = client.post(reverse("hazards:edit", args=[decided.pk]), {**SIX_PART_PLAN, **FORGED})
    assert response.status_code == 200
    assert "属于卫健局的决定" in response.content.decode()
    assert _snapshot(decided) == before


def test_officer_edit_form_offers_only_the_hospital_side(client, decided, officer_a):
    client.force_login(officer_a)
    response = client.get(reverse("hazards:edit", args=[decided.pk]))
    form = response.context["form"]
    assert not set(form.fields) & set(BUREAU_FIELDS)
    # a bureau-found hazard: what the bureau recorded is not the officer's to edit either
    assert not set(form.fields) & {"location", "description", "category"}
    assert "plan_goal" in form.fields and "responsible_person" in form.fields
    body = response.content.decode()
    for field in BUREAU_FIELDS:
        assert f'name="{field}"' not in body, field


@pytest.mark.parametrize("field", BUREAU_FIELDS)
def test_officer_service_call_with_a_bureau_field_raises(decided, officer_a, field):
    before = _snapshot(decided)
    value = FORGED[field]
    if field == "deadline":
        value = dt.date.fromisoformat(value)
    with pytest.raises(HazardPermissionError, match="属于卫健局的决定"):
        hazard_update(hazard=decided, by=officer_a, changes={"progress": "进度", field: value})
    assert _snapshot(decided) == before


def test_bureau_decisions_are_not_plain_edits_even_for_the_bureau(decided, county_bureau):
    before = _snapshot(decided)
    with pytest.raises(HazardPermissionError, match="挂牌督办"):
        hazard_update(hazard=decided, by=county_bureau, changes={"supervision_level": ""})
    with pytest.raises(HazardPermissionError, match="责令停业/停用整改"):
        hazard_update(hazard=decided, by=county_bureau, changes={"suspension": ""})
    assert _snapshot(decided) == before


def test_bureau_may_not_edit_the_hospitals_rectification(bureau_found, county_bureau):
    with pytest.raises(HazardPermissionError, match="您无权修改"):
        hazard_update(hazard=bureau_found, by=county_bureau, changes={"funds": 100})
    bureau_found.refresh_from_db()
    assert bureau_found.funds is None


def test_the_finder_corrects_its_own_record(client, bureau_found, county_bureau, officer_a):
    hazard_update(hazard=bureau_found, by=county_bureau, changes={"location": "门诊楼四层"})
    bureau_found.refresh_from_db()
    assert bureau_found.location == "门诊楼四层"
    with pytest.raises(HazardPermissionError):
        hazard_update(hazard=bureau_found, by=officer_a, changes={"location": "别处"})
    client.force_login(county_bureau)
    form = client.get(reverse("hazards:edit", args=[bureau_found.pk])).context["form"]
    assert set(form.fields) == {"location", "description", "category", "note", "version"}


# --- the listing level decides who verifies and closes out ---------------------------------------


@pytest.fixture
def city_listed(major, officer_a, county_bureau, city_bureau):
    """A 市级挂牌督办 重大隐患 of a county hospital, submitted for acceptance."""
    start(major, officer_a)
    complete_dossier(major, officer_a, city_bureau, level="city")
    submit(major, officer_a)
    major.refresh_from_db()
    return major


def test_authority_region_follows_the_listing_level(city_listed, county, city):
    assert bureau_authority_region(city_listed) == city
    assert bureau_authority_region(city_listed, "county") == county
    # no province in this tree: nobody but a superuser decides a 省级 listing
    assert bureau_authority_region(city_listed, "province") is None


def test_unlisted_hazard_is_decided_in_the_hospitals_own_region(major, county):
    assert bureau_authority_region(major) == county


def test_hospital_directly_under_a_city_takes_the_city_for_a_county_listing(city):
    hospital = HospitalFactory(name="泉州市第一医院", region=city, level="3")
    officer = OfficerFactory(username="qz_officer", hospital=hospital)
    hazard = raise_hazard(hospital=hospital, found_by=officer, risk_level="major")
    hazard.supervision_level = "county"
    assert bureau_authority_region(hazard) == city


def test_county_bureau_cannot_recheck_or_accept_a_city_listed_hazard(
    city_listed, county_bureau, city_bureau
):
    events = city_listed.events.count()
    with pytest.raises(HazardPermissionError, match="泉州市"):
        hazard_record_recheck(hazard=city_listed, by=county_bureau, note="已复查")
    with pytest.raises(HazardPermissionError, match="泉州市"):
        hazard_accept(hazard=city_listed, by=county_bureau, note="同意")
    city_listed.refresh_from_db()
    assert city_listed.status == Status.PENDING_ACCEPTANCE
    assert city_listed.rechecked_at is None
    assert city_listed.events.count() == events

    hazard_record_recheck(hazard=city_listed, by=city_bureau, note="市局现场复查合格")
    hazard_accept(hazard=city_listed, by=city_bureau, note="同意销号")
    city_listed.refresh_from_db()
    assert city_listed.status == Status.CLOSED
    assert city_listed.closed_by == city_bureau


def test_county_bureau_sees_no_acceptance_buttons_and_its_post_is_refused(
    client, city_listed, county_bureau, city_bureau
):
    client.force_login(county_bureau)
    response = client.get(city_listed.get_absolute_url())
    actions = response.context["actions"]
    assert not actions & {"recheck", "accept", "reject", "delist", "suspend", "lift_suspension"}
    assert (
        reverse("hazards:action", args=[city_listed.pk, "accept"]) not in response.content.decode()
    )
    response = client.post(
        reverse("hazards:action", args=[city_listed.pk, "recheck"]),
        {"note": "县局复查", "expected_status": Status.PENDING_ACCEPTANCE},
    )
    assert response.status_code == 200
    assert "泉州市及以上卫健局工作人员" in response.content.decode()
    city_listed.refresh_from_db()
    assert city_listed.rechecked_at is None

    client.force_login(city_bureau)
    assert {"recheck", "accept"} <= client.get(city_listed.get_absolute_url()).context["actions"]
    response = client.post(
        reverse("hazards:action", args=[city_listed.pk, "recheck"]),
        {"note": "市局复查合格", "expected_status": Status.PENDING_ACCEPTANCE},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("hazards:action", args=[city_listed.pk, "accept"]),
        {"note": "同意销号", "expected_status": Status.PENDING_ACCEPTANCE},
    )
    assert response.status_code == 302
    city_listed.refresh_from_db()
    assert city_listed.status == Status.CLOSED


def test_other_bureau_decisions_follow_the_listing_level(
    major, officer_a, county_bureau, city_bureau
):
    start(major, officer_a)
    complete_dossier(major, officer_a, city_bureau, level="city")
    with pytest.raises(HazardPermissionError):
        hazard_set_deadline(hazard=major, by=county_bureau, deadline=today() + dt.timedelta(9))
    with pytest.raises(HazardPermissionError):
        hazard_delist(hazard=major, by=county_bureau, reason="降级")
    with pytest.raises(HazardPermissionError):
        hazard_list_for_supervision(
            hazard=major, by=county_bureau, level="county", notice_no="晋卫督1号", reason="改县级"
        )
    extension = hazard_request_extension(
        hazard=major,
        by=officer_a,
        requested_deadline=major.deadline + dt.timedelta(30),
        reason="停电施工",
    )
    with pytest.raises(HazardPermissionError):
        hazard_approve_extension(extension=extension, by=county_bureau)
    hazard_approve_extension(extension=extension, by=city_bureau)


def test_county_bureau_cannot_list_at_city_level_but_city_bureau_can(
    major, county_bureau, city_bureau
):
    with pytest.raises(HazardPermissionError, match="泉州市"):
        hazard_list_for_supervision(
            hazard=major, by=county_bureau, level="city", notice_no="泉卫督7号", reason="重大"
        )
    major.refresh_from_db()
    assert major.supervision_level == ""
    hazard_list_for_supervision(
        hazard=major, by=city_bureau, level="city", notice_no="泉卫督7号", reason="重大"
    )
    major.refresh_from_db()
    assert (major.supervision_level, major.supervision_notice_no) == ("city", "泉卫督7号")


def test_other_county_bureau_has_no_say(major, other_county_bureau):
    with pytest.raises(HazardPermissionError):
        hazard_regrade(hazard=major, by=other_county_bureau, risk_level="general", reason="x")


def test_province_bureau_decides_everything_below(major, officer_a, city):
    province = RegionFactory(name="福建省", code="FJ", level="province")
    city.parent = province
    city.save()  # moves the county (and the hospital's region path) under the province
    province_bureau = BureauUserFactory(username="fj_bureau", region=province)
    major.hospital.region.refresh_from_db()
    hazard_list_for_supervision(
        hazard=major, by=province_bureau, level="province", notice_no="闽卫督1号", reason="重大"
    )
    major.refresh_from_db()
    assert bureau_authority_region(major) == province


# --- decisions are transitions with reasons ------------------------------------------------------


def test_regrade_records_the_previous_level_and_the_reason(self_found, officer_a, county_bureau):
    with pytest.raises(HazardError, match="理由"):
        hazard_regrade(hazard=self_found, by=county_bureau, risk_level="major", reason=" ")
    with pytest.raises(HazardPermissionError):
        hazard_regrade(hazard=self_found, by=officer_a, risk_level="major", reason="自评")
    hazard_regrade(hazard=self_found, by=county_bureau, risk_level="major", reason="涉及疏散主通道")
    self_found.refresh_from_db()
    assert self_found.risk_level == RiskLevel.MAJOR
    event = self_found.events.get(kind=EventType.REGRADED)
    assert event.previous_risk_level == RiskLevel.GENERAL
    assert event.actor == county_bureau
    assert "涉及疏散主通道" in event.note
    assert Notification.objects.filter(recipient=officer_a, title__contains="重大隐患").exists()
    # from now on the 重大隐患 rules apply: no submission without the dossier
    start(self_found, officer_a)
    with pytest.raises(HazardError, match="一患一档"):
        submit(self_found, officer_a)


def test_downgrade_of_a_listed_hazard_is_refused(decided, county_bureau):
    with pytest.raises(HazardError, match="须先撤销挂牌督办"):
        hazard_regrade(hazard=decided, by=county_bureau, risk_level="general", reason="已缓解")
    decided.refresh_from_db()
    assert decided.risk_level == RiskLevel.MAJOR


def test_regrade_is_refused_once_submitted(city_listed, city_bureau):
    with pytest.raises(HazardError, match="待验收"):
        hazard_regrade(hazard=city_listed, by=city_bureau, risk_level="general", reason="x")


def test_list_and_delist_write_events_with_reasons(major, officer_a, county_bureau):
    with pytest.raises(HazardError, match="理由"):
        hazard_list_for_supervision(
            hazard=major, by=county_bureau, level="county", notice_no="晋卫督1号", reason=""
        )
    with pytest.raises(HazardError, match="文号"):
        hazard_list_for_supervision(
            hazard=major, by=county_bureau, level="county", notice_no="", reason="重大"
        )
    hazard_list_for_supervision(
        hazard=major, by=county_bureau, level="county", notice_no="晋卫督1号", reason="重大电气隐患"
    )
    listed = major.events.get(kind=EventType.LISTED)
    assert "重大电气隐患" in listed.note and "晋卫督1号" in listed.note
    assert Notification.objects.filter(recipient=officer_a, title__contains="县级挂牌督办").exists()
    with pytest.raises(HazardError, match="理由"):
        hazard_delist(hazard=major, by=county_bureau, reason="")
    hazard_delist(hazard=major, by=county_bureau, reason="经核实不属于重大事故隐患")
    major.refresh_from_db()
    assert (major.supervision_level, major.supervision_notice_no) == ("", "")
    delisted = major.events.get(kind=EventType.DELISTED)
    assert "经核实不属于重大事故隐患" in delisted.note and "晋卫督1号" in delisted.note
    with pytest.raises(HazardError, match="未挂牌督办"):
        hazard_delist(hazard=major, by=county_bureau, reason="再撤")


def test_general_hazard_cannot_be_listed_or_suspended(self_found, county_bureau):
    with pytest.raises(HazardError, match="重大隐患"):
        hazard_list_for_supervision(
            hazard=self_found, by=county_bureau, level="county", notice_no="1号", reason="x"
        )
    with pytest.raises(HazardError, match="重大隐患"):
        hazard_order_suspension(
            hazard=self_found,
            by=county_bureau,
            kind="suspend_use",
            scope="a",
            notice_no="1",
            reason="x",
        )


def test_suspension_is_lifted_only_after_the_hospitals_application(
    decided, officer_a, county_bureau
):
    order = decided.events.get(kind=EventType.SUSPENSION_ORDERED)
    assert "电气火灾风险,人员密集" in order.note
    with pytest.raises(HazardError, match="尚未提交恢复申请"):
        hazard_lift_suspension(hazard=decided, by=county_bureau, reason="已整改")
    decided.refresh_from_db()
    assert decided.suspension == "suspend_use"
    assert not decided.events.filter(kind=EventType.SUSPENSION_LIFTED).exists()

    with pytest.raises(HazardPermissionError):
        hazard_apply_resumption(hazard=decided, by=county_bureau, note="代为申请")
    hazard_apply_resumption(hazard=decided, by=officer_a, note="配电房电缆已全部更换,申请恢复使用")
    assert Notification.objects.filter(recipient=county_bureau, title__contains="申请解除").exists()
    with pytest.raises(HazardError, match="已提交恢复申请"):
        hazard_apply_resumption(hazard=decided, by=officer_a, note="再次申请")
    with pytest.raises(HazardPermissionError):
        hazard_lift_suspension(hazard=decided, by=officer_a, reason="自行解除")
    with pytest.raises(HazardError, match="审查意见"):
        hazard_lift_suspension(hazard=decided, by=county_bureau, reason="")
    hazard_lift_suspension(hazard=decided, by=county_bureau, reason="现场审查合格,同意恢复使用")
    decided.refresh_from_db()
    assert (decided.suspension, decided.suspension_scope, decided.suspension_notice_no) == (
        "",
        "",
        "",
    )
    assert decided.resumption_applied_at is None
    lifted = decided.events.get(kind=EventType.SUSPENSION_LIFTED)
    assert "现场审查合格" in lifted.note and "晋卫停〔2026〕1号" in lifted.note
    assert decided.events.filter(kind=EventType.RESUMPTION_APPLIED).count() == 1


def test_refused_resumption_keeps_the_suspension_and_allows_a_new_application(
    decided, officer_a, county_bureau
):
    hazard_apply_resumption(hazard=decided, by=officer_a, note="申请恢复")
    hazard_refuse_resumption(hazard=decided, by=county_bureau, reason="防火封堵未完成")
    decided.refresh_from_db()
    assert decided.suspension == "suspend_use" and decided.resumption_applied_at is None
    assert "防火封堵未完成" in decided.events.get(kind=EventType.RESUMPTION_REFUSED).note
    with pytest.raises(HazardError, match="尚未提交恢复申请"):
        hazard_lift_suspension(hazard=decided, by=county_bureau, reason="同意")
    hazard_apply_resumption(hazard=decided, by=officer_a, note="封堵已完成")


def test_second_suspension_order_is_refused(decided, county_bureau):
    with pytest.raises(HazardError, match="须先解除"):
        hazard_order_suspension(
            hazard=decided,
            by=county_bureau,
            kind="suspend_business",
            scope="全院",
            notice_no="2号",
            reason="x",
        )


def test_deadline_events_keep_the_previous_deadline(self_found, officer_a, county_bureau):
    first = self_found.deadline
    second = first + dt.timedelta(days=10)
    hazard_set_deadline(hazard=self_found, by=county_bureau, deadline=second, note="复核后调整")
    event = self_found.events.get(kind=EventType.DEADLINE_SET)
    assert event.previous_deadline == first
    third = second + dt.timedelta(days=20)
    extension = hazard_request_extension(
        hazard=self_found, by=officer_a, requested_deadline=third, reason="配件定制"
    )
    hazard_approve_extension(extension=extension, by=county_bureau)
    approved = self_found.events.get(kind=EventType.EXTENSION_APPROVED)
    assert approved.previous_deadline == second
    self_found.refresh_from_db()
    assert self_found.deadline == third
    # events that change neither leave both empty
    started = start(self_found, officer_a).events.get(kind=EventType.STARTED)
    assert started.previous_deadline is None and started.previous_risk_level == ""


# --- pages ---------------------------------------------------------------------------------------


def test_decision_buttons_per_role(client, decided, officer_a, county_bureau):
    client.force_login(officer_a)
    actions = client.get(decided.get_absolute_url()).context["actions"]
    assert not actions & {"regrade", "list", "delist", "suspend", "lift_suspension"}
    assert "apply_resumption" in actions
    client.force_login(county_bureau)
    response = client.get(decided.get_absolute_url())
    actions = response.context["actions"]
    assert {"list", "delist"} <= actions
    assert "suspend" not in actions  # already suspended
    assert "regrade" not in actions  # the service would refuse the downgrade while listed
    assert "lift_suspension" not in actions  # no application yet
    body = response.content.decode()
    assert reverse("hazards:action", args=[decided.pk, "delist"]) in body
    assert "onclick" not in body


def test_decisions_through_the_pages(client, major, officer_a, county_bureau):
    start(major, officer_a)
    client.force_login(county_bureau)
    url = reverse("hazards:action", args=[major.pk, "suspend"])
    response = client.post(
        url, {"kind": "suspend_business", "scope": "配电房", "notice_no": "停1号"}
    )
    assert response.status_code == 200  # no reason: refused, what was typed is kept
    assert "配电房" in response.content.decode()
    major.refresh_from_db()
    assert major.suspension == ""
    response = client.post(
        url, {"kind": "suspend_business", "scope": "配电房", "notice_no": "停1号", "reason": "危险"}
    )
    assert response.status_code == 302
    client.force_login(officer_a)
    response = client.post(
        reverse("hazards:action", args=[major.pk, "apply_resumption"]), {"note": "已整改完毕"}
    )
    assert response.status_code == 302
    client.force_login(county_bureau)
    response = client.post(
        reverse("hazards:action", args=[major.pk, "lift_suspension"]), {"reason": "审查合格"}
    )
    assert response.status_code == 302
    response = client.post(
        reverse("hazards:action", args=[major.pk, "regrade"]),
        {"risk_level": "general", "reason": "评估后为一般隐患"},
    )
    assert response.status_code == 302
    major.refresh_from_db()
    assert (major.suspension, major.risk_level) == ("", RiskLevel.GENERAL)


def test_officer_cannot_open_or_post_a_bureau_decision(client, major, officer_a):
    start(major, officer_a)
    client.force_login(officer_a)
    url = reverse("hazards:action", args=[major.pk, "list"])
    assert client.get(url).status_code == 302
    response = client.post(url, {"level": "county", "notice_no": "1号", "reason": "自己挂牌"})
    assert response.status_code == 200
    major.refresh_from_db()
    assert major.supervision_level == ""


def test_outsider_gets_404_on_decisions(client, major, officer_b):
    client.force_login(officer_b)
    url = reverse("hazards:action", args=[major.pk, "regrade"])
    assert client.post(url, {"risk_level": "general", "reason": "x"}).status_code == 404
    major.refresh_from_db()
    assert major.risk_level == RiskLevel.MAJOR


def test_submit_of_city_listed_hazard_notifies_the_city(
    major, officer_a, county_bureau, city_bureau
):
    start(major, officer_a)
    complete_dossier(major, officer_a, city_bureau, level="city")
    submit(major, officer_a)
    assert Notification.objects.filter(recipient=city_bureau, event="hazard_submitted").exists()
    assert not Notification.objects.filter(
        recipient=county_bureau, event="hazard_submitted"
    ).exists()


def test_todo_lists_a_city_listed_hazard_for_the_city_not_the_county(
    city_listed, county_bureau, city_bureau
):
    from hazards.selectors import todo_for

    assert city_listed not in todo_for(county_bureau)
    assert city_listed in todo_for(city_bureau)


def test_todo_lists_a_pending_resumption_application_for_the_deciding_bureau(
    decided, officer_a, county_bureau
):
    from hazards.selectors import todo_for

    assert decided not in todo_for(county_bureau)  # suspended, no application yet
    hazard_apply_resumption(hazard=decided, by=officer_a, note="已整改,申请恢复使用")
    assert decided in todo_for(county_bureau)
