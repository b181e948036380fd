"""Robot configuration pages: administrators only, scoped to their region, SSRF-safe URLs."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from notifications.choices import EventKind, RobotKind
from notifications.models import Robot
from notifications.urlsafety import validate_webhook_url
from tests.notifications.factories import RobotFactory

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def form_data(**overrides):
    data = {
        "name": "晋江安全生产群",
        "kind": RobotKind.WECOM,
        "webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc",
        "secret": "",
        "at_mobiles": "",
        "events": [EventKind.HAZARD_OVERDUE, EventKind.INSPECTION_MISSED],
        "is_active": "on",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://[::1]/hook",
        "https://10.1.2.3/hook",
        "https://192.168.1.10/hook",
        "https://172.16.0.1/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://0.0.0.0/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "file:///etc/passwd",
        "ftp://example.com/hook",
        "gopher://example.com/",
        "http://93.184.216.34/hook",
        "https://user:pass@93.184.216.34/hook",
        "https:///nohost",
        "",
    ],
)
def test_unsafe_webhook_urls_are_refused(url):
    with pytest.raises(ValidationError):
        validate_webhook_url(url)


def test_host_names_are_resolved_and_every_address_checked(monkeypatch):
    from notifications import urlsafety

    monkeypatch.setattr(urlsafety, "resolve_host", lambda host, port: ["93.184.216.34", "10.0.0.1"])
    with pytest.raises(ValidationError) as info:
        validate_webhook_url("https://hooks.example.com/send")
    assert "10.0.0.1" in info.value.messages[0]


def test_public_https_url_is_accepted(public_dns):
    url = "https://oapi.dingtalk.com/robot/send?access_token=x"
    assert validate_webhook_url(url) == url


def test_http_is_accepted_only_when_debug(settings, public_dns):
    with pytest.raises(ValidationError):
        validate_webhook_url("http://hooks.example.com/send")
    settings.DEBUG = True
    assert validate_webhook_url("http://hooks.example.com/send")


def test_admin_creates_a_robot_for_a_hospital_in_their_region(
    client, county_admin, hospital_a, public_dns
):
    login(client, county_admin)
    response = client.post(reverse("notifications:robot_create"), form_data(hospital=hospital_a.pk))
    assert response.status_code == 302
    robot = Robot.objects.get()
    assert robot.hospital == hospital_a
    assert robot.created_by == county_admin
    assert robot.events == [EventKind.HAZARD_OVERDUE, EventKind.INSPECTION_MISSED]


@pytest.mark.parametrize(
    "url",
    ["https://127.0.0.1/hook", "file:///etc/passwd", "https://192.168.0.8/x", "http://localhost/"],
)
def test_saving_a_robot_with_an_unsafe_url_is_refused_with_a_clear_error(
    client, county_admin, county, url
):
    login(client, county_admin)
    response = client.post(
        reverse("notifications:robot_create"), form_data(region=county.pk, webhook_url=url)
    )
    assert response.status_code == 200
    assert not Robot.objects.exists()
    errors = response.context["form"].errors["webhook_url"]
    assert any(("https" in e) or ("内网" in e) for e in errors)


def test_robot_needs_exactly_one_scope_and_dingtalk_secret_format(
    client, county_admin, county, hospital_a, public_dns
):
    login(client, county_admin)
    response = client.post(reverse("notifications:robot_create"), form_data())
    assert "请选择所属区域或所属医疗机构(二选一)。" in response.context["form"].non_field_errors()
    response = client.post(
        reverse("notifications:robot_create"),
        form_data(region=county.pk, hospital=hospital_a.pk),
    )
    assert response.context["form"].non_field_errors()
    response = client.post(
        reverse("notifications:robot_create"),
        form_data(region=county.pk, kind=RobotKind.DINGTALK, secret="not-a-secret"),
    )
    assert "secret" in response.context["form"].errors
    assert not Robot.objects.exists()


def test_admin_cannot_pick_or_see_another_regions_robot(
    client, county_admin, other_county, hospital_b, public_dns
):
    login(client, county_admin)
    response = client.post(reverse("notifications:robot_create"), form_data(hospital=hospital_b.pk))
    assert "hospital" in response.context["form"].errors
    other = RobotFactory(hospital=hospital_b)
    assert client.get(reverse("notifications:robot_edit", args=[other.pk])).status_code == 404
    assert client.post(reverse("notifications:robot_delete", args=[other.pk])).status_code == 404
    assert client.post(reverse("notifications:robot_test", args=[other.pk])).status_code == 404
    assert Robot.objects.filter(pk=other.pk).exists()
    listing = client.get(reverse("notifications:robot_list"))
    assert other.name not in listing.content.decode()


def test_city_admin_sees_robots_of_counties_below(client, city_admin, county, hospital_b):
    login(client, city_admin)
    a = RobotFactory(region=county)
    b = RobotFactory(hospital=hospital_b)
    content = client.get(reverse("notifications:robot_list")).content.decode()
    assert a.name in content and b.name in content


@pytest.mark.parametrize("who", ["officer_a", "county_bureau"])
def test_non_administrators_get_403(client, request, who):
    login(client, request.getfixturevalue(who))
    assert client.get(reverse("notifications:robot_list")).status_code == 403
    assert client.get(reverse("notifications:delivery_list")).status_code == 403


def test_edit_and_delete_robot(client, county_admin, county, public_dns):
    robot = RobotFactory(region=county)
    login(client, county_admin)
    response = client.post(
        reverse("notifications:robot_edit", args=[robot.pk]),
        form_data(region=county.pk, name="改名后的群", is_active=""),
    )
    assert response.status_code == 302
    robot.refresh_from_db()
    assert robot.name == "改名后的群" and robot.is_active is False
    client.post(reverse("notifications:robot_delete", args=[robot.pk]))
    assert not Robot.objects.exists()


def test_send_test_message_button_posts_to_the_robot(client, county_admin, county, webhook_server):
    robot = RobotFactory(region=county, webhook_url=webhook_server.url())
    login(client, county_admin)
    response = client.post(reverse("notifications:robot_test", args=[robot.pk]), follow=True)
    assert "测试消息已发送" in response.content.decode()
    assert "测试消息" in webhook_server.received[0].body["markdown"]["content"]
    webhook_server.respond(200, {"errcode": 310000, "errmsg": "sign not match"})
    response = client.post(reverse("notifications:robot_test", args=[robot.pk]), follow=True)
    assert "测试消息发送失败" in response.content.decode()
    assert "310000" in response.content.decode()


def test_dingtalk_secret_is_never_echoed_and_blank_keeps_it(
    client, county_admin, county, public_dns
):
    robot = RobotFactory(region=county, kind=RobotKind.DINGTALK, secret="SECkeepme123")
    client.force_login(county_admin)
    page = client.get(reverse("notifications:robot_edit", args=[robot.pk])).content.decode()
    assert "SECkeepme123" not in page
    client.post(
        reverse("notifications:robot_edit", args=[robot.pk]),
        form_data(region=county.pk, kind=RobotKind.DINGTALK, secret=""),
    )
    robot.refresh_from_db()
    assert robot.secret == "SECkeepme123"
