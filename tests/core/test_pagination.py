"""The one list toolkit: `core.pagination.paginate` and `templates/_pagination.html`."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from core.dates import today
from core.pagination import Keyset, KeysetPage, page_number, paginate
from hazards.models import Hazard
from hospitals.models import Hospital
from hospitals.views import HOSPITALS
from tests.factories import HospitalFactory
from tests.hazards.factories import raise_hazard

ROOT = Path(settings.BASE_DIR)
ROWS = list(range(1, 101))  # 100 rows: 10 pages of 10


def _get(query: str = ""):
    return RequestFactory().get(f"/list/?{query}")


# ---- page numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["abc", "", "0", "-3", "1.5", "1e3", "%00"])
def test_a_bad_page_number_shows_the_first_page(value):
    page = paginate(_get(f"page={value}"), ROWS, per_page=10)
    assert page.number == 1
    assert list(page) == list(range(1, 11))


def test_no_page_number_is_the_first_page():
    assert paginate(_get(), ROWS, per_page=10).number == 1
    assert page_number(None) == 1


@pytest.mark.parametrize("value", ["11", "99999", str(10**30)])
def test_a_page_past_the_end_shows_the_last_page(value):
    page = paginate(_get(f"page={value}"), ROWS, per_page=10)
    assert page.number == 10
    assert list(page) == list(range(91, 101))


def test_an_empty_list_has_one_empty_page_whatever_is_asked():
    for value in ("1", "7", "abc"):
        page = paginate(_get(f"page={value}"), [], per_page=10)
        assert page.number == 1 and list(page) == [] and not page.has_other_pages()


def test_per_page_choices_take_only_the_offered_sizes():
    sizes = (20, 50, 100)
    assert paginate(_get("per_page=50"), ROWS, per_page=sizes).paginator.per_page == 50
    for bad in ("7", "abc", "-20", ""):
        assert paginate(_get(f"per_page={bad}"), ROWS, per_page=sizes).paginator.per_page == 20


@pytest.mark.django_db
def test_a_given_count_replaces_the_paginators_count_query(
    django_assert_num_queries, hospital_a, hospital_b
):
    rows = Hospital.objects.order_by("pk")
    with django_assert_num_queries(1):  # the page's rows only: no COUNT(*)
        page = paginate(_get("page=2"), rows, per_page=1, count=2)
        assert [h.pk for h in page] == [hospital_b.pk]
        assert page.paginator.count == 2 and page.paginator.num_pages == 2
    asked = []
    page = paginate(_get(), rows, per_page=1, count=lambda: asked.append(1) or 2)
    assert page.paginator.count == page.paginator.count == 2
    assert asked == [1]  # a callable count runs once


# ---- the partial ----------------------------------------------------------------------------


def _links(html: str) -> list[str]:
    return [href.replace("&amp;", "&") for href in re.findall(r'href="([^"]*)"', html)]


def test_links_keep_the_filters_and_replace_only_the_page():
    request = _get("status=open&region=3&region=4&per_page=20&page=5")
    html = render_to_string(
        "_pagination.html", {"page": paginate(request, ROWS, per_page=10)}, request=request
    )
    links = _links(html)
    assert links == [
        "?status=open&region=3&region=4&per_page=20&page=1",
        "?status=open&region=3&region=4&per_page=20&page=4",
        "?status=open&region=3&region=4&per_page=20&page=6",
        "?status=open&region=3&region=4&per_page=20&page=10",
    ]
    assert 'aria-label="分页"' in html
    assert re.search(r'aria-current="page"><span class="page-link">第 5 / 10 页<', html)
    assert 'rel="prev"' in html and 'rel="next"' in html


def test_first_and_last_pages_offer_only_the_links_that_lead_somewhere():
    first = render_to_string(
        "_pagination.html", {"page": paginate(_get(), ROWS, per_page=10)}, request=_get()
    )
    assert _links(first) == ["?page=2", "?page=10"]
    last_request = _get("page=10")
    last = render_to_string(
        "_pagination.html",
        {"page": paginate(last_request, ROWS, per_page=10)},
        request=last_request,
    )
    assert _links(last) == ["?page=1", "?page=9"]


def test_one_page_renders_nothing_and_an_anchor_follows_the_links():
    request = _get()
    assert (
        render_to_string(
            "_pagination.html", {"page": paginate(request, ROWS[:5], per_page=10)}, request=request
        ).strip()
        == ""
    )
    html = render_to_string(
        "_pagination.html",
        {"page": paginate(request, ROWS, per_page=10), "anchor": "league"},
        request=request,
    )
    assert _links(html) == ["?page=2#league", "?page=10#league"]


def test_the_partial_is_translated():
    request = _get("page=2")
    page = paginate(request, ROWS, per_page=10)
    with translation.override("en"):
        html = render_to_string("_pagination.html", {"page": page}, request=request)
    assert "上一页" not in html and "下一页" not in html
    assert ">Previous<" in html and ">Next<" in html and ">Last<" in html


# ---- keyset mode ----------------------------------------------------------------------------


@pytest.fixture
def nine_hazards(hospital_a, officer_a):
    """Three a day over three days: ties on found_on are broken by id."""
    for n in range(9):
        raise_hazard(
            hospital=hospital_a, found_by=officer_a, found_on=today() - dt.timedelta(n // 3)
        )
    return list(Hazard.objects.order_by("-found_on", "-pk"))


def _newest_first():
    return Hazard.objects.order_by("-found_on", "-pk")


@pytest.mark.django_db
def test_keyset_next_link_starts_at_its_page_and_walks_every_row_once(nine_hazards):
    keyset = Keyset("found_on", from_page=2)
    first = paginate(_get(), _newest_first(), per_page=2, count=9, keyset=keyset)
    assert first.number == 1 and first.next_after is None  # numbered "next" before page 2
    second = paginate(_get("page=2"), _newest_first(), per_page=2, count=9, keyset=keyset)
    assert second.next_after == keyset.token(nine_hazards[3])
    walked = list(first) + list(second)
    query = f"after={second.next_after}"
    while True:
        page = paginate(_get(query), _newest_first(), per_page=2, count=9, keyset=keyset)
        assert isinstance(page, KeysetPage) and page.number is None
        walked += list(page)
        if not page.has_next():
            assert page.next_after is None
            break
        query = f"after={page.next_after}"
    assert walked == nine_hazards


@pytest.mark.django_db
@pytest.mark.parametrize("after", ["x,1", "2020-13-01,5", "2026-01-01", ",", "2026-01-01,x"])
def test_keyset_malformed_after_shows_the_first_page(nine_hazards, after):
    page = paginate(
        _get(f"after={after}"), _newest_first(), per_page=2, count=9, keyset=Keyset("found_on")
    )
    assert page.number == 1 and list(page) == nine_hazards[:2]


@pytest.mark.django_db
def test_keyset_links_keep_the_filters_and_drop_page_and_after(nine_hazards):
    keyset = Keyset("found_on", from_page=1)
    request = _get("status=open&page=1")
    page = paginate(request, _newest_first(), per_page=2, count=9, keyset=keyset)
    html = render_to_string("_pagination.html", {"page": page}, request=request)
    assert f"?status=open&after={quote(page.next_after)}" in _links(html)
    request = _get(f"status=open&after={page.next_after}")
    deep = paginate(request, _newest_first(), per_page=2, count=9, keyset=keyset)
    links = _links(render_to_string("_pagination.html", {"page": deep}, request=request))
    assert links[0] == "?status=open&page=1"  # 首页: back to numbered pages
    assert links[1] == f"?status=open&after={quote(deep.next_after)}"
    assert links[2] == "?status=open&page=5"  # 末页


# ---- every list page ------------------------------------------------------------------------

LIST_PAGES = [
    ("hazards:list", {}),
    ("hazards:overdue", {}),
    ("hospitals:list", {}),
    ("training:sessions", {}),
    ("training:certificates", {}),
    ("training:figures", {}),
    ("training:letters", {}),
    ("training:letters_missing", {}),
    ("incidents:incident_list", {}),
    ("incidents:patrol_list", {}),
    ("incidents:short_days", {}),
    ("incidents:patrol_targets", {}),
    ("inspections:list", {}),
    ("inspections:calendar", {}),
    ("notifications:list", {}),
    ("notifications:robot_list", {}),
    ("notifications:delivery_list", {}),
    ("accounts:user_list", {}),
    ("security:overview", {}),
    ("reports:list", {}),
    ("reports:statutory", {}),
    ("home", {}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "kwargs"), LIST_PAGES)
@pytest.mark.parametrize("page", ["abc", "0", "99999", "-1"])
def test_every_list_page_answers_a_bad_page_number_with_a_page(
    client, county_admin, hospital_a, name, kwargs, page, settings
):
    # The county administrator reaches every list above (bureau side, and user management with
    # the duties combined).
    settings.ADMIN_DUTIES_SEPARATED = False
    client.force_login(county_admin)
    response = client.get(reverse(name, kwargs=kwargs), {"page": page, "per_page": "x"})
    assert response.status_code == 200, name


@pytest.mark.django_db
def test_drills_page_answers_a_bad_page_number_with_a_page(client, officer_a, hospital_a):
    client.force_login(officer_a)
    url = reverse("security:drills", kwargs={"pk": hospital_a.pk})
    for page in ("abc", "99999"):
        assert client.get(url, {"page": page}).status_code == 200


@pytest.mark.django_db
def test_hospital_list_pages_keep_the_filters(client, county_bureau, county):
    for n in range(25):
        HospitalFactory(name=f"医院{n:02d}", region=county)
    client.force_login(county_bureau)
    response = client.get(reverse("hospitals:list"), {"q": "医院", "page": "2"})
    assert response.context["page"].number == 2
    html = response.content.decode()
    assert "?q=%E5%8C%BB%E9%99%A2&amp;page=1" in html


# ---- one partial, one helper ----------------------------------------------------------------

TEMPLATES = ROOT / "templates"
APPS = [
    path.parent
    for path in ROOT.glob("*/apps.py")
    if path.parent.name not in {"tests", "bench", "config"}
]


def test_only_one_pagination_partial_exists():
    partials = sorted(str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*pagination*"))
    assert partials == ["_pagination.html"]
    for app in APPS:
        assert not list((app / "templates").rglob("*pagination*")), app


LIST_TEMPLATES = {
    "accounts/user_list.html",
    "hazards/list.html",
    "hospitals/hospital_list.html",
    "incidents/incident_list.html",
    "incidents/patrol_list.html",
    "incidents/patrol_targets.html",
    "incidents/short_days.html",
    "inspections/calendar.html",
    "inspections/inspection_list.html",
    "notifications/delivery_list.html",
    "notifications/notification_list.html",
    "notifications/robot_list.html",
    "reports/bureau_home.html",
    "reports/export_list.html",
    "reports/statutory_list.html",
    "security/drills.html",
    "security/overview.html",
    "training/certificates.html",
    "training/figures.html",
    "training/letters.html",
    "training/letters_missing.html",
    "training/sessions.html",
}


def test_every_list_template_includes_the_one_partial_and_writes_no_pager_of_its_own():
    including = []
    for path in TEMPLATES.rglob("*.html"):
        if path.name == "_pagination.html":
            continue
        text = path.read_text(encoding="utf-8")
        includes = re.findall(r'{%\s*include\s+"([^"]*pagination[^"]*)"', text)
        assert set(includes) <= {"_pagination.html"}, path
        # No inline paginator: the markup and the page links live in the partial only.
        assert 'class="pagination' not in text, path
        assert "page-link" not in text, path
        assert not re.search(r"[?&]h?page=", text), path
        if includes:
            including.append(str(path.relative_to(TEMPLATES)))
    # Every list page of LIST_PAGES (and the drills page) shows the one partial.
    assert LIST_TEMPLATES <= set(including)


def test_views_paginate_only_through_the_helper():
    """No view builds its own Paginator or reads `?page=` itself."""
    offenders = []
    for path in ROOT.glob("*/*.py"):
        if path.parts[-2] in {"tests", ".venv"} or path == ROOT / "core" / "pagination.py":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"\bPaginator\(|\.get_page\(|GET\.get\(\s*\"h?page\"", text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_django_tables2_is_gone():
    assert "django_tables2" not in settings.INSTALLED_APPS
    assert not hasattr(settings, "DJANGO_TABLES2_TEMPLATE")
    requirements = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    assert "django-tables2" not in requirements


@pytest.mark.django_db
def test_a_filtered_list_pages_and_exports_the_same_rows(county_bureau, county, hospital_b):
    for n in range(3):
        HospitalFactory(name=f"晋江医院{n}", region=county)
    HospitalFactory(name="晋江诊所", region=county)
    request = _get("q=医院&per_page=20")
    request.user = county_bureau
    context = HOSPITALS.page_context(request, extra=1)
    shown = {h.name for h in context["page"]}
    assert shown == {f"晋江医院{n}" for n in range(3)}  # no other county's, no 诊所
    assert {h.name for h in HOSPITALS.rows(request)} == shown
    assert context["filter"].is_bound and context["extra"] == 1
