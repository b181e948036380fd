"""The audit administrator's pages: list with filters (constant queries), detail, export
(itself audited), chain status; region-scoped."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit import chain
from audit.choices import Action
from audit.models import AuditEntry
from audit.recorder import audit_record

pytestmark = pytest.mark.django_db

LIST = reverse("audit:list")


def shown(response) -> list[AuditEntry]:
    return list(response.context["page"].object_list)


def test_county_auditor_sees_their_countys_people_only(
    client, county_auditor, officer_a, officer_b, county_bureau
):
    mine = audit_record(Action.LOGIN, actor=officer_a)
    bureau = audit_record(Action.EXPORT, actor=county_bureau)
    other = audit_record(Action.LOGIN, actor=officer_b)
    anonymous = audit_record(Action.LOGIN_FAILED, username="nobody")
    client.force_login(county_auditor)
    seqs = {e.seq for e in shown(client.get(LIST))}
    assert {mine.seq, bureau.seq} <= seqs
    assert other.seq not in seqs and anonymous.seq not in seqs
    assert client.get(reverse("audit:detail", args=[other.pk])).status_code == 404
    response = client.get(reverse("audit:detail", args=[mine.pk]))
    assert response.status_code == 200
    assert mine.hash in response.content.decode()


def test_city_auditor_sees_the_counties_and_entries_without_a_region(
    client, city_auditor, officer_a, officer_b
):
    a = audit_record(Action.LOGIN, actor=officer_a)
    b = audit_record(Action.LOGIN, actor=officer_b)
    anonymous = audit_record(Action.LOGIN_FAILED, username="nobody")
    client.force_login(city_auditor)
    seqs = {e.seq for e in shown(client.get(LIST))}
    assert {a.seq, b.seq, anonymous.seq} <= seqs


def test_filters(client, county_auditor, officer_a, county_bureau):
    with time_machine.travel(timezone.now() - dt.timedelta(days=10), tick=False):
        old = audit_record(Action.LOGIN, actor=officer_a)
    login = audit_record(Action.LOGIN, actor=county_bureau)
    refusal = audit_record(
        Action.PERMISSION_DENIED,
        actor=officer_a,
        object_type="hazards",
        object_id="42",
        object_repr="配电房隐患",
    )
    client.force_login(county_auditor)

    def seqs(**query):
        response = client.get(LIST, query)
        assert response.status_code == 200
        return {e.seq for e in shown(response)} - {
            e.seq for e in AuditEntry.objects.filter(actor=county_auditor)
        }

    assert seqs(action="permission_denied") == {refusal.seq}
    assert seqs(actor=county_bureau.username) == {login.seq}
    assert seqs(obj="配电房") == {refusal.seq}
    assert seqs(obj="42") == {refusal.seq}
    today = timezone.localdate()
    assert old.seq not in seqs(start=(today - dt.timedelta(days=2)).isoformat())
    assert seqs(end=(today - dt.timedelta(days=5)).isoformat()) == {old.seq}
    # A bad range is said, not silently ignored.
    response = client.get(LIST, {"start": "2026-05-02", "end": "2026-05-01"})
    assert "end" in response.context["form"].errors


def test_ip_filter(client, county_auditor, officer_a, rf):
    request = rf.get("/", REMOTE_ADDR="192.168.7.9")
    hit = audit_record(Action.LOGIN, actor=officer_a, request=request)
    audit_record(Action.LOGIN, actor=officer_a, request=rf.get("/", REMOTE_ADDR="10.0.0.1"))
    client.force_login(county_auditor)
    assert [e.seq for e in shown(client.get(LIST, {"ip": "192.168.7"}))] == [hit.seq]


def test_list_paginates_with_a_constant_number_of_queries(
    client, county_auditor, officer_a, county_bureau, django_assert_max_num_queries
):
    client.force_login(county_auditor)
    for _ in range(3):
        audit_record(Action.LOGIN, actor=officer_a)
    client.get(LIST)  # warm the session/user caches
    with django_assert_max_num_queries(12) as few:
        client.get(LIST)
    for i in range(60):
        audit_record(Action.EXPORT, actor=county_bureau if i % 2 else officer_a)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(LIST)
    assert len(shown(response)) == 50
    assert response.context["page"].paginator.num_pages == 2
    # 3 + 60 entries, and the auditor's own login.
    assert len(shown(client.get(LIST, {"page": 2}))) == 14


def test_export_is_a_workbook_and_is_itself_audited(client, county_auditor, officer_a):
    audit_record(Action.LOGIN, actor=officer_a)
    client.force_login(county_auditor)
    response = client.get(reverse("audit:export"), {"action": "login"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    text = " ".join(
        str(cell) for row in book.active.iter_rows(values_only=True) for cell in row if cell
    )
    assert officer_a.display_name in text
    export = AuditEntry.objects.get(action=Action.EXPORT, actor_id=county_auditor.pk)
    assert export.detail["url_name"] == "audit:export"
    assert "action=login" in export.detail["query"]


def test_chain_status_is_shown(client, county_auditor, officer_a):
    audit_record(Action.LOGIN, actor=officer_a)
    client.force_login(county_auditor)
    assert "尚未校验" in client.get(LIST).content.decode()
    chain.verify_and_record()
    page = client.get(LIST).content.decode()
    assert "审计链完整" in page
