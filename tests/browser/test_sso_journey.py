"""Single sign-on in a real browser (CSP on): an administrator binds an officer's WeCom account
and makes the county require SSO; on a phone the officer's password is refused with the
pointer to the SSO button, and the WeCom QR login (the fake provider on 127.0.0.1 plays the
scanned QR page) logs them in."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from tests.factories import DEFAULT_PASSWORD
from tests.sso import fake_provider
from tests.sso.fake_provider import recorded

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def wecom_idp(settings):
    idp = fake_provider.start()
    settings.SSO_WECOM_ENABLED = True
    settings.WECOM_CORP_ID = "ww0123456789abcdef"
    settings.WECOM_AGENT_ID = "1000002"
    settings.WECOM_SECRET = "wecom-secret"
    settings.WECOM_API_BASE = idp.url
    settings.WECOM_LOGIN_BASE = idp.url
    idp.route("GET", "/cgi-bin/gettoken", recorded("wecom_gettoken.json"))
    idp.route("GET", "/cgi-bin/auth/getuserinfo", recorded("wecom_getuserinfo.json"))

    def qr_scanned(call):
        back = call.query["redirect_uri"][0] + "?"
        back += urlencode({"code": "QR-SCANNED", "state": call.query["state"][0]})
        return 302, "", {"Location": back}

    idp.route("GET", "/wwlogin/sso/login", qr_scanned)
    yield idp
    idp.server.shutdown()
    idp.server.server_close()


def test_bound_officer_logs_in_with_wecom_where_the_county_requires_sso(
    open_page, login, wecom_idp, county, county_admin, officer_a, settings
):
    # Duties combined: the one administrator binds the identity and sets the region.
    settings.ADMIN_DUTIES_SEPARATED = False
    admin = login(open_page("desktop"), county_admin)
    admin.goto(f"/accounts/users/{officer_a.pk}/")
    admin.get_by_label("登录方式").select_option("wecom")
    admin.get_by_label("外部账号标识").fill("ZhangSan")
    admin.get_by_role("button", name="绑定", exact=True).click()
    admin.get_by_text("已为“officer_a”绑定企业微信账号“ZhangSan”。").wait_for()

    admin.goto(f"/hospitals/regions/{county.pk}/")
    admin.get_by_label("要求单点登录").check()
    admin.get_by_role("button", name="保存").click()
    admin.get_by_text(f"已保存区域“{county.name}”的设置。").wait_for()

    phone = open_page("phone")
    phone.goto("/accounts/login/")
    phone.get_by_label("用户名").fill("officer_a")
    phone.get_by_label("密码").fill(DEFAULT_PASSWORD)
    phone.get_by_role("button", name="登录", exact=True).click()
    phone.get_by_text("您所在的区域要求使用单点登录").wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    phone.get_by_role("link", name="企业微信").click()
    phone.wait_for_url(lambda url: "/my-work/" in url)
    assert "/cgi-bin/auth/getuserinfo" in wecom_idp.paths()
