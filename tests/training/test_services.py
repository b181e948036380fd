from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from core.dates import today
from training import services
from training.models import (
    Certificate,
    LetterScan,
    ResponsibilityLetter,
    SessionFile,
    TrainingSession,
    TrainingYear,
)
from training.services import TrainingError

from .factories import (
    image_upload,
    letter_fields,
    make_certificate,
    make_letter,
    make_session,
    session_fields,
)

pytestmark = pytest.mark.django_db


def test_officer_records_a_session_with_photos_and_sign_in_sheet(hospital_a, officer_a):
    session = services.session_save(
        hospital=hospital_a,
        fields=session_fields(),
        by=officer_a,
        photos=[image_upload((1, 2, 3)), image_upload((4, 5, 6))],
        sign_in_sheets=[image_upload((7, 8, 9), name="签到表.png")],
    )
    kinds = sorted(SessionFile.objects.filter(session=session).values_list("kind", flat=True))
    assert kinds == ["photo", "photo", "sign_in"]
    assert session.created_by == officer_a
    assert session.history.count() == 1


def test_officer_of_another_hospital_is_refused_and_nothing_is_saved(hospital_a, officer_b):
    with pytest.raises(TrainingError) as exc:
        services.session_save(
            hospital=hospital_a, fields=session_fields(), by=officer_b, photos=[image_upload()]
        )
    assert "安全管理员" in exc.value.message
    assert not TrainingSession.objects.exists()
    assert not SessionFile.objects.exists()


def test_refusal_message_is_translated(hospital_a, county_bureau):
    with translation.override("en"):
        expected = translation.gettext("只有本院安全管理员可以登记或修改本院的记录。")
        with pytest.raises(TrainingError) as exc:
            services.certificate_save(
                hospital=hospital_a,
                fields={"holder": "x", "cert_type": "power", "number": "1"},
                by=county_bureau,
            )
    assert exc.value.message == expected
    assert not Certificate.objects.exists()


@pytest.mark.parametrize("actor", ["county_bureau", "county_admin", "city_bureau"])
def test_bureau_side_reads_but_does_not_record(request, actor, hospital_a):
    user = request.getfixturevalue(actor)
    with pytest.raises(TrainingError):
        services.session_save(hospital=hospital_a, fields=session_fields(), by=user)
    assert not TrainingSession.objects.exists()


def test_a_future_date_is_refused(hospital_a, officer_a):
    with pytest.raises(TrainingError):
        services.session_save(
            hospital=hospital_a,
            fields=session_fields(held_on=today() + dt.timedelta(days=1)),
            by=officer_a,
            photos=[image_upload()],
        )
    assert not TrainingSession.objects.exists()
    assert not SessionFile.objects.exists()


def test_zero_attendees_is_refused(hospital_a, officer_a):
    with pytest.raises(TrainingError):
        services.session_save(
            hospital=hospital_a, fields=session_fields(attendee_count=0), by=officer_a
        )
    assert not TrainingSession.objects.exists()


def test_a_field_outside_the_table_is_refused(hospital_a, officer_a):
    with pytest.raises(TrainingError):
        services.session_save(
            hospital=hospital_a, fields=session_fields(hospital_id=99), by=officer_a
        )
    assert not TrainingSession.objects.exists()


def test_the_same_file_twice_is_refused_and_the_change_rolls_back(hospital_a, officer_a):
    session = make_session(hospital_a, officer_a, title="原主题")
    services.session_save(
        hospital=hospital_a, fields={}, by=officer_a, session=session, photos=[image_upload()]
    )
    with pytest.raises(TrainingError):
        services.session_save(
            hospital=hospital_a,
            fields={"title": "新主题"},
            by=officer_a,
            session=session,
            photos=[image_upload()],
        )
    session.refresh_from_db()
    assert session.title == "原主题"
    assert session.files.count() == 1


def test_a_retried_upload_is_stored_once(hospital_a, officer_a):
    session = make_session(hospital_a, officer_a)
    for _attempt in range(2):
        services.session_save(
            hospital=hospital_a,
            fields={},
            by=officer_a,
            session=session,
            sign_in_sheets=[image_upload((9, 9, 9))],
            upload_key="abcdef0123456789",
        )
    assert session.files.count() == 1


def test_session_of_another_hospital_cannot_be_saved_under_mine(
    hospital_a, hospital_b, officer_a, officer_b
):
    session = make_session(hospital_b, officer_b, title="B 的培训")
    with pytest.raises(TrainingError):
        services.session_save(
            hospital=hospital_a, fields={"title": "改"}, by=officer_a, session=session
        )
    session.refresh_from_db()
    assert session.title == "B 的培训"


def test_certificate_number_is_unique_per_hospital_and_type(hospital_a, officer_a):
    make_certificate(hospital_a, officer_a, number="T-1")
    with pytest.raises(TrainingError):
        make_certificate(hospital_a, officer_a, number="T-1")
    assert Certificate.objects.count() == 1
    make_certificate(hospital_a, officer_a, number="T-1", cert_type="boiler")
    assert Certificate.objects.count() == 2


def test_certificate_edit_keeps_history(hospital_a, officer_a):
    certificate = make_certificate(hospital_a, officer_a)
    services.certificate_save(
        hospital=hospital_a,
        fields={"valid_until": today() + dt.timedelta(days=1000)},
        by=officer_a,
        certificate=certificate,
    )
    assert certificate.history.count() == 2


def test_training_year_is_one_row_per_hospital_and_year(hospital_a, officer_a):
    services.training_year_save(
        hospital=hospital_a, year=today().year, new_staff=5, special_posts=3, by=officer_a
    )
    services.training_year_save(
        hospital=hospital_a, year=today().year, new_staff=6, special_posts=3, by=officer_a
    )
    row = TrainingYear.objects.get()
    assert row.new_staff == 6
    with pytest.raises(TrainingError):
        services.training_year_save(
            hospital=hospital_a, year=today().year, new_staff=-1, special_posts=0, by=officer_a
        )


def test_a_new_letter_needs_its_signed_scan(hospital_a, officer_a):
    with pytest.raises(TrainingError) as exc:
        services.letter_save(hospital=hospital_a, fields=letter_fields(), by=officer_a)
    assert "扫描件" in exc.value.message
    assert not ResponsibilityLetter.objects.exists()


def test_one_bureau_letter_a_year(hospital_a, officer_a):
    make_letter(hospital_a, officer_a)
    with pytest.raises(TrainingError):
        make_letter(hospital_a, officer_a, colour=(1, 1, 1))
    assert ResponsibilityLetter.objects.count() == 1
    assert LetterScan.objects.count() == 1
    # Department letters: as many as there are departments.
    make_letter(hospital_a, officer_a, colour=(2, 2, 2), level="hospital_department")
    make_letter(hospital_a, officer_a, colour=(3, 3, 3), level="hospital_department")
    assert ResponsibilityLetter.objects.count() == 3


def test_letter_signed_in_another_year_is_refused(hospital_a, officer_a):
    with pytest.raises(TrainingError):
        make_letter(
            hospital_a, officer_a, year=today().year, signed_on=dt.date(today().year - 3, 1, 5)
        )
    assert not ResponsibilityLetter.objects.exists()
    assert not LetterScan.objects.exists()


def test_officer_of_another_hospital_cannot_add_a_letter(hospital_a, officer_b):
    with pytest.raises(TrainingError):
        make_letter(hospital_a, officer_b)
    assert not ResponsibilityLetter.objects.exists()
