"""我的工作 (issue 13 part 2): `reports.mywork.my_work` for each role, and its page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from core.dates import today
from hazards.services import hazard_request_extension
from inspections.choices import AssignmentKind
from inspections.services import inspection_start
from reports.mywork import my_work
from security.choices import ItemKind, ItemStatus
from security.services import checklist_ensure
from tests.factories import BureauDepartmentFactory, BureauUserFactory
from tests.hazards.conftest import start, submit
from tests.hazards.factories import raise_hazard
from tests.inspections.factories import make_assignment, started

pytestmark = pytest.mark.django_db


@pytest.fixture
def safety_template(db):
    from inspections import checklist_seed
    from inspections.models import ChecklistItem, ChecklistSection, ChecklistTemplate

    checklist_seed.install(ChecklistTemplate, ChecklistSection, ChecklistItem)


@pytest.fixture
def linked(county, hospital_a, hospital_b):
    """Hospital A is linked to department D1 (staff `inspector`), another county hospital to
    department D2 (staff `colleague`); both have today's linked-department day."""
    from tests.factories import HospitalFactory

    d1 = BureauDepartmentFactory(region=county, name="医政医管股")
    d2 = BureauDepartmentFactory(region=county, name="疾控股")
    hospital_c = HospitalFactory(region=county, name="第三医院")
    hospital_a.linked_department = d1
    hospital_a.save()
    hospital_c.linked_department = d2
    hospital_c.save()
    inspector = BureauUserFactory(username="jj_gw_test", region=county, department=d1)
    colleague = BureauUserFactory(username="jj_jk_test", region=county, department=d2)
    mine = make_assignment(hospital_a, due_date=today(), kind=AssignmentKind.LINKED, department=d1)
    theirs = make_assignment(
        hospital_c, due_date=today(), kind=AssignmentKind.LINKED, department=d2
    )
    return inspector, colleague, mine, theirs


def _keys(work, group):
    return [task.url for task in work.group(group).tasks]


def test_bureau_inspector_sees_only_their_own_assignments(linked, safety_template):
    inspector, colleague, mine, theirs = linked
    work = my_work(inspector)
    assert _keys(work, "assignments") == [reverse("inspections:assignment_start", args=[mine.pk])]
    task = work.group("assignments").tasks[0]
    assert task.deadline == today() and task.method == "post" and not task.overdue
    assert _keys(my_work(colleague), "assignments") == [
        reverse("inspections:assignment_start", args=[theirs.pk])
    ]


def test_a_started_assignment_moves_to_drafts_and_a_far_one_is_not_listed(linked, safety_template):
    inspector, _colleague, mine, _theirs = linked
    far = make_assignment(
        mine.hospital,
        due_date=today() + dt.timedelta(days=40),
        kind=AssignmentKind.LINKED,
        department=mine.department,
    )
    inspection = inspection_start(by=inspector, assignment=mine)
    work = my_work(inspector)
    assert _keys(work, "assignments") == []
    assert reverse("inspections:assignment_start", args=[far.pk]) not in _keys(work, "assignments")
    assert _keys(work, "drafts") == [reverse("inspections:record", args=[inspection.pk])]


def test_officer_sees_self_inspection_day_drafts_and_hazards_to_rectify(
    officer_a, officer_b, hospital_a, county_bureau, safety_template
):
    day = make_assignment(hospital_a, due_date=today() - dt.timedelta(days=2))
    draft = started(officer_a, hospital_a)
    to_start = raise_hazard(hospital=hospital_a, found_by=county_bureau, source="linked_department")
    to_submit = raise_hazard(hospital=hospital_a, found_by=officer_a, location="锅炉房")
    start(to_submit, officer_a)

    work = my_work(officer_a)
    assert _keys(work, "assignments") == [reverse("inspections:assignment_start", args=[day.pk])]
    assert work.group("assignments").tasks[0].overdue
    assert _keys(work, "drafts") == [reverse("inspections:record", args=[draft.pk])]
    assert set(_keys(work, "hazards")) == {
        reverse("hazards:action", args=[to_start.pk, "start"]),
        reverse("hazards:action", args=[to_submit.pk, "submit"]),
    }
    assert _keys(work, "extensions") == [] and _keys(work, "security") == []
    # Hospital B's officer has none of it.
    assert my_work(officer_b).total == 0


def test_bureau_sees_acceptance_and_extension_decisions(
    officer_a, hospital_a, county_bureau, safety_template
):
    found = raise_hazard(hospital=hospital_a, found_by=county_bureau, source="linked_department")
    start(found, officer_a)
    submit(found, officer_a)
    asking = raise_hazard(
        hospital=hospital_a,
        found_by=county_bureau,
        source="linked_department",
        deadline=today() + dt.timedelta(days=3),
        location="氧气站",
    )
    request = hazard_request_extension(
        hazard=asking,
        by=officer_a,
        requested_deadline=today() + dt.timedelta(days=30),
        reason="需采购配件",
    )
    work = my_work(county_bureau)
    assert _keys(work, "hazards") == [reverse("hazards:action", args=[found.pk, "accept"])]
    assert _keys(work, "extensions") == [
        reverse("hazards:extension_decide", args=[asking.pk, request.pk])
    ]
    assert work.group("extensions").tasks[0].deadline == asking.deadline
    # The officer waits for the bureau: nothing of this is theirs to do.
    assert reverse("hazards:action", args=[found.pk, "accept"]) not in _keys(
        my_work(officer_a), "hazards"
    )


