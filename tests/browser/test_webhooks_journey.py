"""An administrator sets up an integration webhook on a phone: the form, the secret shown once,
a test ping that reaches a real receiver on loopback; no page scrolls sideways."""

from __future__ import annotations

import pytest

from notifications.choices import WebhookEvent
from notifications.models import Delivery, WebhookEndpoint
from tests.browser.conftest import eventually
from tests.factories import BureauUserFactory
from tests.notifications.webhook_receiver import running_receiver, verify

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SIDEWAYS = "() => document.documentElement.scrollWidth - window.innerWidth"


def _no_sideways_scroll(page, path: str) -> None:
    for width in (390, 360):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(path)
        assert page.evaluate(SIDEWAYS) <= 0, (path, width)


def test_admin_sets_up_a_webhook_on_a_phone(open_page, login, county_admin, county):
    owner = BureauUserFactory(username="integration", full_name="省平台接口", region=county)
    with running_receiver() as receiver:
        page = login(open_page("phone"), county_admin)
        page.goto("/notifications/webhooks/")
        page.get_by_role("link", name="新增 Webhook").click()
        page.get_by_label("名称").fill("省平台对接")
        page.get_by_label("推送地址").fill(receiver.url)
        page.get_by_label("集成账号").select_option(str(owner.pk))
        page.get_by_label("隐患登记").check()
        page.get_by_label("隐患状态变更").check()
        page.get_by_role("button", name="保存").click()
        secret_box = page.get_by_test_id("webhook-secret")
        secret_box.wait_for()
        endpoint = WebhookEndpoint.objects.get()
        assert endpoint.secret in secret_box.inner_text()
        assert endpoint.events == sorted(
            [WebhookEvent.HAZARD_RAISED, WebhookEvent.HAZARD_STATUS_CHANGED]
        )
        detail = f"/notifications/webhooks/{endpoint.pk}/"
        assert page.url.endswith(detail)

        page.get_by_role("button", name="发送测试推送").click()
        page.get_by_text("测试推送已送达").wait_for()
        assert eventually(lambda: receiver.calls)
        call = receiver.calls[0]
        assert call.event == WebhookEvent.PING
        assert verify(endpoint.secret, call.headers, call.raw)
        assert Delivery.objects.get(webhook=endpoint).status == "sent"
        # Shown once: the page after the ping no longer carries it.
        assert endpoint.secret not in page.content()

        for path in (
            "/notifications/webhooks/",
            detail,
            f"{detail}edit/",
            "/notifications/webhooks/new/",
        ):
            _no_sideways_scroll(page, path)
