from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hospitals.models import BureauDepartment, Hospital, MedicalConsortium, Region
from tests.factories import HospitalFactory, RegionFactory, make_credit_code

pytestmark = pytest.mark.django_db

LIST = reverse("hospitals:list")


def names_in(response) -> set[str]:
    return {hospital.name for hospital in response.context["page"].object_list}


def test_officer_sees_only_own_hospital_in_list_and_search(client, officer_a, hospital_b):
    client.force_login(officer_a)
    assert names_in(client.get(LIST)) == {"晋江市医院"}
    response = client.get(LIST, {"q": "南安"})
    assert names_in(response) == set()
    assert "南安市医院" not in response.content.decode()
    response = client.get(LIST, {"q": hospital_b.credit_code})
    assert names_in(response) == set()
    assert response.context["page"].paginator.count == 0


def test_officer_gets_404_on_other_hospital_page(client, officer_a, hospital_a, hospital_b):
    client.force_login(officer_a)
    assert client.get(reverse("hospitals:detail", args=[hospital_a.pk])).status_code == 200
    assert client.get(reverse("hospitals:detail", args=[hospital_b.pk])).status_code == 404


def test_county_bureau_sees_only_their_county(client, county_bureau, hospital_a, hospital_b):
    client.force_login(county_bureau)
    assert names_in(client.get(LIST)) == {"晋江市医院"}
    assert client.get(reverse("hospitals:detail", args=[hospital_b.pk])).status_code == 404


def test_city_bureau_sees_all_three_counties(client, city, county, other_county, city_bureau):
    third = RegionFactory(name="惠安县", code="HA", level="county", parent=city)
    for region in (county, other_county, third):
        HospitalFactory(name=f"{region.name}人民医院", region=region)
    client.force_login(city_bureau)
    assert names_in(client.get(LIST)) == {"晋江市人民医院", "南安市人民医院", "惠安县人民医院"}
    response = client.get(LIST, {"region": third.pk})
    assert names_in(response) == {"惠安县人民医院"}


def test_search_by_name_and_credit_code(client, city_bureau, hospital_a, hospital_b):
    client.force_login(city_bureau)
    assert names_in(client.get(LIST, {"q": "晋江市医"})) == {"晋江市医院"}
    assert names_in(client.get(LIST, {"q": hospital_b.credit_code.lower()})) == {"南安市医院"}


def test_filters_and_sorting(client, county, city_bureau):
    HospitalFactory(name="甲医院", region=county, level="3", ownership="public", beds_actual=10)
    HospitalFactory(
        name="乙医院",
        region=county,
        level="1",
        ownership="private",
        actual_controller="李四",
        demonstration="city",
        beds_actual=30,
        is_active=False,
    )
    client.force_login(city_bureau)
    assert names_in(client.get(LIST, {"level": "3"})) == {"甲医院"}
    assert names_in(client.get(LIST, {"ownership": "private"})) == {"乙医院"}
    assert names_in(client.get(LIST, {"demonstration": "any"})) == {"乙医院"}
    assert names_in(client.get(LIST, {"demonstration": "none"})) == {"甲医院"}
    assert names_in(client.get(LIST, {"is_active": "1"})) == {"甲医院"}
    ordered = [h.name for h in client.get(LIST, {"o": "-beds"}).context["page"].object_list]
    assert ordered == ["乙医院", "甲医院"]


def test_filter_choices_do_not_leak_other_regions(client, county_bureau, other_county):
    MedicalConsortium.objects.create(name="南安市医院医共体", region=other_county)
    client.force_login(county_bureau)
    body = client.get(LIST).content.decode()
    assert "南安市医院医共体" not in body
    assert "南安市" not in body


def test_hospital_list_query_count_is_constant(
    client, county, city_bureau, django_assert_num_queries
):
    """The same number of queries for a page of 20 and a page of 100 institutions (other
    apps' nav partials may add a constant number of their own)."""
    consortium = MedicalConsortium.objects.create(name="医共体甲", region=county)
    department = BureauDepartment.objects.create(name="医政科", region=county)
    HospitalFactory.create_batch(
        100, region=county, consortium=consortium, linked_department=department
    )
    client.force_login(city_bureau)
    client.get(LIST)  # warm up: session, content types
    with CaptureQueriesContext(connection) as small:
        response = client.get(LIST, {"per_page": 20})
    assert len(response.context["page"].object_list) == 20
    assert len(small) <= 12
    with django_assert_num_queries(len(small)):
        response = client.get(LIST, {"per_page": 100})
    assert len(response.context["page"].object_list) == 100


