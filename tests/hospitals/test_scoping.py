from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from hospitals.models import BureauDepartment, Hospital, MedicalConsortium, Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned(county, other_county, city):
    return {
        "county_dept": BureauDepartment.objects.create(region=county, name="医政科"),
        "other_dept": BureauDepartment.objects.create(region=other_county, name="医政股"),
        "city_dept": BureauDepartment.objects.create(region=city, name="医政医管科"),
        "county_mc": MedicalConsortium.objects.create(region=county, name="晋江市医院医共体"),
        "other_mc": MedicalConsortium.objects.create(region=other_county, name="南安市医院医共体"),
    }


def test_departments_and_consortia_follow_region_scope(
    owned, county_bureau, city_bureau, officer_a
):
    assert set(BureauDepartment.objects.visible_to(county_bureau)) == {owned["county_dept"]}
    assert set(BureauDepartment.objects.visible_to(city_bureau)) == {
        owned["county_dept"],
        owned["other_dept"],
        owned["city_dept"],
    }
    assert set(MedicalConsortium.objects.visible_to(county_bureau)) == {owned["county_mc"]}
    # an officer's region is their hospital's
    assert set(BureauDepartment.objects.visible_to(officer_a)) == {owned["county_dept"]}


def test_nobody_else_sees_anything(owned, hospital_a, officer_a):
    officer_a.is_active = False
    for user in (AnonymousUser(), officer_a):
        assert not Hospital.objects.visible_to(user).exists()
        assert not Region.objects.visible_to(user).exists()
        assert not BureauDepartment.objects.visible_to(user).exists()


def test_superuser_sees_everything(owned, hospital_a, hospital_b, django_user_model):
    root = django_user_model.objects.create_superuser("root_scope", "r@example.org", "x-Root-2026")
    assert Hospital.objects.visible_to(root).count() == 2
    assert BureauDepartment.objects.visible_to(root).count() == 3


def test_county_path_prefix_does_not_leak_to_sibling_ids(city):
    """Region 1's path "/1/" must not match region 12's "/12/" (prefix on whole segments)."""
    regions = [
        Region.objects.create(name=f"县{i}", code=f"X{i}", level="county", parent=city)
        for i in range(12)
    ]
    from tests.factories import BureauUserFactory, HospitalFactory

    for region in regions:
        HospitalFactory(region=region, name=f"{region.name}医院")
    first = regions[0]
    user = BureauUserFactory(region=first)
    assert {h.name for h in Hospital.objects.visible_to(user)} == {f"{first.name}医院"}
