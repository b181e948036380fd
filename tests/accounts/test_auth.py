from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_login_and_logout(client, officer_a):
    response = client.post(LOGIN, {"username": "officer_a", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert logged_in(client)
    client.post(reverse("logout"))
    assert not logged_in(client)


def test_pages_require_login(client):
    response = client.get(reverse("hospitals:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_lockout_after_five_failures(client, officer_a):
    for _attempt in range(5):
        response = client.post(LOGIN, {"username": "officer_a", "password": "wrong-password"})
        assert not logged_in(client)
    response = client.post(LOGIN, {"username": "officer_a", "password": DEFAULT_PASSWORD})
    assert not logged_in(client)
    assert response.status_code in (403, 429)
    body = response.content.decode()
    assert "登录失败次数过多" in body
    assert "连续 5 次登录失败" in body and "15 分钟" in body


def test_four_failures_do_not_lock(client, officer_a):
    for _attempt in range(4):
        client.post(LOGIN, {"username": "officer_a", "password": "wrong-password"})
    client.post(LOGIN, {"username": "officer_a", "password": DEFAULT_PASSWORD})
    assert logged_in(client)


def test_inactive_user_cannot_log_in(client, officer_a):
    officer_a.is_active = False
    officer_a.save()
    response = client.post(LOGIN, {"username": "officer_a", "password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    assert not logged_in(client)


def test_deactivated_user_is_logged_out(client, officer_a):
    client.force_login(officer_a)
    officer_a.is_active = False
    officer_a.save()
    response = client.get(reverse("hospitals:list"))
    assert response.status_code == 302


def test_password_change_applies_validators(client, officer_a):
    client.force_login(officer_a)
    url = reverse("password_change")
    response = client.post(
        url,
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": "12345678",
            "new_password2": "12345678",
        },
    )
    assert response.status_code == 200
    officer_a.refresh_from_db()
    assert officer_a.check_password(DEFAULT_PASSWORD)
    new = "Another-Strong-4471"
    response = client.post(
        url, {"old_password": DEFAULT_PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    officer_a.refresh_from_db()
    assert officer_a.check_password(new)


def test_chinese_by_default_and_switch_to_english(client, officer_a):
    client.force_login(officer_a)
    body = client.get(reverse("hospitals:detail", args=[officer_a.hospital_id])).content.decode()
    assert 'lang="zh-hans"' in body
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("hospitals:list")}
    )
    assert response.status_code == 302
    body = client.get(reverse("hospitals:list")).content.decode()
    assert 'lang="en"' in body


def test_login_page_renders_for_anonymous(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert 'name="username"' in response.content.decode()


def test_admin_unlocks_locked_out_user(client, county_admin, officer_a):
    from django.test import Client

    for _attempt in range(5):
        client.post(LOGIN, {"username": "officer_a", "password": "wrong-password"})
    admin_client = Client()
    admin_client.force_login(county_admin)
    edit = reverse("accounts:user_edit", args=[officer_a.pk])
    assert admin_client.get(edit).context["locked_out"]
    admin_client.post(reverse("accounts:user_unlock", args=[officer_a.pk]))
    assert not admin_client.get(edit).context["locked_out"]
    client.post(LOGIN, {"username": "officer_a", "password": DEFAULT_PASSWORD})
    assert logged_in(client)


def test_password_reset_by_admin_lifts_lockout(client, county_admin, officer_a):
    from django.test import Client

    for _attempt in range(5):
        client.post(LOGIN, {"username": "officer_a", "password": "wrong-password"})
    admin_client = Client()
    admin_client.force_login(county_admin)
    new = "Reset-by-admin-5521"
    admin_client.post(
        reverse("accounts:user_password", args=[officer_a.pk]),
        {"new_password1": new, "new_password2": new},
    )
    client.post(LOGIN, {"username": "officer_a", "password": new})
    assert logged_in(client)