def test_officer_cannot_create_or_edit_registry(client, officer_a, hospital_a):
    client.force_login(officer_a)
    assert client.get(reverse("hospitals:create")).status_code == 403
    response = client.post(reverse("hospitals:edit", args=[hospital_a.pk]), {"name": "改名"})
    assert response.status_code == 403
    hospital_a.refresh_from_db()
    assert hospital_a.name == "晋江市医院"


def test_bureau_staff_cannot_edit_registry(client, county_bureau, hospital_a):
    client.force_login(county_bureau)
    assert client.get(reverse("hospitals:edit", args=[hospital_a.pk])).status_code == 403
    assert client.get(reverse("hospitals:import")).status_code == 403
    assert client.get(reverse("hospitals:region_list")).status_code == 403


def hospital_form_data(region, **overrides):
    data = {
        "name": "晋江市第五医院",
        "credit_code": make_credit_code(77, "350582").lower(),
        "level": "2",
        "type": "general",
        "ownership": "public",
        "region": region.pk,
        "address": "福建省晋江市",
        "beds_authorized": 100,
        "beds_actual": 90,
        "on_duty_staff": 120,
        "daily_outpatients": 400,
        "legal_representative": "王五",
        "demonstration": "",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_admin_creates_hospital_in_own_region(client, county_admin, county):
    client.force_login(county_admin)
    response = client.post(reverse("hospitals:create"), hospital_form_data(county))
    hospital = Hospital.objects.get(name="晋江市第五医院")
    assert response.status_code == 302
    assert hospital.credit_code == make_credit_code(77, "350582")  # upper-cased
    assert hospital.history.first().history_user == county_admin


def test_admin_cannot_place_hospital_outside_region(client, county_admin, other_county):
    client.force_login(county_admin)
    response = client.post(reverse("hospitals:create"), hospital_form_data(other_county))
    assert response.status_code == 200
    assert "region" in response.context["form"].errors
    assert not Hospital.objects.filter(name="晋江市第五医院").exists()


def test_admin_gets_404_editing_other_region_hospital(client, county_admin, hospital_b):
    client.force_login(county_admin)
    url = reverse("hospitals:edit", args=[hospital_b.pk])
    assert client.get(url).status_code == 404
    response = client.post(url, hospital_form_data(hospital_b.region, name="改名"))
    assert response.status_code == 404
    hospital_b.refresh_from_db()
    assert hospital_b.name == "南安市医院"


def test_create_rejects_bad_credit_code_and_negative_counts(client, county_admin, county):
    client.force_login(county_admin)
    code = make_credit_code(77, "350582")
    bad = code[:17] + ("0" if code[17] != "0" else "1")
    response = client.post(
        reverse("hospitals:create"), hospital_form_data(county, credit_code=bad, beds_actual=-1)
    )
    errors = response.context["form"].errors
    assert "credit_code" in errors and "beds_actual" in errors
    assert not Hospital.objects.filter(name="晋江市第五医院").exists()


def test_private_hospital_requires_actual_controller(client, county_admin, county):
    client.force_login(county_admin)
    response = client.post(
        reverse("hospitals:create"), hospital_form_data(county, ownership="private")
    )
    assert "actual_controller" in response.context["form"].errors


def test_detail_page_shows_fields_and_history(client, city_admin, hospital_a, officer_a):
    client.force_login(city_admin)
    client.post(
        reverse("hospitals:edit", args=[hospital_a.pk]),
        hospital_form_data(
            hospital_a.region,
            name=hospital_a.name,
            credit_code=hospital_a.credit_code,
            beds_actual=999,
        ),
    )
    body = client.get(reverse("hospitals:detail", args=[hospital_a.pk])).content.decode()
    assert hospital_a.credit_code in body
    assert "999" in body
    assert officer_a.username in body
    assert "实有床位" in body  # the changed field is named in the history


def test_admin_edits_region_settings(client, county_admin, county):
    client.force_login(county_admin)
    response = client.post(
        reverse("hospitals:region_edit", args=[county.pk]),
        {
            "name": county.name,
            "code": "jj",
            "self_inspection_day": 10,
            "linked_inspection_day": "",
            "inspection_reminder_days": "1,3",
            "hazard_reminder_days": "",
            "overdue_repeat_days": "",
            "security_reminder_days": "",
        },
    )
    assert response.status_code == 302
    county.refresh_from_db()
    assert county.setting("self_inspection_day") == 10
    assert county.setting("linked_inspection_day") == 26
    assert county.inspection_reminder_days == "3,1"
    assert county.code == "JJ"


def test_region_settings_reject_bad_offsets(client, county_admin, county):
    client.force_login(county_admin)
    response = client.post(
        reverse("hospitals:region_edit", args=[county.pk]),
        {"name": county.name, "code": "JJ", "hazard_reminder_days": "三天"},
    )
    assert "hazard_reminder_days" in response.context["form"].errors


def test_admin_cannot_edit_region_outside_scope(client, county_admin, other_county, city):
    client.force_login(county_admin)
    assert client.get(reverse("hospitals:region_edit", args=[other_county.pk])).status_code == 404
    assert client.get(reverse("hospitals:region_edit", args=[city.pk])).status_code == 404


def test_region_list_shows_inherited_settings(client, city_admin, city, county):
    Region.objects.filter(pk=city.pk).update(self_inspection_day=12)
    client.force_login(city_admin)
    regions = {r.pk: r for r in client.get(reverse("hospitals:region_list")).context["regions"]}
    assert regions[county.pk].effective["self_inspection_day"][0] == 12
    assert regions[county.pk].effective["self_inspection_day"][1] == city
    assert regions[city.pk].effective["linked_inspection_day"] == (26, "default")


def test_admin_creates_child_region(client, city_admin, city):
    client.force_login(city_admin)
    response = client.post(
        reverse("hospitals:region_create"),
        {"parent": city.pk, "name": "鲤城区", "code": "lc", "level": "county"},
    )
    assert response.status_code == 302
    region = Region.objects.get(code="LC")
    assert region.path == f"{city.path}{region.pk}/"


def test_department_links_hospitals(client, county_admin, county, hospital_a, hospital_b):
    client.force_login(county_admin)
    response = client.post(
        reverse("hospitals:department_create"),
        {"region": county.pk, "name": "医政科", "hospitals": [hospital_a.pk]},
    )
    assert response.status_code == 302
    department = BureauDepartment.objects.get(name="医政科")
    hospital_a.refresh_from_db()
    assert hospital_a.linked_department == department
    # unlinking
    client.post(
        reverse("hospitals:department_edit", args=[department.pk]),
        {"region": county.pk, "name": "医政科"},
    )
    hospital_a.refresh_from_db()
    assert hospital_a.linked_department is None


def test_department_cannot_link_hospital_outside_scope(client, county_admin, county, hospital_b):
    client.force_login(county_admin)
    response = client.post(
        reverse("hospitals:department_create"),
        {"region": county.pk, "name": "医政科", "hospitals": [hospital_b.pk]},
    )
    assert response.status_code == 200
    assert "hospitals" in response.context["form"].errors
    hospital_b.refresh_from_db()
    assert hospital_b.linked_department is None


def test_officer_detail_page_renders_nav(client, officer_a, hospital_a):
    client.force_login(officer_a)
    body = client.get(reverse("home")).content.decode()
    assert reverse("hospitals:detail", args=[hospital_a.pk]) in body


def test_export_applies_scope_and_filters(client, county_bureau, hospital_a, hospital_b, county):
    import io

    from openpyxl import load_workbook

    HospitalFactory(name="晋江市一级卫生院", region=county, level="1")
    client.force_login(county_bureau)
    response = client.get(reverse("hospitals:export"), {"level": "3"})
    assert response.status_code == 200
    rows = list(
        load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True)
    )
    names = {row[0] for row in rows}
    assert "晋江市医院" in names
    assert "南安市医院" not in names
    assert "晋江市一级卫生院" not in names
    assert any(row[1] == hospital_a.credit_code and row[2] == "三级" for row in rows)


def test_officer_updates_own_contacts_only(client, officer_a, hospital_a, hospital_b):
    client.force_login(officer_a)
    data = {
        "security_head": "新主任",
        "security_head_phone": "13900000000",
        "contact_person": "联系人甲",
        "contact_phone": "0595-1234567",
        "name": "企图改名",
    }
    response = client.post(reverse("hospitals:contacts", args=[hospital_a.pk]), data)
    assert response.status_code == 302
    hospital_a.refresh_from_db()
    assert hospital_a.security_head == "新主任"
    assert hospital_a.name == "晋江市医院"  # only contact fields are editable here
    response = client.post(reverse("hospitals:contacts", args=[hospital_b.pk]), data)
    assert response.status_code == 404
    hospital_b.refresh_from_db()
    assert hospital_b.security_head != "新主任"


def test_bureau_staff_cannot_update_contacts(client, county_bureau, hospital_a):
    client.force_login(county_bureau)
    assert client.get(reverse("hospitals:contacts", args=[hospital_a.pk])).status_code == 403
