from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from hazards.choices import Category
from inspections.checklist_seed import SECURITY_4N_CODE
from inspections.models import ChecklistItem, ChecklistTemplate
from inspections.selectors import template_in_force
from inspections.services import TemplateLockedError, template_copy, template_edit

from .factories import started

pytestmark = pytest.mark.django_db


def test_seed_checklist_has_seven_domains_with_12_7_4_6_3_6_4_items(safety_template):
    sections = list(safety_template.sections.order_by("order"))
    assert [s.items.count() for s in sections] == [12, 7, 4, 6, 3, 6, 4]
    assert safety_template.items.count() == 42
    assert [s.title for s in sections] == [
        "消防安全",
        "后勤安全",
        "危化品安全",
        "特种设备安全",
        "医疗安全",
        "安保队伍力量",
        "安全教育培训",
    ]
    assert [s.category for s in sections] == [
        Category.FIRE,
        Category.LOGISTICS,
        Category.HAZMAT,
        Category.SPECIAL_EQUIPMENT,
        Category.MEDICAL,
        Category.SECURITY,
        Category.TRAINING,
    ]
    fire_05 = safety_template.items.get(code="FIRE-05")
    assert "消防通道畅通" in fire_05.text
    assert "病区通道无加床堵塞现象" in fire_05.guidance


def test_migration_installs_the_4n_security_checklist(safety_template):
    template = ChecklistTemplate.objects.get(code=SECURITY_4N_CODE, version=1)
    assert "4+N" in template.name
    assert template.items.count() == 18
    assert template.items.filter(text__contains="安检门").exists()


def test_copy_creates_inactive_next_version_with_same_item_codes(safety_template, county_admin):
    new = template_copy(template=safety_template, by=county_admin)
    assert new.version == 2
    assert not new.is_active
    assert new.region == county_admin.region
    assert sorted(new.items.values_list("code", flat=True)) == sorted(
        safety_template.items.values_list("code", flat=True)
    )
    assert new.sections.count() == 7


def test_new_version_does_not_alter_a_past_inspection(
    safety_template, officer_a, hospital_a, county_admin, client
):
    inspection = started(officer_a, hospital_a)
    old_text = safety_template.items.get(code="FIRE-05").text

    new = template_copy(template=safety_template, by=county_admin)
    item = new.items.get(code="FIRE-05")
    item.text = "消防通道畅通(2026版新表述)"
    template_edit(template=new, by=county_admin, apply=item.save)

    answer = inspection.answers.get(item__code="FIRE-05")
    assert answer.item.template_id == safety_template.pk
    assert answer.item.text == old_text
    client.force_login(officer_a)
    page = client.get(reverse("inspections:detail", args=[inspection.pk])).content.decode()
    assert old_text in page
    assert "2026版新表述" not in page


def test_editing_a_used_version_is_refused_with_a_message(
    safety_template, officer_a, hospital_a, county_admin, client
):
    started(officer_a, hospital_a)
    # An admin of the same region owns a used copy: simulate by using the county's own version.
    own = template_copy(template=safety_template, by=county_admin)
    own.is_active = True
    own.effective_from = dt.date(2020, 1, 1)
    own.save()
    started(officer_a, hospital_a, template=own)
    item = own.items.get(code="FIRE-01")

    with pytest.raises(TemplateLockedError):
        template_edit(template=own, by=county_admin, apply=lambda: None)

    client.force_login(county_admin)
    url = reverse("inspections:item_edit", args=[own.pk, item.pk])
    response = client.post(
        url,
        {
            "section": item.section_id,
            "code": "FIRE-01",
            "order": 1,
            "text": "改过的文字",
            "guidance": "",
            "category": "fire",
            "default_risk_level": "general",
        },
        follow=True,
    )
    item.refresh_from_db()
    assert item.text != "改过的文字"
    assert "不能修改" in response.content.decode()


