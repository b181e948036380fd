from __future__ import annotations

import io

import pytest
from django.contrib.auth import password_validation
from django.core.management import call_command
from django.urls import reverse

from accounts.choices import Role
from accounts.demo import DEMO_PASSWORD, USERS
from accounts.models import User
from hospitals.demo import HOSPITALS, REGIONS
from hospitals.models import BureauDepartment, Hospital, MedicalConsortium, Region

pytestmark = pytest.mark.django_db

MODELS = (Region, BureauDepartment, MedicalConsortium, Hospital, User)


def counts() -> dict:
    return {model.__name__: model.objects.count() for model in MODELS}


def history_counts() -> dict:
    return {model.__name__: model.history.count() for model in (Region, Hospital, User)}


def test_hospitals_demo_is_idempotent_and_realistic(client):
    from accounts.demo import print_logins
    from accounts.demo import seed as seed_users
    from hospitals.demo import seed

    out = io.StringIO()
    from django.core.management.color import no_style

    seed(stdout=out, style=no_style())
    seed_users(stdout=out, style=no_style())
    first, first_history = counts(), history_counts()
    seed(stdout=out, style=no_style())
    seed_users(stdout=out, style=no_style())
    assert counts() == first
    assert history_counts() == first_history  # a re-run changes nothing at all
    assert first["Region"] == len(REGIONS)
    assert first["Hospital"] == len(HOSPITALS) >= 30
    counties = Region.objects.filter(level="county")
    assert counties.count() == 3
    assert all(county.hospitals.exists() for county in counties)
    for hospital in Hospital.objects.all():
        hospital.full_clean()  # valid credit code, private ones have an actual controller
    assert {h.level for h in Hospital.objects.all()} >= {"1", "2", "3"}
    assert {h.ownership for h in Hospital.objects.all()} == {"public", "private"}
    assert len({h.type for h in Hospital.objects.all()}) == 6
    assert not Hospital.objects.filter(linked_department__isnull=True).exists()

    for role in Role.values:
        assert User.objects.filter(role=role).exists()
    root = User.objects.get(username="root")
    assert root.is_superuser
    for username, *_rest in USERS:
        user = User.objects.get(username=username)
        user.full_clean()
        assert user.check_password(DEMO_PASSWORD)
        password_validation.validate_password(DEMO_PASSWORD, user)

    print_logins(stdout=out, style=no_style())
    assert "jjyy_officer" in out.getvalue() and DEMO_PASSWORD in out.getvalue()


def test_demo_logins_work_and_scopes_differ(client):
    from django.core.management.color import no_style

    from accounts.demo import seed as seed_users
    from hospitals.demo import seed

    seed(stdout=io.StringIO(), style=no_style())
    seed_users(stdout=io.StringIO(), style=no_style())
    client.post(reverse("login"), {"username": "jjyy_officer", "password": DEMO_PASSWORD})
    assert client.session["_auth_user_id"] == str(User.objects.get(username="jjyy_officer").pk)
    officer = User.objects.get(username="jjyy_officer")
    assert list(Hospital.objects.visible_to(officer)) == [officer.hospital]
    jj_bureau = User.objects.get(username="jj_bureau")
    assert {h.region.code for h in Hospital.objects.visible_to(jj_bureau)} == {"JJ"}
    admin = User.objects.get(username="admin")
    assert {h.region.code for h in Hospital.objects.visible_to(admin)} == {"QZ", "JJ", "NA", "HA"}


def test_seed_demo_command_runs_twice_without_duplicates():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    first = counts()
    call_command("seed_demo", stdout=out)
    assert counts() == first
    assert "admin" in out.getvalue()


def test_seed_demo_takes_a_size_and_the_full_demo_stays_the_default():
    from hospitals.demo_size import SIZES, demo_size
    from hospitals.management.commands.seed_demo import Command

    parser = Command().create_parser("manage.py", "seed_demo")
    assert parser.parse_args([]).size is None  # keeps the size in use: full outside tests
    assert parser.parse_args(["--size", "small"]).size == "small"
    assert demo_size() == SIZES["small"]  # tests build the small one (tests/conftest.py)
    full, small = SIZES["full"], SIZES["small"]
    assert full.inspection_months == 12 and small.inspection_months < full.inspection_months
    assert small.patrol_days < full.patrol_days
