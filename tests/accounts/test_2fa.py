"""Two-factor login (等保 8.1.4.1 d): TOTP authenticator + recovery codes, required for
administrators (TWO_FACTOR_REQUIRED="admins"), everyone ("all") or nobody ("off")."""

from __future__ import annotations

import re
import time

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import twofactor
from core.errors import NotAllowed
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
VERIFY = reverse("accounts:two_factor_verify")
SETUP = reverse("accounts:two_factor_setup")
SECURITY = reverse("accounts:security")
HOME = reverse("my_work")


def code_for(key_hex: str, at: float | None = None) -> str:
    totp = TOTP(bytes.fromhex(key_hex), step=30, t0=0, digits=6, drift=0)
    totp.time = at if at is not None else time.time()
    return f"{totp.token():06d}"


def device_for(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def log_in(client, user):
    response = client.post(LOGIN, {"username": user.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def verified(client) -> bool:
    return any(key.startswith("otp_device_id") for key in client.session.keys())


def test_the_rule_names_administrators(county_admin, officer_a, settings):
    staff = UserFactory(is_staff=True)
    settings.TWO_FACTOR_REQUIRED = "admins"
    assert twofactor.requires_two_factor(county_admin)
    assert twofactor.requires_two_factor(staff)
    assert not twofactor.requires_two_factor(officer_a)
    officer_a.role = "auditor"  # the separated administrator duties count too
    assert twofactor.requires_two_factor(officer_a)
    settings.TWO_FACTOR_REQUIRED = "all"
    assert twofactor.requires_two_factor(UserFactory())
    settings.TWO_FACTOR_REQUIRED = "off"
    assert not twofactor.requires_two_factor(county_admin)


@override_settings(TWO_FACTOR_REQUIRED="admins")
def test_administrator_without_device_must_enrol_then_gets_ten_recovery_codes(client, county_admin):
    log_in(client, county_admin)
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"].startswith(SETUP)
    # Every page but the way out leads there.
    assert client.get(reverse("hospitals:list"))["Location"].startswith(SETUP)
    page = client.get(SETUP)
    body = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in body
    assert "style=" not in body.split("<main", 1)[-1]
    key = client.session["two_factor_setup_key"]
    assert twofactor.secret_text(key) in body
    # A wrong code is refused with a message, nothing is stored.
    wrong = client.post(SETUP, {"code": "000000" if code_for(key) != "000000" else "111111"})
    assert "验证码不正确" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=county_admin).exists()
    done = client.post(SETUP, {"code": code_for(key), "next": HOME})
    assert done.status_code == 200
    codes = re.findall(r"<li class=\"col\">([a-z0-9]{5}-[a-z0-9]{5})</li>", done.content.decode())
    assert len(codes) == 10
    assert TOTPDevice.objects.get(user=county_admin).confirmed
    assert verified(client)
    assert client.get(HOME).status_code == 200


@override_settings(TWO_FACTOR_REQUIRED="admins")
def test_officer_is_not_asked_when_only_administrators_must(client, officer_a):
    log_in(client, officer_a)
    assert client.get(HOME).status_code == 200


@override_settings(TWO_FACTOR_REQUIRED="all")
def test_everyone_must_enrol_when_all(client, officer_a):
    log_in(client, officer_a)
    assert client.get(HOME)["Location"].startswith(SETUP)


def test_user_with_a_device_is_asked_for_the_code_even_when_not_required(client, officer_a):
    device = device_for(officer_a)
    response = log_in(client, officer_a)
    follow = client.get(response["Location"])
    assert follow.status_code == 302 and follow["Location"].startswith(VERIFY)
    assert client.get(reverse("hospitals:list"))["Location"].startswith(VERIFY)
    # The way out and the language switch stay open.
    assert client.post(reverse("set_language"), {"language": "en"}).status_code == 302
    response = client.post(VERIFY, {"code": code_for(device.key), "next": HOME})
    assert response.status_code == 302 and response["Location"] == HOME
    assert client.get(HOME).status_code == 200


def test_a_wrong_code_is_refused_and_throttled(client, officer_a):
    device = device_for(officer_a)
    log_in(client, officer_a)
    with time_machine.travel(time.time(), tick=False) as clock:
        good = code_for(device.key)
        bad = "000000" if good != "000000" else "111111"
        response = client.post(VERIFY, {"code": bad})
        assert "验证码不正确" in response.content.decode()
        # Right away, even the right code waits (1 s, then 2 s, 4 s …).
        response = client.post(VERIFY, {"code": good})
        assert "错误次数过多" in response.content.decode()
        assert not verified(client)
        clock.shift(2)
        response = client.post(VERIFY, {"code": code_for(device.key)})
        assert response.status_code == 302
    assert verified(client)


def test_a_recovery_code_works_once(client, officer_a):
    device_for(officer_a)
    codes = twofactor.recovery_codes_renew(user=officer_a)
    log_in(client, officer_a)
    response = client.post(VERIFY, {"code": codes[0].upper(), "next": HOME})
    assert response.status_code == 302
    assert StaticToken.objects.filter(device__user=officer_a).count() == 9
    client.post(reverse("logout"))
    log_in(client, officer_a)
    with time_machine.travel(time.time() + 60):
        response = client.post(VERIFY, {"code": codes[0]})
    assert "验证码不正确" in response.content.decode()
    assert not verified(client)


def test_setup_cannot_replace_a_device_before_the_code(client, officer_a):
    device_for(officer_a)
    log_in(client, officer_a)
    response = client.get(SETUP)
    assert response["Location"].startswith(VERIFY)


def test_own_reset_needs_a_code_then_setup_again(client, officer_a):
    device = device_for(officer_a)
    log_in(client, officer_a)
    with time_machine.travel(time.time(), tick=False) as clock:
        client.post(VERIFY, {"code": code_for(device.key)})
        clock.shift(31)
        response = client.post(SECURITY, {"action": "reset", "code": "12"})
        assert TOTPDevice.objects.filter(user=officer_a).exists()
        assert "验证码不正确" in response.content.decode()
        clock.shift(31)
        response = client.post(SECURITY, {"action": "reset", "code": code_for(device.key)})
    assert response.status_code == 302 and response["Location"] == SETUP
    assert not TOTPDevice.objects.filter(user=officer_a).exists()


def test_renew_recovery_codes_from_the_security_page(client, officer_a):
    device = device_for(officer_a)
    old = twofactor.recovery_codes_renew(user=officer_a)
    log_in(client, officer_a)
    client.post(VERIFY, {"code": old[0]})
    with time_machine.travel(time.time() + 31):
        response = client.post(SECURITY, {"action": "renew", "code": code_for(device.key)})
    new = re.findall(r"<li class=\"col\">([a-z0-9]{5}-[a-z0-9]{5})</li>", response.content.decode())
    assert len(set(new)) == 10 and not set(new) & set(old)


def test_administrator_resets_a_users_two_factor(client, county_admin, officer_a, officer_b):
    device_for(officer_a)
    device_for(officer_b)
    client.force_login(county_admin)
    edit = client.get(reverse("accounts:user_edit", args=[officer_a.pk]))
    assert reverse("accounts:user_two_factor_reset", args=[officer_a.pk]) in edit.content.decode()
    response = client.post(reverse("accounts:user_two_factor_reset", args=[officer_a.pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=officer_a).exists()
    # Another county's user: 404 and nothing changed.
    response = client.post(reverse("accounts:user_two_factor_reset", args=[officer_b.pk]))
    assert response.status_code == 404
    assert TOTPDevice.objects.filter(user=officer_b).exists()


def test_reset_service_refuses_non_administrators(officer_a, county_bureau):
    device_for(officer_a)
    with pytest.raises(NotAllowed):
        twofactor.user_two_factor_reset(user=officer_a, by=county_bureau)
    assert TOTPDevice.objects.filter(user=officer_a).exists()


def test_token_requests_and_anonymous_pages_are_not_affected(client, settings):
    settings.TWO_FACTOR_REQUIRED = "all"
    assert client.get(LOGIN).status_code == 200
    assert client.get(reverse("healthz")).status_code == 200
