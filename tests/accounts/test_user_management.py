from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import User
from hospitals.models import BureauDepartment
from tests.factories import DEFAULT_PASSWORD, OfficerFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("accounts:user_list")
CREATE = reverse("accounts:user_create")
NEW_PASSWORD = "Qz-safety-7319"


def usernames(response) -> set[str]:
    return {user.username for user in response.context["page"].object_list}


def test_bureau_staff_and_officers_cannot_manage_users(client, county_bureau, officer_a):
    for user in (county_bureau, officer_a):
        client.force_login(user)
        assert client.get(LIST).status_code == 403
        assert client.get(CREATE).status_code == 403
        assert client.post(CREATE, {"username": "x"}).status_code == 403
        assert client.get(reverse("accounts:user_edit", args=[user.pk])).status_code == 403
    assert not User.objects.filter(username="x").exists()


def test_county_admin_lists_only_their_region(
    client, county_admin, officer_a, officer_b, county_bureau, other_county_bureau, city_bureau
):
    client.force_login(county_admin)
    assert usernames(client.get(LIST)) == {"county_admin", "officer_a", "county_bureau"}
    assert usernames(client.get(LIST, {"q": "officer"})) == {"officer_a"}


def test_city_admin_lists_all_counties(client, city_admin, officer_a, officer_b, county_bureau):
    client.force_login(city_admin)
    assert {"officer_a", "officer_b", "county_bureau", "city_admin"} <= usernames(client.get(LIST))


def test_admin_gets_404_for_users_outside_region(client, county_admin, officer_b):
    client.force_login(county_admin)
    for name in ("accounts:user_edit", "accounts:user_password"):
        assert client.get(reverse(name, args=[officer_b.pk])).status_code == 404
    response = client.post(
        reverse("accounts:user_toggle_active", args=[officer_b.pk]), {"active": "0"}
    )
    assert response.status_code == 404
    officer_b.refresh_from_db()
    assert officer_b.is_active


def test_admin_cannot_touch_superuser(client, county_admin, county):
    root = UserFactory(
        username="root2", is_superuser=True, is_staff=True, role="admin", region=county
    )
    client.force_login(county_admin)
    assert client.get(reverse("accounts:user_password", args=[root.pk])).status_code == 404


def test_admin_creates_officer_with_validated_password(client, county_admin, hospital_a):
    client.force_login(county_admin)
    data = {
        "username": "new_officer",
        "full_name": "新管理员",
        "role": "officer",
        "hospital": hospital_a.pk,
        "password1": "123",
        "password2": "123",
    }
    response = client.post(CREATE, data)
    assert response.status_code == 200
    assert "password2" in response.context["form"].errors
    assert not User.objects.filter(username="new_officer").exists()
    data.update(password1=NEW_PASSWORD, password2=NEW_PASSWORD)
    assert client.post(CREATE, data).status_code == 302
    user = User.objects.get(username="new_officer")
    assert user.hospital == hospital_a and user.region is None
    assert user.check_password(NEW_PASSWORD)
    assert user.history.first().history_user == county_admin


