"""Journey: an administrator, who must use two-factor login, sets up an authenticator at the
first login (QR code + key, confirm with a code, ten recovery codes), then logs in again with
password + code. Runs under the page checks of conftest (no CSP violation, no console error)."""

from __future__ import annotations

import base64
import re
import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def code(secret: str, at: float) -> str:
    text = secret.replace(" ", "")
    key = base64.b32decode(text + "=" * (-len(text) % 8))
    totp = TOTP(key, step=30, t0=0, digits=6, drift=0)
    totp.time = at
    return f"{totp.token():06d}"


def test_administrator_enrols_then_logs_in_with_a_code(open_page, login, county_admin, settings):
    settings.TWO_FACTOR_REQUIRED = "admins"
    page = login(open_page("phone"), county_admin)
    page.wait_for_url(re.compile(r"/accounts/two-factor/setup/"))
    assert page.get_by_role("img", name="两步验证二维码").is_visible()
    secret = page.get_by_test_id("totp-secret").inner_text()
    page.get_by_label("验证码").fill(code(secret, time.time()))
    page.get_by_role("button", name="确认绑定").click()
    page.get_by_text("两步验证已开启").wait_for()
    codes = page.get_by_test_id("recovery-codes").locator("li").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="我已保存,继续").click()
    page.wait_for_url(re.compile(r"/my-work/$"))
    assert TOTPDevice.objects.get(user=county_admin).confirmed

    # A new login: the password alone is not enough.
    page.context.clear_cookies()
    login(page, county_admin)
    page.wait_for_url(re.compile(r"/accounts/two-factor/\?"))
    # The next 30-second step's code: the one just used may not be used twice.
    page.get_by_label("验证码").fill(code(secret, time.time() + 30))
    page.get_by_role("button", name="验证", exact=True).click()
    page.wait_for_url(re.compile(r"/my-work/$"))
    page.get_by_role("heading", name="我的工作").first.wait_for()