def test_bureau_and_admin_see_4n_items_to_confirm(
    officer_a, hospital_a, county_bureau, county_admin, other_county_bureau
):
    items = {item.kind: item for item in checklist_ensure(hospital=hospital_a)}
    item = items[ItemKind.POLICE_ROOM]
    type(item).objects.filter(pk=item.pk).update(status=ItemStatus.PENDING)
    url = reverse("security:item", args=[item.pk])
    assert _keys(my_work(county_bureau), "security") == [url]
    assert _keys(my_work(county_admin), "security") == [url]
    assert _keys(my_work(other_county_bureau), "security") == []
    assert _keys(my_work(officer_a), "security") == []


def test_officer_sees_own_4n_items_due_soon_or_overdue(officer_a, officer_b, hospital_a):
    items = {item.kind: item for item in checklist_ensure(hospital=hospital_a)}
    model = type(items[ItemKind.POLICE_ROOM])
    late = items[ItemKind.POLICE_ROOM]
    soon = items[ItemKind.ALARM]
    far = items[ItemKind.GUARDS]
    declared = items[ItemKind.SCREENING]
    model.objects.filter(pk=late.pk).update(
        status=ItemStatus.IN_PROGRESS, target_date=today() - dt.timedelta(days=3)
    )
    model.objects.filter(pk=soon.pk).update(target_date=today() + dt.timedelta(days=20))
    model.objects.filter(pk=far.pk).update(target_date=today() + dt.timedelta(days=90))
    model.objects.filter(pk=declared.pk).update(
        status=ItemStatus.PENDING, target_date=today() - dt.timedelta(days=1)
    )
    work = my_work(officer_a)
    assert _keys(work, "security") == [
        reverse("security:item", args=[late.pk]),
        reverse("security:item", args=[soon.pk]),
    ]
    tasks = work.group("security").tasks
    assert tasks[0].overdue and not tasks[1].overdue
    assert tasks[1].deadline == today() + dt.timedelta(days=20)
    # Met items leave the list; another hospital's officer sees none of it.
    model.objects.filter(pk=late.pk).update(status=ItemStatus.MET)
    assert _keys(my_work(officer_a), "security") == [reverse("security:item", args=[soon.pk])]
    assert _keys(my_work(officer_b), "security") == []


def test_query_count_does_not_grow_with_the_work(
    django_assert_num_queries, officer_a, hospital_a, county_bureau, safety_template
):
    def count_for(user):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        user = type(user).objects.select_related("region", "hospital").get(pk=user.pk)
        with CaptureQueriesContext(connection) as captured:
            my_work(user)
        return len(captured)

    officer_before = count_for(officer_a)
    bureau_before = count_for(county_bureau)
    make_assignment(hospital_a, due_date=today())
    for n in range(4):
        raise_hazard(hospital=hospital_a, found_by=officer_a, location=f"病房{n}")
        started(officer_a, hospital_a)
    for hazard in list(hospital_a.hazards.all())[:2]:
        start(hazard, officer_a)
    # Two hazards found by the bureau wait for its acceptance, one hospital's for an extension.
    for _n in range(2):
        found = raise_hazard(
            hospital=hospital_a, found_by=county_bureau, source="linked_department"
        )
        start(found, officer_a)
        submit(found, officer_a)
    hazard_request_extension(
        hazard=hospital_a.hazards.filter(status="pending").first(),
        by=officer_a,
        requested_deadline=today() + dt.timedelta(days=60),
        reason="需采购配件",
    )
    officer = type(officer_a).objects.select_related("region", "hospital").get(pk=officer_a.pk)
    with django_assert_num_queries(officer_before):
        work = my_work(officer)
    assert work.total == 1 + 4 + 4
    assert count_for(county_bureau) == bureau_before
    bureau_work = my_work(county_bureau)
    assert len(bureau_work.group("hazards").tasks) == 2
    assert len(bureau_work.group("extensions").tasks) == 1


def test_page_lists_the_work_with_one_tap_actions(client, officer_a, hospital_a, safety_template):
    day = make_assignment(hospital_a, due_date=today())
    client.force_login(officer_a)
    response = client.get(reverse("my_work"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'action="{reverse("inspections:assignment_start", args=[day.pk])}"' in html
    assert "开始检查" in html and today().isoformat() in html


def test_login_lands_on_my_work(client, officer_a):
    from tests.factories import DEFAULT_PASSWORD

    response = client.post(
        reverse("login"), {"username": officer_a.username, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("my_work")
