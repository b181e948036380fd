"""Pages: scoping (another hospital's record → 404, nothing changed), forms, exports and
constant query counts on the lists."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.dates import today
from tests.factories import HospitalFactory
from tests.reports.helpers import table
from training.models import Certificate, ResponsibilityLetter, TrainingSession

from .factories import make_certificate, make_letter, make_session

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "name,factory",
    [
        ("training:session", lambda h, o: make_session(h, o)),
        ("training:session_edit", lambda h, o: make_session(h, o)),
        ("training:certificate", lambda h, o: make_certificate(h, o)),
        ("training:certificate_edit", lambda h, o: make_certificate(h, o)),
        ("training:letter", lambda h, o: make_letter(h, o)),
        ("training:letter_edit", lambda h, o: make_letter(h, o)),
    ],
)
def test_another_hospitals_record_is_404(
    client, name, factory, hospital_a, officer_a, officer_b, other_county_bureau
):
    obj = factory(hospital_a, officer_a)
    url = reverse(name, args=[obj.pk])
    for outsider in (officer_b, other_county_bureau):
        assert _login(client, outsider).get(url).status_code == 404


def test_outsider_post_changes_nothing(client, hospital_a, officer_a, officer_b):
    session = make_session(hospital_a, officer_a, title="原主题")
    response = _login(client, officer_b).post(
        reverse("training:session_edit", args=[session.pk]), {"title": "被改"}
    )
    assert response.status_code == 404
    session.refresh_from_db()
    assert session.title == "原主题"


def test_bureau_sees_but_may_not_edit(client, hospital_a, officer_a, county_bureau):
    certificate = make_certificate(hospital_a, officer_a)
    _login(client, county_bureau)
    assert client.get(reverse("training:certificate", args=[certificate.pk])).status_code == 200
    url = reverse("training:certificate_edit", args=[certificate.pk])
    assert client.post(url, {"holder": "x"}).status_code == 403
    certificate.refresh_from_db()
    assert certificate.holder == "张建华"


def test_officer_records_a_session_through_the_form(client, hospital_a, officer_a):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (3, 4, 5)).save(buffer, "PNG")
    response = _login(client, officer_a).post(
        reverse("training:session_new"),
        {
            "held_on": str(today()),
            "kind": "new_staff",
            "title": "岗前培训",
            "trainer": "林",
            "hours": "4",
            "attendee_count": "5",
            "attendees": "甲\n乙",
            "sign_in_sheets": SimpleUploadedFile("签到.png", buffer.getvalue(), "image/png"),
        },
    )
    session = TrainingSession.objects.get()
    assert response.status_code == 302
    assert session.hospital == hospital_a
    assert session.files.get().kind == "sign_in"
    page = client.get(reverse("training:session", args=[session.pk]))
    assert "岗前培训" in page.content.decode()


def test_refused_form_shows_why_and_saves_nothing(client, hospital_a, officer_a):
    response = _login(client, officer_a).post(
        reverse("training:letter_new"),
        {
            "year": str(today().year),
            "level": "bureau_hospital",
            "party_a": "局",
            "party_b": "院",
            "signed_on": str(today()),
        },
    )
    assert response.status_code == 200
    assert "扫描件" in response.content.decode()
    assert not ResponsibilityLetter.objects.exists()


def _sheet_rows(content: bytes):
    """The header row, then the data rows (title, scope line, totals and sign-off left out)."""
    workbook = load_workbook(io.BytesIO(content))
    headers, data = table(workbook.worksheets[0], totals=False)
    return [tuple(headers), *data]


def test_session_export_has_the_visible_filtered_rows(
    client, hospital_a, hospital_b, officer_a, officer_b, county_bureau
):
    make_session(hospital_a, officer_a, title="A 全员培训")
    make_session(hospital_a, officer_a, title="A 新员工", kind="new_staff")
    make_session(hospital_b, officer_b, title="B 全员培训")  # another county
    response = _login(client, county_bureau).get(
        reverse("training:sessions_export"), {"kind": "all_staff"}
    )
    rows = _sheet_rows(response.content)
    assert rows[0][0] == "医疗机构"
    assert [row[3] for row in rows[1:]] == ["A 全员培训"]
    assert rows[1][0] == hospital_a.name


def test_certificate_export_marks_states(client, hospital_a, officer_a):
    make_certificate(hospital_a, officer_a, number="1", valid_until=today() - dt.timedelta(1))
    make_certificate(hospital_a, officer_a, number="2", valid_until=today() + dt.timedelta(400))
    response = _login(client, officer_a).get(reverse("training:certificates_export"))
    rows = _sheet_rows(response.content)[1:]
    assert sorted((row[3], row[5]) for row in rows) == [("1", "已过期"), ("2", "有效")]


def test_letter_export_counts_scans(client, hospital_a, officer_a):
    make_letter(hospital_a, officer_a)
    response = _login(client, officer_a).get(reverse("training:letters_export"))
    rows = _sheet_rows(response.content)[1:]
    assert len(rows) == 1
    assert rows[0][2] == "卫健局—医院"
    assert rows[0][6] == 1


def test_letters_missing_lists_the_regions_unsigned(
    client, county, hospital_a, officer_a, county_bureau, officer_b
):
    signed_elsewhere = HospitalFactory(region=county, name="已签医院")
    make_letter(hospital_a, officer_a, level="hospital_department")  # not the bureau level
    ResponsibilityLetter.objects.create(
        hospital=signed_elsewhere,
        year=today().year,
        level="bureau_hospital",
        party_a="局",
        party_b="院",
        signed_on=today(),
    )
    response = _login(client, county_bureau).get(reverse("training:letters_missing"))
    names = [h.name for h in response.context["page"]]
    assert names == [hospital_a.name]
    assert _login(client, officer_b).get(reverse("training:letters_missing")).status_code == 403


def _many(hospital, officer, n, start=0):
    for i in range(start, start + n):
        make_session(hospital, officer, title=f"培训{i}")
        make_certificate(hospital, officer, number=f"N{i}")
        make_letter(hospital, officer, colour=(i, i, i), level="department_post")


@pytest.mark.parametrize(
    "name",
    [
        "training:sessions",
        "training:certificates",
        "training:letters",
        "training:figures",
        "training:letters_missing",
    ],
)
def test_list_query_count_does_not_grow_with_rows(
    client, django_assert_num_queries, name, county, hospital_a, officer_a, county_bureau
):
    _many(hospital_a, officer_a, 1)
    _login(client, county_bureau)
    url = reverse(name)
    client.get(url)  # warm up (session, caches)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    _many(hospital_a, officer_a, 4, start=1)
    for i in range(4):
        HospitalFactory(region=county, name=f"医院{i}")
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get(url).status_code == 200


def test_bureau_dashboard_card_shows_and_costs_constant_queries(
    client, county, hospital_a, officer_a, county_bureau
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _many(hospital_a, officer_a, 1)
    _login(client, county_bureau)
    url = reverse("home")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        response = client.get(url)
    assert 'id="training-card"' in response.content.decode()
    for i in range(3):
        hospital = HospitalFactory(region=county, name=f"医院{i}")
        make_session(hospital, _officer(hospital), title="x")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    training_sql = [q for q in many.captured_queries if "training_" in q["sql"]]
    assert len(training_sql) == len([q for q in one.captured_queries if "training_" in q["sql"]])


def _officer(hospital):
    from tests.factories import OfficerFactory

    return OfficerFactory(hospital=hospital)


def test_checklist_item_shows_the_computed_figure(hospital_a, officer_a):
    from django.template import Context, Template

    make_session(hospital_a, officer_a)

    class Inspection:
        hospital = hospital_a
        inspected_on = today()

    html = Template("{% load training_tags %}{% training_item_figures code inspection %}").render(
        Context({"code": "TRAIN-03", "inspection": Inspection()})
    )
    assert "全员安全生产培训 1 次" in html
    other = Template("{% load training_tags %}{% training_item_figures code inspection %}")
    assert "data-training-figures" not in other.render(
        Context({"code": "FIRE-01", "inspection": Inspection()})
    )


def test_certificate_list_state_filter(client, hospital_a, officer_a):
    make_certificate(hospital_a, officer_a, number="L", valid_until=today() - dt.timedelta(3))
    make_certificate(hospital_a, officer_a, number="S", valid_until=today() + dt.timedelta(3))
    make_certificate(hospital_a, officer_a, number="V", valid_until=today() + dt.timedelta(300))
    _login(client, officer_a)
    for state, number in (("lapsed", "L"), ("due_soon", "S"), ("valid", "V")):
        page = client.get(reverse("training:certificates"), {"state": state}).context["page"]
        assert [c.number for c in page] == [number]
    assert Certificate.objects.count() == 3


def test_inspection_record_page_shows_the_training_figures(client, hospital_a, officer_a):
    from tests.inspections.factories import started

    make_session(hospital_a, officer_a)
    inspection = started(officer_a, hospital_a)
    sections = list(inspection.template.sections.order_by("order", "pk"))
    index = next(i for i, s in enumerate(sections, 1) if s.items.filter(code="TRAIN-03").exists())
    response = _login(client, officer_a).get(
        reverse("inspections:record", args=[inspection.pk]), {"section": index}
    )
    html = response.content.decode()
    assert html.count("data-training-figures") == 2  # TRAIN-03 and TRAIN-04
    assert "全员安全生产培训 1 次" in html
    first = _login(client, officer_a).get(reverse("inspections:record", args=[inspection.pk]))
    assert "data-training-figures" not in first.content.decode()


def test_lists_show_only_visible_rows_and_filter_by_region(
    client, hospital_a, hospital_b, officer_a, officer_b, city_bureau, county
):
    make_session(hospital_a, officer_a, title="A 培训")
    make_session(hospital_b, officer_b, title="B 培训")
    titles = [
        s.title for s in _login(client, officer_a).get(reverse("training:sessions")).context["page"]
    ]
    assert titles == ["A 培训"]
    _login(client, city_bureau)
    both_ = {s.title for s in client.get(reverse("training:sessions")).context["page"]}
    assert both_ == {"A 培训", "B 培训"}
    page = client.get(reverse("training:sessions"), {"region": county.pk}).context["page"]
    assert [s.title for s in page] == ["A 培训"]
