"""What lands in the audit log: logins, failed logins, logouts, refusals, exports, downloads,
state changes and admin actions — each with who, what, object, when, address and client."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import reverse

from audit.choices import Action, Source
from audit.models import AuditEntry
from hospitals.models import Region
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

UA = "Mozilla/5.0 (审计测试)"


def browser() -> Client:
    return Client(HTTP_USER_AGENT=UA, REMOTE_ADDR="10.1.2.3")


def only_entry(**filters) -> AuditEntry:
    entries = list(AuditEntry.objects.filter(**filters))
    assert len(entries) == 1, entries
    return entries[0]


def test_login_is_recorded_with_address_and_client(officer_a, county):
    client = browser()
    response = client.post(
        reverse("login"), {"username": "officer_a", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    entry = only_entry(action=Action.LOGIN)
    assert entry.actor_id == officer_a.pk
    assert entry.actor_name == officer_a.display_name
    assert entry.username == "officer_a"
    assert entry.ip == "10.1.2.3"
    assert entry.user_agent == UA
    assert entry.method == "POST" and entry.path == reverse("login")
    assert entry.source == Source.WEB
    assert entry.scope_path == officer_a.hospital.region.path
    # The login POST itself is not recorded a second time as a state change.
    assert AuditEntry.objects.count() == 1


def test_failed_login_records_the_username_attempted(officer_a):
    client = browser()
    response = client.post(reverse("login"), {"username": "officer_a", "password": "wrong"})
    assert response.status_code == 200
    entry = only_entry(action=Action.LOGIN_FAILED)
    assert entry.actor_id is None
    assert entry.username == "officer_a"
    assert entry.ip == "10.1.2.3"
    assert entry.user_agent == UA
    # Bound to the account's region, so the county's auditor sees attacks on its accounts.
    assert entry.scope_path == officer_a.hospital.region.path


def test_failed_login_for_an_unknown_name_is_recorded_without_scope(db):
    browser().post(reverse("login"), {"username": "nobody", "password": "x"})
    entry = only_entry(action=Action.LOGIN_FAILED)
    assert entry.username == "nobody" and entry.scope_path == ""


def test_logout_is_recorded(officer_a):
    client = browser()
    client.force_login(officer_a)
    client.post(reverse("logout"))
    entry = only_entry(action=Action.LOGOUT)
    assert entry.actor_id == officer_a.pk
    assert entry.ip == "10.1.2.3"


def test_a_403_refusal_is_recorded(officer_a):
    client = browser()
    client.force_login(officer_a)
    response = client.get(reverse("hospitals:create"))
    assert response.status_code == 403
    entry = only_entry(action=Action.PERMISSION_DENIED)
    assert entry.actor_id == officer_a.pk
    assert entry.status == 403
    assert entry.method == "GET" and entry.path == reverse("hospitals:create")
    assert entry.detail["url_name"] == "hospitals:create"


def test_a_404_for_another_hospitals_object_is_recorded_as_a_refusal(officer_a, hospital_b):
    client = browser()
    client.force_login(officer_a)
    response = client.get(reverse("hospitals:detail", args=[hospital_b.pk]))
    assert response.status_code == 404
    entry = only_entry(action=Action.PERMISSION_DENIED)
    assert entry.status == 404
    assert entry.object_type == "hospitals" and entry.object_id == str(hospital_b.pk)
    assert entry.detail["not_found"] is True


def test_page_views_are_not_recorded(officer_a):
    client = browser()
    client.force_login(officer_a)
    before = AuditEntry.objects.count()
    assert client.get(reverse("hazards:list")).status_code == 200
    assert client.get(reverse("my_work")).status_code == 200
    assert AuditEntry.objects.count() == before


def test_an_export_is_recorded_with_filename_and_query(county_bureau):
    client = browser()
    client.force_login(county_bureau)
    response = client.get(reverse("hospitals:export"), {"q": "医院"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    entry = only_entry(action=Action.EXPORT)
    assert entry.actor_id == county_bureau.pk
    assert entry.detail["url_name"] == "hospitals:export"
    assert entry.detail["filename"].endswith(".xlsx")
    assert "q=" in entry.detail["query"]


def test_a_file_download_is_recorded(county_admin):
    client = browser()
    client.force_login(county_admin)
    response = client.get(reverse("hospitals:import_template"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    entry = only_entry(action=Action.DOWNLOAD)
    assert entry.detail["url_name"] == "hospitals:import_template"


def test_a_state_changing_post_is_recorded_with_its_object(officer_a, hospital_a):
    client = browser()
    client.force_login(officer_a)
    response = client.post(
        reverse("hospitals:contacts", args=[hospital_a.pk]),
        {
            "security_head": "王五",
            "security_head_phone": "13800000001",
            "contact_person": "赵六",
            "contact_phone": "13900000002",
        },
    )
    assert response.status_code == 302
    entry = only_entry(action=Action.STATE_CHANGE)
    assert entry.actor_id == officer_a.pk
    assert entry.method == "POST"
    assert entry.status == 302
    assert entry.object_type == "hospitals" and entry.object_id == str(hospital_a.pk)
    assert entry.detail["url_name"] == "hospitals:contacts"


def test_a_refused_post_is_recorded_as_a_refusal_not_a_change(officer_b, hospital_a):
    client = browser()
    client.force_login(officer_b)
    response = client.post(reverse("hospitals:contacts", args=[hospital_a.pk]), {})
    assert response.status_code == 404
    assert only_entry(action=Action.PERMISSION_DENIED).method == "POST"
    assert not AuditEntry.objects.filter(action=Action.STATE_CHANGE).exists()


def test_user_management_is_recorded_as_an_admin_action(county, officer_a):
    secadmin = UserFactory(username="sec", role="secadmin", region=county)
    client = browser()
    client.force_login(secadmin)
    response = client.post(
        reverse("accounts:user_toggle_active", args=[officer_a.pk]), {"active": "0"}
    )
    assert response.status_code == 302
    entry = only_entry(action=Action.ADMIN_ACTION)
    assert entry.actor_id == secadmin.pk
    assert entry.object_type == "accounts" and entry.object_id == str(officer_a.pk)
    assert entry.detail["url_name"] == "accounts:user_toggle_active"


def test_django_admin_actions_are_recorded_from_the_log_entry(db):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    region = Region.objects.create(name="待删区域", code="DEL", level="county")
    client = browser()
    client.force_login(root)
    response = client.post(
        reverse("admin:hospitals_region_delete", args=[region.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert LogEntry.objects.count() == 1
    entry = only_entry(action=Action.ADMIN_ACTION)
    assert entry.actor_id == root.pk
    assert entry.object_type == "hospitals.region"
    assert entry.object_id == str(region.pk)
    assert entry.object_repr == str(region)
    assert entry.detail["admin"] == "delete"
    assert entry.ip == "10.1.2.3"
    assert entry.source == Source.ADMIN


def test_nothing_is_recorded_when_switched_off(settings, officer_a):
    settings.AUDIT_LOG_ENABLED = False
    client = browser()
    client.post(reverse("login"), {"username": "officer_a", "password": "wrong"})
    client.force_login(officer_a)
    client.get(reverse("hospitals:create"))
    assert not AuditEntry.objects.exists()


def test_a_system_task_that_changes_records_is_recorded(hospital_a):
    from inspections.tasks import generate_assignments
    from reports.tasks import refresh_figures

    generate_assignments.delay()  # eager in the tests: the same signals as on a worker
    entry = only_entry(action=Action.SYSTEM, object_repr="inspections.generate_assignments")
    assert entry.source == Source.SYSTEM and entry.actor_id is None
    assert entry.detail["task"] == "inspections.generate_assignments"
    assert entry.detail["state"] == "SUCCESS"
    assert isinstance(entry.detail["result"], int)
    # A periodic read (figures refresh) changes no one's records and is not logged.
    refresh_figures.delay()
    assert not AuditEntry.objects.filter(object_repr="reports.refresh_figures").exists()
