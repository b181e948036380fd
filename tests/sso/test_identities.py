"""Administrators bind and unbind identities on the user page (their own region's users)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.errors import NotAllowed
from sso.choices import Provider
from sso.models import ExternalIdentity
from sso.services import identity_bind
from tests.factories import AdminUserFactory

from .conftest import bind

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _combined_admin_duties(settings):
    """The system administrator binds identities in the combined mode (the separated mode,
    where the security administrator does, is covered by the access matrix)."""
    settings.ADMIN_DUTIES_SEPARATED = False


def test_no_section_where_sso_is_not_used(client, county_admin, officer_a):
    client.force_login(county_admin)
    page = client.get(reverse("accounts:user_edit", args=[officer_a.pk])).content.decode()
    assert "单点登录账号绑定" not in page


def test_user_page_shows_the_section_and_binds(client, wecom, county_admin, officer_a):
    client.force_login(county_admin)
    page = client.get(reverse("accounts:user_edit", args=[officer_a.pk])).content.decode()
    assert "单点登录账号绑定" in page
    assert reverse("sso:identity_add", args=[officer_a.pk]) in page
    response = client.post(
        reverse("sso:identity_add", args=[officer_a.pk]),
        {"provider": "wecom", "subject": " ZhangSan "},
        follow=True,
    )
    identity = ExternalIdentity.objects.get()
    assert (identity.user, identity.provider, identity.subject) == (officer_a, "wecom", "ZhangSan")
    assert "已为“officer_a”绑定企业微信账号“ZhangSan”" in response.content.decode()
    assert identity.history.get().history_user == county_admin


def test_binding_again_replaces_the_users_identity_at_that_provider(
    client, county_admin, officer_a
):
    bind(officer_a, Provider.WECOM, "Old")
    client.force_login(county_admin)
    client.post(
        reverse("sso:identity_add", args=[officer_a.pk]), {"provider": "wecom", "subject": "New"}
    )
    assert list(ExternalIdentity.objects.values_list("subject", flat=True)) == ["New"]


def test_subject_of_another_user_is_refused(client, county_admin, officer_a, county_bureau):
    bind(county_bureau, Provider.WECOM, "ZhangSan")
    client.force_login(county_admin)
    response = client.post(
        reverse("sso:identity_add", args=[officer_a.pk]),
        {"provider": "wecom", "subject": "ZhangSan"},
        follow=True,
    )
    assert "该外部账号已绑定到其他用户" in response.content.decode()
    assert ExternalIdentity.objects.get().user == county_bureau


@pytest.mark.parametrize(
    ("data", "shown"),
    [
        ({"provider": "wecom", "subject": "   "}, "请填写外部账号标识"),
        ({"provider": "wecom", "subject": "a b"}, "不能包含空白字符"),
        ({"provider": "facebook", "subject": "x"}, "facebook"),
    ],
)
def test_bad_input_gets_a_clear_message(client, county_admin, officer_a, data, shown):
    client.force_login(county_admin)
    response = client.post(reverse("sso:identity_add", args=[officer_a.pk]), data, follow=True)
    assert shown in response.content.decode()
    assert not ExternalIdentity.objects.exists()


def test_admin_of_another_region_gets_404(client, officer_a, other_county):
    outsider = AdminUserFactory(username="other_admin", region=other_county)
    identity = bind(officer_a, Provider.WECOM, "ZhangSan")
    client.force_login(outsider)
    add = client.post(
        reverse("sso:identity_add", args=[officer_a.pk]), {"provider": "cas", "subject": "x"}
    )
    remove = client.post(reverse("sso:identity_remove", args=[identity.pk]))
    assert add.status_code == 404 and remove.status_code == 404
    assert list(ExternalIdentity.objects.all()) == [identity]


def test_non_admin_gets_403(client, county_bureau, officer_a):
    identity = bind(officer_a, Provider.WECOM, "ZhangSan")
    client.force_login(county_bureau)
    response = client.post(reverse("sso:identity_remove", args=[identity.pk]))
    assert response.status_code == 403
    assert ExternalIdentity.objects.exists()


def test_admin_unbinds(client, county_admin, officer_a):
    identity = bind(officer_a, Provider.WECOM, "ZhangSan")
    client.force_login(county_admin)
    response = client.post(reverse("sso:identity_remove", args=[identity.pk]), follow=True)
    assert not ExternalIdentity.objects.exists()
    assert "已解除企业微信账号“ZhangSan”的绑定" in response.content.decode()


def test_superusers_identities_are_out_of_a_region_admins_reach(
    client, county_admin, django_user_model
):
    root = django_user_model.objects.create_superuser("root", "r@example.org", "x-Pass-2026!")
    identity = bind(root, Provider.OIDC, "root-sub")
    client.force_login(county_admin)
    assert client.post(reverse("sso:identity_remove", args=[identity.pk])).status_code == 404
    assert ExternalIdentity.objects.filter(pk=identity.pk).exists()


def test_service_refuses_binding_for_someone_one_does_not_manage(officer_a, county_bureau):
    with pytest.raises(NotAllowed):
        identity_bind(user=officer_a, provider="wecom", subject="x", by=county_bureau)
    assert not ExternalIdentity.objects.exists()
