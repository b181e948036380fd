"""Password policy (等保 8.1.4.1 a): length ≥ 8, three of four character classes, a maximum
age, and a forced change after an administrator set the password."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.password_validation import (
    password_validators_help_texts,
    validate_password,
)
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.passwords import CharacterClassesValidator, character_classes
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
CHANGE = reverse("password_change")
HOME = reverse("my_work")


def test_character_classes_are_counted():
    assert character_classes("abc") == 1
    assert character_classes("abcDEF") == 2
    assert character_classes("abcDEF1") == 3
    assert character_classes("abcDEF1!") == 4
    assert character_classes("密码abc1") == 3  # a Chinese character counts as a symbol


@pytest.mark.parametrize(
    "password, error",
    [
        ("Ab1!", "至少需要 8 个字符"),
        ("abcdefgh12", "至少 3 类"),
        ("ABCDEFGHIJ!", "至少 3 类"),
    ],
)
def test_weak_passwords_are_refused_with_a_translated_reason(password, error):
    with pytest.raises(ValidationError) as info:
        validate_password(password)
    assert any(error in message for message in info.value.messages)


def test_strong_passwords_pass():
    validate_password("Harbour-lights-7")
    validate_password("quiet7river!")  # lower + digit + symbol


def test_settings_change_the_rules():
    with override_settings(
        AUTH_PASSWORD_VALIDATORS=[
            {
                "NAME": "accounts.passwords.CharacterClassesValidator",
                "OPTIONS": {"min_classes": 4},
            }
        ]
    ):
        with pytest.raises(ValidationError):
            validate_password("Harbour7lights")
    assert "3 类" in CharacterClassesValidator(3).get_help_text()


def test_the_change_form_shows_the_rules(client, officer_a):
    client.force_login(officer_a)
    body = client.get(CHANGE).content.decode()
    assert "至少 8 个字符" in body
    assert "四类中的至少 3 类" in body
    assert any("3 类" in text for text in password_validators_help_texts())


def test_changing_the_password_records_when(client, officer_a):
    client.force_login(officer_a)
    before = timezone.now()
    response = client.post(
        CHANGE,
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": "Quiet-river-88",
            "new_password2": "Quiet-river-88",
        },
    )
    assert response.status_code == 302
    officer_a.refresh_from_db()
    assert officer_a.password_changed_at >= before
    assert officer_a.check_password("Quiet-river-88")


def test_the_same_password_again_is_refused(client, officer_a):
    client.force_login(officer_a)
    response = client.post(
        CHANGE,
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": DEFAULT_PASSWORD,
            "new_password2": DEFAULT_PASSWORD,
        },
    )
    assert "新密码不能与当前密码相同" in response.content.decode()


@override_settings(PASSWORD_MAX_AGE_DAYS=90)
def test_an_old_password_must_be_changed_before_anything_else(client, officer_a):
    officer_a.password_changed_at = timezone.now() - dt.timedelta(days=91)
    officer_a.save(update_fields=["password_changed_at"])
    client.force_login(officer_a)
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"] == CHANGE
    page = client.get(CHANGE)
    assert "超过 90 天未修改" in page.content.decode()
    # Logging out stays possible.
    assert client.post(reverse("logout")).status_code == 302
    client.force_login(officer_a)
    client.post(
        CHANGE,
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": "Quiet-river-88",
            "new_password2": "Quiet-river-88",
        },
    )
    assert client.get(HOME).status_code == 200


@override_settings(PASSWORD_MAX_AGE_DAYS=90)
def test_a_password_within_its_age_is_left_alone(client, officer_a):
    officer_a.password_changed_at = timezone.now() - dt.timedelta(days=89)
    officer_a.save(update_fields=["password_changed_at"])
    client.force_login(officer_a)
    assert client.get(HOME).status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(days=2)):
        client.force_login(officer_a)
        assert client.get(HOME)["Location"] == CHANGE


def test_max_age_zero_means_never(client, officer_a, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 0
    officer_a.password_changed_at = timezone.now() - dt.timedelta(days=3650)
    officer_a.save(update_fields=["password_changed_at"])
    client.force_login(officer_a)
    assert client.get(HOME).status_code == 200


def test_after_an_administrator_reset_the_user_must_change_it(client, county_admin, officer_a):
    client.force_login(county_admin)
    client.post(
        reverse("accounts:user_password", args=[officer_a.pk]),
        {"new_password1": "Temp-Pass-2026!", "new_password2": "Temp-Pass-2026!"},
    )
    officer_a.refresh_from_db()
    assert officer_a.must_change_password
    client.logout()
    response = client.post(LOGIN, {"username": officer_a.username, "password": "Temp-Pass-2026!"})
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response["Location"] == CHANGE
    assert "管理员为您设置了密码" in client.get(CHANGE).content.decode()
    response = client.post(
        CHANGE,
        {
            "old_password": "Temp-Pass-2026!",
            "new_password1": "Own-secret-2026",
            "new_password2": "Own-secret-2026",
        },
    )
    assert response.status_code == 302
    officer_a.refresh_from_db()
    assert not officer_a.must_change_password
    assert client.get(HOME).status_code == 200


def test_a_user_created_by_an_administrator_must_change_the_initial_password(
    client, county_admin, hospital_a
):
    from accounts.models import User

    client.force_login(county_admin)
    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "new_officer",
            "full_name": "新安全员",
            "role": "officer",
            "hospital": hospital_a.pk,
            "phone": "13700000000",
            "email": "n@example.org",
            "password1": "Initial-Pass-26",
            "password2": "Initial-Pass-26",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="new_officer")
    assert user.must_change_password and user.password_changed_at is not None
    assert user.phone == "13700000000"


def test_weak_password_refused_on_the_admin_reset_form(client, county_admin, officer_a):
    client.force_login(county_admin)
    response = client.post(
        reverse("accounts:user_password", args=[officer_a.pk]),
        {"new_password1": "abcdefgh12", "new_password2": "abcdefgh12"},
    )
    assert response.status_code == 200
    assert "至少 3 类" in response.content.decode()
    officer_a.refresh_from_db()
    assert not officer_a.must_change_password