def test_admin_edits_an_unused_copy_in_the_browser(safety_template, county_admin, client):
    client.force_login(county_admin)
    response = client.post(reverse("inspections:template_copy", args=[safety_template.pk]))
    new = ChecklistTemplate.objects.get(code=safety_template.code, version=2)
    assert response.status_code == 302
    item = new.items.get(code="FIRE-02")
    response = client.post(
        reverse("inspections:item_edit", args=[new.pk, item.pk]),
        {
            "section": item.section_id,
            "code": "FIRE-02",
            "order": 2,
            "text": "消防泵自动启动测试正常",
            "guidance": "",
            "category": "fire",
            "default_risk_level": "major",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.text == "消防泵自动启动测试正常"
    # A duplicate code inside one version is refused.
    response = client.post(
        reverse("inspections:item_new", args=[new.pk]),
        {
            "section": item.section_id,
            "code": "fire-02",
            "order": 13,
            "text": "重复",
            "category": "fire",
            "default_risk_level": "general",
        },
    )
    assert response.status_code == 200
    assert "已有编码为 FIRE-02" in response.content.decode()
    client.post(reverse("inspections:template_toggle", args=[new.pk]), {"active": "1"})
    new.refresh_from_db()
    assert new.is_active


def test_officer_cannot_edit_templates(safety_template, officer_a, client):
    client.force_login(officer_a)
    response = client.post(reverse("inspections:template_copy", args=[safety_template.pk]))
    assert response.status_code == 403
    assert ChecklistTemplate.objects.filter(code=safety_template.code).count() == 1
    assert (
        client.get(reverse("inspections:template_detail", args=[safety_template.pk])).status_code
        == 200
    )


def test_template_in_force_prefers_region_version_once_effective(
    safety_template, hospital_a, hospital_b, county_admin
):
    new = template_copy(template=safety_template, by=county_admin)
    new.is_active = True
    new.effective_from = dt.date(2026, 3, 1)
    new.save()
    assert template_in_force(hospital_a, on=dt.date(2026, 2, 28)) == safety_template
    assert template_in_force(hospital_a, on=dt.date(2026, 3, 1)) == new
    # Another county keeps the general version.
    assert template_in_force(hospital_b, on=dt.date(2026, 3, 1)) == safety_template


def test_item_codes_are_unique_per_version(safety_template):
    assert (
        ChecklistItem.objects.filter(template=safety_template).values("code").distinct().count()
        == 42
    )


def test_a_county_version_cannot_be_used_in_another_county(
    safety_template, county_admin, officer_b, hospital_b
):
    from inspections.services import InspectionError, inspection_start

    own = template_copy(template=safety_template, by=county_admin)
    own.is_active = True
    own.save()
    with pytest.raises(InspectionError):
        inspection_start(by=officer_b, hospital=hospital_b, kind="self", template=own)


def test_unused_copy_can_be_deleted_but_a_used_version_cannot(
    safety_template, county_admin, officer_a, hospital_a, client
):
    copy = template_copy(template=safety_template, by=county_admin)
    client.force_login(county_admin)
    url = reverse("inspections:template_delete", args=[copy.pk])
    asked = client.post(url)  # without the confirmation: the question, nothing deleted
    assert asked.status_code == 200
    assert 'name="confirm" value="1"' in asked.content.decode()
    assert ChecklistTemplate.objects.filter(pk=copy.pk).exists()
    assert client.post(url, {"confirm": "1"}).status_code == 302
    assert not ChecklistTemplate.objects.filter(pk=copy.pk).exists()

    used = template_copy(template=safety_template, by=county_admin)
    used.is_active = True
    used.effective_from = dt.date(2020, 1, 1)
    used.save()
    started(officer_a, hospital_a, template=used)
    response = client.post(
        reverse("inspections:template_delete", args=[used.pk]), {"confirm": "1"}, follow=True
    )
    assert ChecklistTemplate.objects.filter(pk=used.pk).exists()
    assert "不能修改" in response.content.decode()
