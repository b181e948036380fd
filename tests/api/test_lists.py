"""Lists: cursor pagination, the list pages' filters, a constant number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.dates import today
from hazards.filters import HazardFilter
from hazards.models import Hazard
from security import services as security_services
from tests.factories import BureauUserFactory, HospitalFactory, OfficerFactory, RegionFactory
from tests.hazards.factories import raise_hazard

from .helpers import api_client, issue


@pytest.fixture
def scope(db):
    county = RegionFactory(code="JJ", level="county")
    other = RegionFactory(code="NA", level="county")
    hospital_a = HospitalFactory(region=county)
    hospital_b = HospitalFactory(region=county)
    hospital_c = HospitalFactory(region=other)
    officer_a = OfficerFactory(hospital=hospital_a)
    officer_b = OfficerFactory(hospital=hospital_b)
    officer_c = OfficerFactory(hospital=hospital_c)
    bureau = BureauUserFactory(region=county)
    return {
        "county": county,
        "a": (hospital_a, officer_a),
        "b": (hospital_b, officer_b),
        "c": (hospital_c, officer_c),
        "bureau": bureau,
    }


def _raise(hospital, officer, n, **kwargs):
    return [raise_hazard(hospital=hospital, found_by=officer, **kwargs) for _ in range(n)]


def test_cursor_pages_walk_every_row_once_newest_first(scope, settings):
    settings.API_PAGE_SIZE = 2
    hospital, officer = scope["a"]
    hazards = _raise(hospital, officer, 5)
    _t, secret = issue(scope["bureau"])
    client = api_client(secret)
    url, seen = "/api/v1/hazards/", []
    while url:
        body = client.get(url).json()
        assert len(body["results"]) <= 2
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert seen == sorted((h.pk for h in hazards), reverse=True)


def test_page_size_parameter_is_capped(scope, settings):
    settings.API_MAX_PAGE_SIZE = 3
    hospital, officer = scope["a"]
    _raise(hospital, officer, 5)
    _t, secret = issue(scope["bureau"])
    body = api_client(secret).get("/api/v1/hazards/?page_size=100").json()
    assert len(body["results"]) == 3


def test_a_bad_cursor_is_a_json_404(scope):
    _t, secret = issue(scope["bureau"])
    response = api_client(secret).get("/api/v1/hazards/?cursor=nonsense")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_lists_are_scoped_like_the_pages(scope):
    for key in ("a", "b", "c"):
        _raise(*scope[key], 1)
    _t, officer_secret = issue(scope["a"][1])
    _t, bureau_secret = issue(scope["bureau"])
    rows = api_client(officer_secret).get("/api/v1/hazards/").json()["results"]
    assert {r["hospital"] for r in rows} == {scope["a"][0].pk}
    rows = api_client(bureau_secret).get("/api/v1/hazards/").json()["results"]
    assert {r["hospital"] for r in rows} == {scope["a"][0].pk, scope["b"][0].pk}
    hospitals = api_client(bureau_secret).get("/api/v1/hospitals/").json()["results"]
    assert {h["id"] for h in hospitals} == {scope["a"][0].pk, scope["b"][0].pk}


def test_hazard_filters_match_the_list_page(scope):
    hospital_a, officer_a = scope["a"]
    hospital_b, officer_b = scope["b"]
    major = raise_hazard(hospital=hospital_a, found_by=officer_a, risk_level="major")
    general = raise_hazard(hospital=hospital_a, found_by=officer_a, location="锅炉房")
    late = raise_hazard(
        hospital=hospital_b,
        found_by=officer_b,
        found_on=today() - dt.timedelta(days=40),
        deadline=today() - dt.timedelta(days=2),
    )
    _t, secret = issue(scope["bureau"])
    client = api_client(secret)

    def ids(query):
        response = client.get(f"/api/v1/hazards/?{query}")
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids("risk_level=major") == {major.pk}
    assert ids("q=锅炉") == {general.pk}
    assert ids(f"hospital={hospital_b.pk}") == {late.pk}
    assert ids("overdue=true") == {late.pk}
    assert ids("view=overdue") == {late.pk}
    assert ids(f"region={scope['county'].pk}&status=open") == {major.pk, general.pk, late.pk}

    # Same answer as the page's FilterSet over the same scope.
    class _Req:
        user = scope["bureau"]

    page = HazardFilter(
        {"risk_level": "general"}, queryset=Hazard.objects.visible_to(_Req.user), request=_Req
    )
    assert ids("risk_level=general") == set(page.qs.values_list("pk", flat=True))


def test_an_invalid_filter_is_a_translated_400(scope):
    _t, secret = issue(scope["bureau"])
    response = api_client(secret).get("/api/v1/hazards/?risk_level=nonsense")
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "risk_level"
    assert "nonsense" in body["detail"]
    response = api_client(secret, **{"Accept-Language": "en"}).get(
        "/api/v1/hazards/?risk_level=nonsense"
    )
    assert response.json()["detail"].startswith("Select a valid choice.")


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/hazards/",
        "/api/v1/hospitals/",
        "/api/v1/regions/",
        "/api/v1/inspections/",
        "/api/v1/security-items/",
        "/api/v1/reports/",
    ],
)
def test_lists_keep_a_constant_number_of_queries(scope, url, django_assert_num_queries):
    _t, secret = issue(scope["bureau"])
    client = api_client(secret)

    def grow():
        for key in ("a", "b"):
            hospital, officer = scope[key]
            _raise(hospital, officer, 2)
            security_services.checklist_ensure(hospital=hospital)

    grow()
    client.get(url)  # warm: the token's last-used stamp is written at most once a minute
    response = client.get(url)
    assert response.status_code == 200
    with django_assert_num_queries(_count(client, url)) as captured:
        client.get(url)
    small = len(captured)
    grow()
    grow()
    with django_assert_num_queries(small):
        assert client.get(url).status_code == 200


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return len(ctx)