def test_admin_cannot_create_user_in_other_region(client, county_admin, hospital_b, other_county):
    client.force_login(county_admin)
    base = {"full_name": "越权", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    response = client.post(
        CREATE, {**base, "username": "x1", "role": "officer", "hospital": hospital_b.pk}
    )
    assert "hospital" in response.context["form"].errors
    response = client.post(
        CREATE, {**base, "username": "x2", "role": "bureau", "region": other_county.pk}
    )
    assert "region" in response.context["form"].errors
    assert not User.objects.filter(username__in=["x1", "x2"]).exists()


def test_role_binding_is_required(client, county_admin, county):
    client.force_login(county_admin)
    response = client.post(
        CREATE,
        {
            "username": "no_hospital",
            "full_name": "甲",
            "role": "officer",
            "region": county.pk,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert "hospital" in response.context["form"].errors
    assert not User.objects.filter(username="no_hospital").exists()


def test_bureau_user_gets_department_of_their_region(client, county_admin, county, city):
    department = BureauDepartment.objects.create(region=county, name="医政科")
    client.force_login(county_admin)
    response = client.post(
        CREATE,
        {
            "username": "jj_yz",
            "full_name": "林",
            "role": "bureau",
            "region": county.pk,
            "department": department.pk,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="jj_yz").department == department


def test_edit_user_changes_role(client, county_admin, officer_a, county):
    client.force_login(county_admin)
    response = client.post(
        reverse("accounts:user_edit", args=[officer_a.pk]),
        {"username": "officer_a", "full_name": "改为局员", "role": "bureau", "region": county.pk},
    )
    assert response.status_code == 302
    officer_a.refresh_from_db()
    assert officer_a.role == "bureau" and officer_a.hospital is None and officer_a.region == county


def test_admin_cannot_change_own_role(client, county_admin, county):
    client.force_login(county_admin)
    client.post(
        reverse("accounts:user_edit", args=[county_admin.pk]),
        {"username": "county_admin", "full_name": "我", "role": "bureau", "region": county.pk},
    )
    county_admin.refresh_from_db()
    assert county_admin.role == "admin"
    assert county_admin.full_name == "我"


def test_deactivate_and_reactivate(client, county_admin, officer_a):
    url = reverse("accounts:user_toggle_active", args=[officer_a.pk])
    client.force_login(county_admin)
    client.post(url, {"active": "0"})
    officer_a.refresh_from_db()
    assert not officer_a.is_active
    # a deactivated user cannot log in
    other = client.__class__()
    other.post(reverse("login"), {"username": "officer_a", "password": DEFAULT_PASSWORD})
    assert "_auth_user_id" not in other.session
    client.post(url, {"active": "1"})
    officer_a.refresh_from_db()
    assert officer_a.is_active


def test_admin_cannot_deactivate_self(client, county_admin):
    client.force_login(county_admin)
    client.post(reverse("accounts:user_toggle_active", args=[county_admin.pk]), {"active": "0"})
    county_admin.refresh_from_db()
    assert county_admin.is_active


def test_toggle_requires_post(client, county_admin, officer_a):
    client.force_login(county_admin)
    response = client.get(reverse("accounts:user_toggle_active", args=[officer_a.pk]))
    assert response.status_code == 405


def test_admin_resets_password(client, county_admin, officer_a):
    client.force_login(county_admin)
    url = reverse("accounts:user_password", args=[officer_a.pk])
    response = client.post(url, {"new_password1": "short", "new_password2": "short"})
    assert response.status_code == 200
    officer_a.refresh_from_db()
    assert officer_a.check_password(DEFAULT_PASSWORD)
    response = client.post(url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    officer_a.refresh_from_db()
    assert officer_a.check_password(NEW_PASSWORD)


def test_user_list_query_count_is_constant(
    client, county_admin, hospital_a, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    OfficerFactory.create_batch(100, hospital=hospital_a)
    client.force_login(county_admin)
    client.get(LIST)
    with CaptureQueriesContext(connection) as small:
        client.get(LIST, {"per_page": 20})
    with django_assert_num_queries(len(small)):
        response = client.get(LIST, {"per_page": 100})
    assert len(response.context["page"].object_list) == 100


def test_admin_nav_shows_user_management(client, county_admin, county_bureau):
    client.force_login(county_admin)
    assert LIST in client.get(reverse("home")).content.decode()
    client.force_login(county_bureau)
    assert LIST not in client.get(reverse("home")).content.decode()


def test_city_admin_filters_users_by_county(
    client, city_admin, county, officer_a, officer_b, county_bureau
):
    client.force_login(city_admin)
    response = client.get(LIST, {"region": county.pk})
    assert usernames(response) == {"officer_a", "county_bureau"}
    assert usernames(client.get(LIST, {"role": "officer"})) == {"officer_a", "officer_b"}
