"""The integration webhook pages: administrators of the owner's region only, the secret shown
once, a bad or private URL refused with a message, a test ping and a retry from the page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.choices import Channel, DeliveryStatus, WebhookEvent
from notifications.models import Delivery, WebhookEndpoint
from tests.factories import AdminUserFactory, BureauUserFactory
from tests.notifications.webhook_receiver import verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(county):
    return BureauUserFactory(username="integration", region=county)


def form_data(owner, url, **overrides):
    data = {
        "name": "省平台对接",
        "url": url,
        "owner": owner.pk,
        "events": [WebhookEvent.HAZARD_RAISED, WebhookEvent.REPORT_READY],
        "is_active": "on",
    }
    data.update(overrides)
    return data


def _create(client, admin, owner, url) -> WebhookEndpoint:
    client.force_login(admin)
    response = client.post(reverse("notifications:webhook_create"), form_data(owner, url))
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("notifications:webhook_detail", args=[endpoint.pk])
    return endpoint


def test_admin_creates_an_endpoint_and_sees_its_secret_once(client, county_admin, owner, receiver):
    endpoint = _create(client, county_admin, owner, receiver.url)
    assert endpoint.owner == owner and endpoint.created_by == county_admin
    assert endpoint.events == sorted([WebhookEvent.HAZARD_RAISED, WebhookEvent.REPORT_READY])
    detail = reverse("notifications:webhook_detail", args=[endpoint.pk])
    first = client.get(detail).content.decode()
    assert endpoint.secret.startswith("whsec_") and endpoint.secret in first
    assert 'data-testid="webhook-secret"' in first
    again = client.get(detail).content.decode()
    assert endpoint.secret not in again
    # The list shows it.
    listing = client.get(reverse("notifications:webhook_list")).content.decode()
    assert "省平台对接" in listing and detail in listing


@pytest.mark.parametrize(
    "url, message",
    [
        ("https://127.0.0.1/hook", "内网"),
        ("https://192.168.0.8/hook", "内网"),
        ("ftp://93.184.216.34/hook", "https"),
        ("http://93.184.216.34/hook", "https"),
        ("https://user:pw@93.184.216.34/hook", "用户名"),
    ],
)
def test_a_refused_url_is_explained_and_nothing_is_saved(client, county_admin, owner, url, message):
    client.force_login(county_admin)
    response = client.post(reverse("notifications:webhook_create"), form_data(owner, url))
    assert response.status_code == 200
    errors = response.context["form"].errors["url"]
    assert any(message in error for error in errors), errors
    assert not WebhookEndpoint.objects.exists()


def test_an_owner_outside_the_admins_region_is_refused(client, county_admin, other_county):
    stranger = BureauUserFactory(region=other_county)
    client.force_login(county_admin)
    with override_settings(WEBHOOK_ALLOWED_HOSTS=["127.0.0.1"]):
        response = client.post(
            reverse("notifications:webhook_create"),
            form_data(stranger, "http://127.0.0.1:9000/hook"),
        )
    assert response.status_code == 200
    assert "owner" in response.context["form"].errors
    assert not WebhookEndpoint.objects.exists()


def test_edit_switch_off_and_rotate(client, county_admin, owner, receiver):
    endpoint = _create(client, county_admin, owner, receiver.url)
    old_secret = endpoint.secret
    edit = reverse("notifications:webhook_edit", args=[endpoint.pk])
    assert client.get(edit).status_code == 200
    response = client.post(
        edit, form_data(owner, receiver.url, name="改名", events=[WebhookEvent.HAZARD_OVERDUE])
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.name == "改名" and endpoint.events == [WebhookEvent.HAZARD_OVERDUE]
    assert endpoint.secret == old_secret  # editing keeps the secret

    client.post(reverse("notifications:webhook_toggle", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.is_active is False
    client.post(reverse("notifications:webhook_toggle", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.is_active is True

    client.get(reverse("notifications:webhook_detail", args=[endpoint.pk]))  # secret seen
    response = client.post(reverse("notifications:webhook_rotate", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.secret != old_secret
    page = client.get(response["Location"]).content.decode()
    assert endpoint.secret in page


def test_a_test_ping_reaches_the_receiver_signed_and_is_listed(
    client, county_admin, owner, receiver
):
    endpoint = _create(client, county_admin, owner, receiver.url)
    response = client.post(reverse("notifications:webhook_ping", args=[endpoint.pk]), follow=True)
    assert "测试推送已送达" in response.content.decode()
    assert receiver.events() == [WebhookEvent.PING]
    call = receiver.calls[0]
    assert verify(endpoint.secret, call.headers, call.raw)
    assert call.body["data"]["endpoint"] == {"id": endpoint.pk, "name": endpoint.name}
    delivery = Delivery.objects.get(webhook=endpoint)
    assert delivery.status == DeliveryStatus.SENT
    assert response.context["deliveries"] == [delivery]


def test_a_failed_ping_shows_the_error_and_can_be_retried(
    client, county_admin, owner, receiver, django_capture_on_commit_callbacks
):
    endpoint = _create(client, county_admin, owner, receiver.url)
    receiver.statuses = [404]
    response = client.post(reverse("notifications:webhook_ping", args=[endpoint.pk]), follow=True)
    page = response.content.decode()
    assert "测试推送失败" in page and "HTTP 404" in page
    delivery = Delivery.objects.get(webhook=endpoint)
    assert delivery.status == DeliveryStatus.FAILED
    retry = reverse("notifications:webhook_delivery_retry", args=[endpoint.pk, delivery.pk])
    assert retry in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(retry)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert [call.raw for call in receiver.calls] == [delivery.payload.encode()] * 2


def test_another_regions_admin_gets_404_and_changes_nothing(
    client, county_admin, owner, receiver, other_county
):
    endpoint = _create(client, county_admin, owner, receiver.url)
    client.force_login(AdminUserFactory(region=other_county))
    for name in ("webhook_detail", "webhook_edit"):
        assert client.get(reverse(f"notifications:{name}", args=[endpoint.pk])).status_code == 404
    for name in ("webhook_toggle", "webhook_rotate", "webhook_ping"):
        url = reverse(f"notifications:{name}", args=[endpoint.pk])
        assert client.post(url).status_code == 404
    before = (endpoint.is_active, endpoint.secret)
    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.secret) == before
    assert receiver.calls == []
    assert not Delivery.objects.filter(channel=Channel.WEBHOOK).exists()
    listing = client.get(reverse("notifications:webhook_list")).content.decode()
    assert endpoint.name not in listing


def test_bureau_staff_and_officers_get_403(client, county_bureau, officer_a):
    for user in (county_bureau, officer_a):
        client.force_login(user)
        assert client.get(reverse("notifications:webhook_list")).status_code == 403


def test_the_list_costs_the_same_queries_for_more_endpoints(client, county_admin, owner, county):
    def add(n):
        for index in range(n):
            endpoint = WebhookEndpoint.objects.create(
                name=f"对接{index}",
                url="https://hooks.example.org/x",
                secret="whsec_x",
                events=[WebhookEvent.HAZARD_RAISED],
                owner=BureauUserFactory(region=county),
            )
            Delivery.objects.create(
                channel=Channel.WEBHOOK,
                target=f"webhook:{endpoint.pk}",
                webhook=endpoint,
                event=WebhookEvent.HAZARD_RAISED,
                dedupe_key=f"q|{endpoint.pk}",
                status=DeliveryStatus.FAILED,
            )

    client.force_login(county_admin)
    url = reverse("notifications:webhook_list")
    add(1)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    add(6)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert len(response.context["page_obj"]) == 7
    assert len(large) == len(small)
    assert response.content.decode().count('badge bg-danger">1<') == 7


def test_webhook_deliveries_are_listed_with_the_others(client, county_admin, owner, receiver):
    endpoint = _create(client, county_admin, owner, receiver.url)
    client.post(reverse("notifications:webhook_ping", args=[endpoint.pk]))
    page = client.get(reverse("notifications:delivery_list")).content.decode()
    assert reverse("notifications:webhook_detail", args=[endpoint.pk]) in page
    assert "Webhook 推送" in page and "测试推送 · 省平台对接" in page


def test_django_admin_shows_endpoints_but_never_their_secret(client, owner):
    endpoint = WebhookEndpoint.objects.create(
        name="对接", url="https://hooks.example.org/x", secret="whsec_hidden", owner=owner
    )
    superuser = BureauUserFactory(region=owner.region, is_superuser=True, is_staff=True)
    client.force_login(superuser)
    listing = client.get(reverse("admin:notifications_webhookendpoint_changelist"))
    change = client.get(reverse("admin:notifications_webhookendpoint_change", args=[endpoint.pk]))
    assert listing.status_code == change.status_code == 200
    assert "whsec_hidden" not in listing.content.decode() + change.content.decode()
