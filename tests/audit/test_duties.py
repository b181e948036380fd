"""The three separated administrator duties (等保 8.1.4.2): the system administrator runs the
system, the security administrator manages accounts and roles, the audit administrator only
reads the audit log; no account holds two."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import User
from accounts.services import UserManagementError, user_save
from audit.choices import Action
from audit.recorder import audit_record
from core.errors import NotAllowed
from core.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("accounts:user_list")
CREATE = reverse("accounts:user_create")


def new_user(**extra):
    return {
        "username": "new_one",
        "full_name": "新用户",
        "phone": "13700000000",
        "email": "new@example.org",
        "password1": "Qz-safety-7319",
        "password2": "Qz-safety-7319",
        **extra,
    }


def test_security_admin_manages_their_regions_accounts(
    client, county_secadmin, officer_a, officer_b, county_bureau, hospital_a
):
    client.force_login(county_secadmin)
    listed = {u.username for u in client.get(LIST).context["page"].object_list}
    assert listed == {"county_secadmin", "officer_a", "county_bureau"}
    response = client.post(CREATE, new_user(role="officer", hospital=hospital_a.pk))
    assert response.status_code == 302
    assert User.objects.get(username="new_one").hospital == hospital_a
    # Another county's officer: 404.
    edit_b = reverse("accounts:user_edit", args=[officer_b.pk])
    assert client.get(edit_b).status_code == 404


def test_system_admin_cannot_manage_accounts_when_duties_are_separated(
    client, county_admin, officer_a, hospital_a
):
    client.force_login(county_admin)
    assert client.get(LIST).status_code == 403
    response = client.post(CREATE, new_user(role="officer", hospital=hospital_a.pk))
    assert response.status_code == 403
    assert not User.objects.filter(username="new_one").exists()
    with pytest.raises(NotAllowed):
        user_save(user=User(username="x", role="officer", hospital=hospital_a), by=county_admin)


def test_system_admin_manages_accounts_when_duties_are_combined(
    client, settings, county_admin, officer_a
):
    settings.ADMIN_DUTIES_SEPARATED = False
    client.force_login(county_admin)
    assert client.get(LIST).status_code == 200


def test_security_admin_cannot_grant_security_or_audit_duties(client, county_secadmin, county):
    client.force_login(county_secadmin)
    for role in (Role.SECADMIN, Role.AUDITOR):
        response = client.post(CREATE, new_user(role=role, region=county.pk))
        assert response.status_code == 200
        assert "role" in response.context["form"].errors
    assert not User.objects.filter(username="new_one").exists()
    with pytest.raises(NotAllowed):
        user_save(user=User(username="y", role=Role.AUDITOR, region=county), by=county_secadmin)


def test_security_admin_cannot_touch_an_auditor_account(client, county_secadmin, county_auditor):
    client.force_login(county_secadmin)
    for name in ("accounts:user_edit", "accounts:user_password"):
        assert client.get(reverse(name, args=[county_auditor.pk])).status_code == 404
    response = client.post(
        reverse("accounts:user_toggle_active", args=[county_auditor.pk]), {"active": "0"}
    )
    assert response.status_code == 404
    county_auditor.refresh_from_db()
    assert county_auditor.is_active


def test_nobody_changes_their_own_role(county_secadmin):
    me = User.objects.get(pk=county_secadmin.pk)
    me.role = Role.ADMIN
    with pytest.raises(UserManagementError):
        user_save(user=me, by=county_secadmin)
    county_secadmin.refresh_from_db()
    assert county_secadmin.role == Role.SECADMIN


def test_security_admin_edits_their_own_account(client, county_secadmin, county):
    client.force_login(county_secadmin)
    response = client.post(
        reverse("accounts:user_edit", args=[county_secadmin.pk]),
        {
            "username": "county_secadmin",
            "full_name": "新名字",
            "phone": "13700000001",
            "email": "sec@example.org",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    county_secadmin.refresh_from_db()
    assert county_secadmin.full_name == "新名字"
    assert county_secadmin.role == Role.SECADMIN and county_secadmin.region == county


def test_superuser_grants_the_duties(client, county):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    response = client.post(CREATE, new_user(role=Role.AUDITOR, region=county.pk))
    assert response.status_code == 302
    assert User.objects.get(username="new_one").is_audit_admin


def test_one_role_per_account_and_the_superuser_holds_none(county):
    """A single role field: two duties cannot be stored. The superuser is the break-glass
    system account: with a role it fails validation."""
    user = User(username="both", role=Role.AUDITOR, region=county, is_superuser=True)
    with pytest.raises(ValidationError) as error:
        user.full_clean()
    assert "role" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="nowhere", role=Role.AUDITOR)  # no region


def test_duty_roles_are_not_bureau_side(county_secadmin, county_auditor):
    for user in (county_secadmin, county_auditor):
        assert not user.is_bureau_side and not user.is_officer and user.has_separate_duty
    assert county_secadmin.is_security_admin and not county_secadmin.is_audit_admin
    assert county_auditor.is_audit_admin and not county_auditor.is_security_admin


@pytest.mark.parametrize(
    "name",
    ["hazards:list", "hospitals:list", "reports:list", "inspections:list", "notifications:list"],
)
def test_auditor_and_security_admin_see_no_records(
    client, name, county_auditor, county_secadmin, hospital_a
):
    for user in (county_auditor, county_secadmin):
        client.force_login(user)
        assert client.get(reverse(name)).status_code == 403, (user, name)


def test_auditor_lands_on_the_audit_log_and_security_admin_on_accounts(
    client, county_auditor, county_secadmin
):
    client.force_login(county_auditor)
    assert client.get(reverse("home"))["Location"] == reverse("audit:list")
    assert client.get(reverse("audit:list")).status_code == 200
    assert client.get(LIST).status_code == 403
    client.force_login(county_secadmin)
    assert client.get(reverse("my_work"))["Location"] == LIST
    assert client.get(reverse("audit:list")).status_code == 403
    # Both keep their own password page.
    assert client.get(reverse("password_change")).status_code == 200


def test_only_the_auditor_reads_the_audit_log(client, county_admin, county_bureau, officer_a):
    audit_record(Action.LOGIN, actor=officer_a)
    for user in (county_admin, county_bureau, officer_a):
        client.force_login(user)
        assert client.get(reverse("audit:list")).status_code == 403
        assert client.get(reverse("audit:export")).status_code == 403


def test_nav_shows_each_duty_its_own_page(client, county_auditor, county_secadmin):
    client.force_login(county_auditor)
    page = client.get(reverse("audit:list")).content.decode()
    assert reverse("audit:list") in page and reverse("hazards:list") not in page
    assert LIST not in page
    client.force_login(county_secadmin)
    page = client.get(LIST).content.decode()
    assert reverse("audit:list") not in page and reverse("hazards:list") not in page


def test_resetting_a_users_two_factor_login_is_the_security_administrators(
    client, county_secadmin, county_admin, officer_a
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=officer_a, name="phone", confirmed=True)
    url = reverse("accounts:user_two_factor_reset", args=[officer_a.pk])
    client.force_login(county_admin)
    assert client.post(url).status_code == 403
    assert TOTPDevice.objects.filter(user=officer_a).exists()
    client.force_login(county_secadmin)
    assert client.post(url).status_code == 302
    assert not TOTPDevice.objects.filter(user=officer_a).exists()
