"""Pages: scoping (404 for outsiders), actions shown per role, forms through the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from core.dates import today
from hazards.choices import EvidenceStage, Status
from hazards.models import Hazard, HazardEvidence
from hazards.services import hazard_add_evidence, hazard_update
from tests.factories import OfficerFactory
from tests.hazards.conftest import start, submit
from tests.hazards.factories import cleaned_photo, raise_hazard, upload

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def test_officer_of_b_gets_404_on_a_hazard_its_evidence_and_dossier(
    client, self_found, officer_a, officer_b
):
    evidence = hazard_add_evidence(
        hazard=self_found, by=officer_a, files=[cleaned_photo()], stage=EvidenceStage.BEFORE
    )[0]
    login(client, officer_b)
    urls = [
        reverse("hazards:detail", args=[self_found.pk]),
        reverse("hazards:evidence", args=[self_found.pk, evidence.pk]),
        reverse("hazards:dossier", args=[self_found.pk]),
        reverse("hazards:dossier_xlsx", args=[self_found.pk]),
        reverse("hazards:edit", args=[self_found.pk]),
        reverse("hazards:action", args=[self_found.pk, "start"]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    response = client.post(
        reverse("hazards:action", args=[self_found.pk, "start"]),
        {
            "responsible_person": "x",
            "rectification_measures": "x",
            "interim_measures": "x",
            "expected_status": "pending",
        },
    )
    assert response.status_code == 404
    self_found.refresh_from_db()
    assert self_found.status == Status.PENDING


def test_other_hospitals_hazards_never_appear_in_lists_or_ledger(
    client, self_found, hospital_b, officer_b
):
    mine = raise_hazard(hospital=hospital_b, found_by=officer_b, location="B院锅炉房")
    login(client, officer_b)
    for name in ("hazards:list", "hazards:todo", "hazards:overdue", "hazards:due"):
        body = client.get(reverse(name), {"q": "消防"}).content.decode()
        assert self_found.code not in body
    body = client.get(reverse("hazards:list")).content.decode()
    assert mine.code in body and self_found.code not in body


def test_evidence_is_served_with_nosniff_and_content_disposition(client, self_found, officer_a):
    evidence = hazard_add_evidence(
        hazard=self_found,
        by=officer_a,
        files=[cleaned_photo("现场.jpg")],
        stage=EvidenceStage.BEFORE,
    )[0]
    login(client, officer_a)
    response = client.get(evidence.get_absolute_url())
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "filename*=UTF-8''%E7%8E%B0%E5%9C%BA.jpg" in response["Content-Disposition"]
    assert response["Content-Type"] == "image/jpeg"
    assert "现场" not in evidence.file.name  # stored under a random name


def test_detail_shows_only_the_actions_the_user_may_take(
    client, self_found, officer_a, county_bureau
):
    login(client, officer_a)
    body = client.get(self_found.get_absolute_url()).content.decode()
    assert reverse("hazards:action", args=[self_found.pk, "start"]) in body
    assert reverse("hazards:action", args=[self_found.pk, "accept"]) not in body
    client.logout()
    login(client, county_bureau)
    body = client.get(self_found.get_absolute_url()).content.decode()
    assert reverse("hazards:action", args=[self_found.pk, "start"]) not in body
    assert reverse("hazards:action", args=[self_found.pk, "deadline"]) in body


def test_full_workflow_through_the_pages(client, bureau_found, officer_a, county_bureau):
    login(client, officer_a)
    url = lambda action: reverse("hazards:action", args=[bureau_found.pk, action])  # noqa: E731
    response = client.post(
        url("start"),
        {
            "responsible_department": "后勤保障科",
            "responsible_person": "李建国",
            "rectification_measures": "清理杂物",
            "interim_measures": "设置警示标志",
            "funds": "1200",
            "expected_status": "pending",
        },
    )
    assert response.status_code == 302
    response = client.post(
        url("submit"),
        {"note": "已清理", "expected_status": "in_progress", "files": [upload("after.jpg")]},
    )
    assert response.status_code == 302, response.content.decode()
    bureau_found.refresh_from_db()
    assert bureau_found.status == Status.PENDING_ACCEPTANCE
    # The officer cannot accept a bureau-found hazard: the page says so and nothing changes.
    response = client.post(url("accept"), {"expected_status": "pending_acceptance"})
    assert response.status_code == 200
    assert "卫健局" in response.content.decode()
    client.logout()
    login(client, county_bureau)
    response = client.post(url("accept"), {"note": "合格", "expected_status": "pending_acceptance"})
    assert response.status_code == 302
    bureau_found.refresh_from_db()
    assert bureau_found.status == Status.CLOSED
    # A second, stale accept form is refused with a clear message.
    response = client.post(url("accept"), {"expected_status": "pending_acceptance"})
    assert "已被他人更新" in response.content.decode()
    body = client.get(bureau_found.get_absolute_url()).content.decode()
    assert "验收通过并销号" in body and "字段修改历史" in body


def test_rejected_upload_keeps_the_rest_of_the_raise_form(client, officer_a):
    login(client, officer_a)
    response = client.post(
        reverse("hazards:create"),
        {
            "hospital": officer_a.hospital_id,
            "source": "self_inspection",
            "category": "fire",
            "risk_level": "general",
            "location": "急诊科走廊",
            "description": "灭火器压力不足",
            "found_on": today().isoformat(),
            "photos": [upload("evil.jpg", b"<?php system($_GET['c']); ?>")],
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "急诊科走廊" in body and "灭火器压力不足" in body
    assert "evil.jpg" in body
    assert not Hazard.objects.exists()


def test_officer_raises_fixed_on_the_spot_hazard_through_the_form(client, officer_a):
    login(client, officer_a)
    data = {
        "hospital": officer_a.hospital_id,
        "source": "self_inspection",
        "category": "fire",
        "risk_level": "general",
        "location": "急诊科走廊",
        "description": "灭火器过期",
        "found_on": today().isoformat(),
        "fixed_on_the_spot": "on",
        "rectification_measures": "当场更换灭火器",
    }
    response = client.post(reverse("hazards:create"), data)
    assert response.status_code == 200  # after-photos are required for 立查立改
    assert not Hazard.objects.exists()
    data["after_photos"] = [upload("after.jpg")]
    response = client.post(reverse("hazards:create"), data)
    assert response.status_code == 302
    hazard = Hazard.objects.get()
    assert hazard.status == Status.CLOSED and hazard.evidence.count() == 1


def test_bureau_cannot_raise_for_hospital_outside_region(client, other_county_bureau, hospital_a):
    login(client, other_county_bureau)
    response = client.post(
        reverse("hazards:create"),
        {
            "hospital": hospital_a.pk,
            "source": "supervision",
            "category": "fire",
            "risk_level": "general",
            "location": "x",
            "description": "y",
            "found_on": today().isoformat(),
        },
    )
    assert response.status_code == 200
    assert not Hazard.objects.exists()


def test_admin_cannot_open_the_raise_page(client, county_admin):
    login(client, county_admin)
    assert client.get(reverse("hazards:create")).status_code == 403


def test_major_dossier_edit_then_dossier_page_and_workbook(
    client, major, officer_a, county_bureau, plan
):
    login(client, officer_a)
    response = client.get(reverse("hazards:edit", args=[major.pk]))
    assert "治理的目标和任务" in response.content.decode()
    response = client.post(reverse("hazards:edit", args=[major.pk]), plan)
    assert response.status_code == 302, response.content.decode()
    major.refresh_from_db()
    assert major.missing_dossier_fields() == ["挂牌督办级别", "督办文号"]
    client.force_login(county_bureau)
    response = client.post(
        reverse("hazards:action", args=[major.pk, "list"]),
        {"level": "county", "notice_no": "晋卫督〔2026〕12号", "reason": "重大事故隐患"},
    )
    assert response.status_code == 302, response.content.decode()
    major.refresh_from_db()
    assert major.missing_dossier_fields() == []
    body = client.get(reverse("hazards:dossier", args=[major.pk])).content.decode()
    assert "一患一档" in body and "晋卫督〔2026〕12号" in body
    response = client.get(reverse("hazards:dossier_xlsx", args=[major.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    # field history shows the dossier edit
    body = client.get(major.get_absolute_url()).content.decode()
    assert "治理的目标和任务" in body


def test_extension_request_and_decision_pages(client, self_found, officer_a, county_bureau):
    login(client, officer_a)
    wanted = (self_found.deadline + dt.timedelta(days=15)).isoformat()
    response = client.post(
        reverse("hazards:action", args=[self_found.pk, "extension"]),
        {"requested_deadline": wanted, "reason": "需要外包单位施工"},
    )
    assert response.status_code == 302
    extension = self_found.extensions.get()
    client.logout()
    login(client, county_bureau)
    body = client.get(self_found.get_absolute_url()).content.decode()
    decide_url = reverse("hazards:extension_decide", args=[self_found.pk, extension.pk])
    assert decide_url in body
    response = client.post(decide_url, {"decision": "approve", "note": "同意"})
    assert response.status_code == 302
    self_found.refresh_from_db()
    assert self_found.deadline.isoformat() == wanted


def test_bulk_actions_report_per_hazard_failures(
    client, hospital_a, officer_a, county_bureau, self_found, bureau_found
):
    start(bureau_found, officer_a)
    submit(bureau_found, officer_a)
    start(self_found, officer_a)
    submit(self_found, officer_a)  # self-found: the bureau may not accept it
    login(client, county_bureau)
    response = client.post(
        reverse("hazards:bulk"),
        {
            "action": "accept",
            "ids": [self_found.pk, bureau_found.pk],
            "next": "/hazards/todo/",
            "confirmed": "True",
            "note": "现场核查,整改到位",
        },
        follow=True,
    )
    body = response.content.decode()
    assert "已验收销号 1 条隐患" in body
    assert self_found.code in body
    bureau_found.refresh_from_db()
    self_found.refresh_from_db()
    assert bureau_found.status == Status.CLOSED
    assert self_found.status == Status.PENDING_ACCEPTANCE

    open_one = raise_hazard(hospital=hospital_a, found_by=officer_a)
    new_deadline = today() + dt.timedelta(days=12)
    client.post(
        reverse("hazards:bulk"),
        {
            "action": "set_deadline",
            "deadline": new_deadline.isoformat(),
            "ids": [open_one.pk],
            "confirmed": "True",
        },
    )
    open_one.refresh_from_db()
    assert open_one.deadline == new_deadline


def test_bulk_actions_are_bureau_only(client, officer_a, self_found):
    login(client, officer_a)
    response = client.post(reverse("hazards:bulk"), {"action": "accept", "ids": [self_found.pk]})
    assert response.status_code == 403


def test_bulk_ignores_hazards_outside_the_region(client, other_county_bureau, bureau_found):
    login(client, other_county_bureau)
    client.post(
        reverse("hazards:bulk"),
        {
            "action": "set_deadline",
            "deadline": today().isoformat(),
            "ids": [bureau_found.pk],
            "confirmed": "True",
        },
    )
    old = bureau_found.deadline
    bureau_found.refresh_from_db()
    assert bureau_found.deadline == old


def test_list_filters_and_rate_for_current_filter(client, hospital_a, officer_a, county_bureau):
    closed = raise_hazard(hospital=hospital_a, found_by=officer_a, fixed_on_the_spot=True)
    raise_hazard(hospital=hospital_a, found_by=officer_a, category="hazmat", location="化验室")
    login(client, county_bureau)
    response = client.get(reverse("hazards:list"), {"category": "fire"})
    assert response.context["figures"].display == "100%"
    assert [h.pk for h in response.context["page_obj"]] == [closed.pk]
    response = client.get(reverse("hazards:list"))
    assert response.context["figures"].display == "50%"
    response = client.get(reverse("hazards:list"), {"q": "化验室"})
    assert response.context["page_obj"].paginator.count == 1
    response = client.get(reverse("hazards:list"), {"o": "-code"})
    codes = [h.code for h in response.context["page_obj"]]
    assert codes == sorted(codes, reverse=True)


def test_overdue_and_due_lists(client, hospital_a, officer_a):
    late = raise_hazard(
        hospital=hospital_a,
        found_by=officer_a,
        found_on=today() - dt.timedelta(days=20),
        deadline=today() - dt.timedelta(days=1),
    )
    soon = raise_hazard(
        hospital=hospital_a, found_by=officer_a, deadline=today() + dt.timedelta(days=7)
    )
    later = raise_hazard(
        hospital=hospital_a, found_by=officer_a, deadline=today() + dt.timedelta(days=8)
    )
    login(client, officer_a)
    overdue_ids = [h.pk for h in client.get(reverse("hazards:overdue")).context["page_obj"]]
    due_ids = [h.pk for h in client.get(reverse("hazards:due")).context["page_obj"]]
    assert overdue_ids == [late.pk]
    assert due_ids == [soon.pk]
    assert later.pk not in due_ids


def test_todo_lists_per_role(
    client, hospital_a, officer_a, county_bureau, self_found, bureau_found
):
    start(bureau_found, officer_a)
    submit(bureau_found, officer_a)
    login(client, county_bureau)
    ids = [h.pk for h in client.get(reverse("hazards:todo")).context["page_obj"]]
    assert ids == [bureau_found.pk]
    client.logout()
    login(client, officer_a)
    ids = {h.pk for h in client.get(reverse("hazards:todo")).context["page_obj"]}
    assert ids == {self_found.pk}


def test_nav_renders_for_every_role(client, officer_a, county_bureau, county_admin):
    for user in (officer_a, county_bureau, county_admin):
        login(client, user)
        body = client.get(reverse("hazards:list")).content.decode()
        assert reverse("hazards:overdue") in body
        client.logout()


def test_evidence_missing_on_disk_gives_404(client, self_found, officer_a):
    evidence = hazard_add_evidence(
        hazard=self_found, by=officer_a, files=[cleaned_photo()], stage=EvidenceStage.BEFORE
    )[0]
    evidence.file.storage.delete(evidence.file.name)
    login(client, officer_a)
    assert client.get(evidence.get_absolute_url()).status_code == 404
    assert HazardEvidence.objects.count() == 1


def test_edit_over_someone_elses_newer_edit_is_refused(client, self_found, officer_a, hospital_a):
    colleague = OfficerFactory(username="colleague_a", hospital=hospital_a)
    client.force_login(officer_a)
    form = client.get(reverse("hazards:edit", args=[self_found.pk])).context["form"]
    version = form["version"].value()
    hazard_update(hazard=self_found, by=colleague, changes={"responsible_person": "王五"})
    response = client.post(
        reverse("hazards:edit", args=[self_found.pk]),
        {
            "location": self_found.location,
            "description": self_found.description,
            "category": self_found.category,
            "responsible_person": "张三",
            "version": version,
        },
    )
    assert response.status_code == 200
    assert "已被他人修改" in response.content.decode()
    self_found.refresh_from_db()
    assert self_found.responsible_person == "王五"
