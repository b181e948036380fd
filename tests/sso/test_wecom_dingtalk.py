"""WeCom and DingTalk logins against recorded provider answers (served on 127.0.0.1)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from sso.choices import Provider
from tests.factories import DEFAULT_PASSWORD

from .conftest import bind, logged_in_as
from .fake_provider import recorded

pytestmark = pytest.mark.django_db

WXWORK_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 wxwork/4.1.20 MicroMessenger/7.0.1 Language/zh"
)
DINGTALK_UA = (
    "Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0 Mobile Safari/537.36 AliApp(DingTalk/7.5.10) com.alibaba.android.rimet"
)


def _start(client, provider: str, **headers):
    response = client.get(reverse(f"sso:{provider}_login") + "?next=/hazards/", **headers)
    assert response.status_code == 302
    location = response["Location"]
    return location, {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


# --- WeCom -----------------------------------------------------------------------------------


def test_wecom_qr_login(client, wecom, officer_a):
    bind(officer_a, Provider.WECOM, "ZhangSan")
    location, query = _start(client, "wecom")
    assert location.startswith("https://login.work.weixin.qq.com/wwlogin/sso/login?")
    assert query["login_type"] == "CorpApp"
    assert query["appid"] == "ww0123456789abcdef" and query["agentid"] == "1000002"
    assert query["redirect_uri"] == "http://testserver/sso/wecom/callback/"
    response = client.get(
        reverse("sso:wecom_callback"), {"code": "CODE-FROM-WECOM", "state": query["state"]}
    )
    assert response.status_code == 302 and response["Location"] == "/hazards/"
    assert logged_in_as(client) == officer_a
    token_call, user_call = wecom.calls
    assert token_call.path == "/cgi-bin/gettoken"
    assert token_call.query == {"corpid": ["ww0123456789abcdef"], "corpsecret": ["wecom-secret"]}
    assert user_call.path == "/cgi-bin/auth/getuserinfo"
    assert user_call.query["code"] == ["CODE-FROM-WECOM"]
    assert user_call.query["access_token"] == ["accesstoken000001-wecom-recorded"]


def test_wecom_silent_login_inside_the_app(client, wecom, officer_a):
    bind(officer_a, Provider.WECOM, "ZhangSan")
    # The login page itself, opened inside WeCom, goes straight to the in-app authorisation.
    response = client.get(reverse("login") + "?next=/hazards/", HTTP_USER_AGENT=WXWORK_UA)
    assert response.status_code == 302
    assert response["Location"] == reverse("sso:wecom_login") + "?next=%2Fhazards%2F"
    location, query = _start(client, "wecom", HTTP_USER_AGENT=WXWORK_UA)
    assert location.startswith("https://open.weixin.qq.com/connect/oauth2/authorize?")
    assert location.endswith("#wechat_redirect")
    assert query["scope"] == "snsapi_base" and query["agentid"] == "1000002"
    response = client.get(reverse("sso:wecom_callback"), {"code": "C2", "state": query["state"]})
    assert response.status_code == 302
    assert logged_in_as(client) == officer_a


def test_login_page_with_local_stays_a_password_page_inside_the_app(client, wecom):
    response = client.get(reverse("login") + "?local=1", HTTP_USER_AGENT=WXWORK_UA)
    assert response.status_code == 200


def test_wecom_access_token_is_reused(client, wecom, officer_a):
    bind(officer_a, Provider.WECOM, "ZhangSan")
    for code in ("A", "B"):
        client.logout()
        _location, query = _start(client, "wecom")
        client.get(reverse("sso:wecom_callback"), {"code": code, "state": query["state"]})
        assert logged_in_as(client) == officer_a
    assert wecom.paths().count("/cgi-bin/gettoken") == 1


def test_wecom_expired_token_is_renewed_once(client, wecom, officer_a):
    bind(officer_a, Provider.WECOM, "ZhangSan")
    answers = [recorded("wecom_getuserinfo_token_expired.json"), recorded("wecom_getuserinfo.json")]
    wecom.route("GET", "/cgi-bin/auth/getuserinfo", lambda call: answers.pop(0))
    _location, query = _start(client, "wecom")
    client.get(reverse("sso:wecom_callback"), {"code": "C", "state": query["state"]})
    assert logged_in_as(client) == officer_a
    assert wecom.paths().count("/cgi-bin/gettoken") == 2


def test_wecom_unbound_member_is_refused(client, wecom, officer_a):
    _location, query = _start(client, "wecom")
    response = client.get(reverse("sso:wecom_callback"), {"code": "C", "state": query["state"]})
    assert response.status_code == 403
    assert "该账号尚未绑定,请联系管理员" in response.content.decode()
    assert logged_in_as(client) is None


def test_wecom_bad_state_is_refused_without_calling_wecom(client, wecom, officer_a):
    bind(officer_a, Provider.WECOM, "ZhangSan")
    _start(client, "wecom")
    response = client.get(reverse("sso:wecom_callback"), {"code": "C", "state": "forged"})
    assert response.status_code == 400
    assert "登录请求已失效" in response.content.decode()
    assert logged_in_as(client) is None
    assert wecom.calls == []


def test_wecom_state_is_single_use(client, wecom, officer_a):
    bind(officer_a, Provider.WECOM, "ZhangSan")
    _location, query = _start(client, "wecom")
    client.get(reverse("sso:wecom_callback"), {"code": "C", "state": query["state"]})
    client.logout()
    response = client.get(reverse("sso:wecom_callback"), {"code": "C", "state": query["state"]})
    assert response.status_code == 400


def test_wecom_callback_without_a_login_started_is_refused(client, wecom):
    response = client.get(reverse("sso:wecom_callback"), {"code": "C", "state": "x"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("route", "answer", "shown"),
    [
        (
            "/cgi-bin/auth/getuserinfo",
            "wecom_getuserinfo_invalid_code.json",
            "企业微信返回错误:invalid code",
        ),
        ("/cgi-bin/gettoken", "wecom_gettoken_invalid_secret.json", "错误码 40001"),
        ("/cgi-bin/auth/getuserinfo", "wecom_getuserinfo_not_member.json", "不是本单位成员"),
    ],
)
def test_wecom_errors_are_shown_translated(client, wecom, officer_a, route, answer, shown):
    bind(officer_a, Provider.WECOM, "ZhangSan")
    wecom.route("GET", route, recorded(answer))
    _location, query = _start(client, "wecom")
    response = client.get(reverse("sso:wecom_callback"), {"code": "C", "state": query["state"]})
    assert response.status_code == 502
    assert shown in response.content.decode()
    assert logged_in_as(client) is None


def test_wecom_unreachable_is_a_page_not_a_500(client, wecom, settings, officer_a):
    bind(officer_a, Provider.WECOM, "ZhangSan")
    settings.WECOM_API_BASE = "http://127.0.0.1:9"  # discard port: connection refused
    _location, query = _start(client, "wecom")
    response = client.get(reverse("sso:wecom_callback"), {"code": "C", "state": query["state"]})
    assert response.status_code == 502
    assert "暂时无法连接企业微信" in response.content.decode()


def test_wecom_answer_that_is_not_json(client, wecom, officer_a):
    wecom.route("GET", "/cgi-bin/gettoken", (502, "<html>bad gateway</html>"))
    _location, query = _start(client, "wecom")
    response = client.get(reverse("sso:wecom_callback"), {"code": "C", "state": query["state"]})
    assert response.status_code == 502
    assert "无法识别的应答" in response.content.decode()


def test_wecom_base_urls_are_settings(client, wecom, settings):
    """政务微信: other hosts, same protocol."""
    settings.WECOM_LOGIN_BASE = "https://login.zwwx.example.gov.cn"
    location, _query = _start(client, "wecom")
    assert location.startswith("https://login.zwwx.example.gov.cn/wwlogin/sso/login?")


def test_next_pointing_elsewhere_is_ignored(client, wecom, officer_a):
    bind(officer_a, Provider.WECOM, "ZhangSan")
    response = client.get(reverse("sso:wecom_login") + "?next=https://evil.example.com/")
    state = parse_qs(urlsplit(response["Location"]).query)["state"][0]
    response = client.get(reverse("sso:wecom_callback"), {"code": "C", "state": state})
    assert response["Location"] == reverse("my_work")


# --- DingTalk --------------------------------------------------------------------------------


def test_dingtalk_qr_login(client, dingtalk, county_bureau):
    bind(county_bureau, Provider.DINGTALK, "xyzUnionId0001iE")
    location, query = _start(client, "dingtalk")
    assert location.startswith("https://login.dingtalk.com/oauth2/auth?")
    assert query["client_id"] == "dingclientid0001"
    assert query["scope"] == "openid" and query["response_type"] == "code"
    assert query["redirect_uri"] == "http://testserver/sso/dingtalk/callback/"
    response = client.get(
        reverse("sso:dingtalk_callback"), {"authCode": "AUTH-CODE", "state": query["state"]}
    )
    assert response.status_code == 302 and response["Location"] == "/hazards/"
    assert logged_in_as(client) == county_bureau
    token_call, me_call = dingtalk.calls
    assert token_call.method == "POST" and token_call.json == {
        "clientId": "dingclientid0001",
        "clientSecret": "dingtalk-secret",
        "code": "AUTH-CODE",
        "grantType": "authorization_code",
    }
    assert me_call.path == "/v1.0/contact/users/me"
    assert me_call.headers["x-acs-dingtalk-access-token"] == "b7f2c0ab0e1f3a5d9c8e7f6a5b4c3d2e"


def test_dingtalk_login_inside_the_app(client, dingtalk, county_bureau):
    bind(county_bureau, Provider.DINGTALK, "xyzUnionId0001iE")
    response = client.get(reverse("login"), HTTP_USER_AGENT=DINGTALK_UA)
    assert response["Location"] == reverse("sso:dingtalk_login")
    _location, query = _start(client, "dingtalk", HTTP_USER_AGENT=DINGTALK_UA)
    client.get(reverse("sso:dingtalk_callback"), {"authCode": "X", "state": query["state"]})
    assert logged_in_as(client) == county_bureau


def test_dingtalk_invalid_code_is_shown_translated(client, dingtalk, county_bureau):
    bind(county_bureau, Provider.DINGTALK, "xyzUnionId0001iE")
    dingtalk.route(
        "POST",
        "/v1.0/oauth2/userAccessToken",
        (400, recorded("dingtalk_user_access_token_invalid_code.json")),
    )
    _location, query = _start(client, "dingtalk")
    response = client.get(
        reverse("sso:dingtalk_callback"), {"authCode": "OLD", "state": query["state"]}
    )
    assert response.status_code == 502
    body = response.content.decode()
    assert "钉钉返回错误:临时授权码无效或已过期" in body and "invalidAuthCode" in body
    assert logged_in_as(client) is None


def test_dingtalk_cancelled_login(client, dingtalk):
    _location, query = _start(client, "dingtalk")
    response = client.get(reverse("sso:dingtalk_callback"), {"state": query["state"]})
    assert response.status_code == 400
    assert "您已取消登录" in response.content.decode()
    assert dingtalk.calls == []


def test_dingtalk_unbound_is_refused(client, dingtalk, county_bureau):
    bind(county_bureau, Provider.WECOM, "xyzUnionId0001iE")  # same id, other provider
    _location, query = _start(client, "dingtalk")
    response = client.get(
        reverse("sso:dingtalk_callback"), {"authCode": "X", "state": query["state"]}
    )
    assert response.status_code == 403
    assert logged_in_as(client) is None


def test_state_of_one_provider_is_not_accepted_by_another(client, wecom, dingtalk, officer_a):
    bind(officer_a, Provider.DINGTALK, "xyzUnionId0001iE")
    _location, query = _start(client, "wecom")
    response = client.get(
        reverse("sso:dingtalk_callback"), {"authCode": "X", "state": query["state"]}
    )
    assert response.status_code == 400
    assert logged_in_as(client) is None


# --- binding one's own account -------------------------------------------------------------


def test_user_binds_their_own_wecom_account(client, wecom, officer_a):
    client.force_login(officer_a)
    page = client.get(reverse("sso:my_identities")).content.decode()
    assert 'data-sso-bind="wecom"' in page
    assert reverse("sso:my_identities") in client.get(reverse("home"), follow=True).content.decode()
    response = client.get(reverse("sso:wecom_bind"))
    state = parse_qs(urlsplit(response["Location"]).query)["state"][0]
    response = client.get(reverse("sso:wecom_callback"), {"code": "C", "state": state}, follow=True)
    assert "已绑定企业微信账号“ZhangSan”" in response.content.decode()
    assert officer_a.external_identities.get().subject == "ZhangSan"
    # and from now on it logs in
    client.logout()
    _location, query = _start(client, "wecom")
    client.get(reverse("sso:wecom_callback"), {"code": "C", "state": query["state"]})
    assert logged_in_as(client) == officer_a


def test_binding_someone_elses_account_is_refused(client, wecom, officer_a, county_bureau):
    bind(county_bureau, Provider.WECOM, "ZhangSan")
    client.force_login(officer_a)
    response = client.get(reverse("sso:wecom_bind"))
    state = parse_qs(urlsplit(response["Location"]).query)["state"][0]
    response = client.get(reverse("sso:wecom_callback"), {"code": "C", "state": state}, follow=True)
    assert "该外部账号已绑定到其他用户" in response.content.decode()
    assert not officer_a.external_identities.exists()


def test_bind_round_trip_finished_by_another_session_user_is_refused(
    client, wecom, officer_a, county_bureau
):
    client.force_login(officer_a)
    response = client.get(reverse("sso:wecom_bind"))
    state = parse_qs(urlsplit(response["Location"]).query)["state"][0]
    session_state = client.session["sso_oauth_state"]
    client.force_login(county_bureau)  # a new login in between (the session is rotated)
    session = client.session
    session["sso_oauth_state"] = session_state
    session.save()
    response = client.get(reverse("sso:wecom_callback"), {"code": "C", "state": state})
    assert response.status_code == 400
    assert not county_bureau.external_identities.exists()
    assert not officer_a.external_identities.exists()


def test_no_binding_menu_when_wecom_and_dingtalk_are_off(client, officer_a):
    client.force_login(officer_a)
    page = client.get(reverse("my_work")).content.decode()
    assert reverse("sso:my_identities") not in page


def test_refused_sso_logins_do_not_lock_out_sso_from_that_address(client, wecom, officer_a):
    """Unbound logins carry no username: they must not build up an axes lockout that would
    then block every SSO login from the same (hospital NAT) address."""
    for _attempt in range(7):
        _location, query = _start(client, "wecom")
        client.get(reverse("sso:wecom_callback"), {"code": "C", "state": query["state"]})
    bind(officer_a, Provider.WECOM, "ZhangSan")
    _location, query = _start(client, "wecom")
    response = client.get(reverse("sso:wecom_callback"), {"code": "C", "state": query["state"]})
    assert response.status_code == 302
    assert logged_in_as(client) == officer_a


def test_refused_sso_logins_do_not_throttle_password_logins(client, wecom, officer_a, settings):
    settings.LOGIN_IP_FAILURE_LIMIT = 3
    for _attempt in range(4):
        _location, query = _start(client, "wecom")
        client.get(reverse("sso:wecom_callback"), {"code": "C", "state": query["state"]})
    response = client.post(
        reverse("login"), {"username": "officer_a", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert logged_in_as(client) == officer_a
