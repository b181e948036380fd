"""Encryption at rest (等保 8.1.4.8 confidentiality): phone numbers are stored SM4-GCM encrypted
with a key from the environment; keys rotate; a wrong key fails loudly."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import User
from core import crypto
from core.checks import check_field_encryption_key
from hospitals.models import Hospital
from notifications.models import Robot
from security.models import SecurityPlan
from tests.factories import HospitalFactory, OfficerFactory

pytestmark = pytest.mark.django_db

KEY_1 = "00112233445566778899aabbccddeeff"
KEY_2 = "ffeeddccbbaa99887766554433221100"


def stored(model, pk, column):
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{table}" WHERE id = %s', [pk])
        return cursor.fetchone()[0]


def test_round_trip_and_a_fresh_nonce_every_time():
    first, second = crypto.encrypt("13800000000"), crypto.encrypt("13800000000")
    assert first != second
    assert first.startswith("sm4gcm1:")
    assert crypto.decrypt(first) == crypto.decrypt(second) == "13800000000"
    assert crypto.decrypt(crypto.encrypt("0595-手机")) == "0595-手机"
    assert crypto.encrypt("") == ""


def test_database_holds_ciphertext_not_the_phone_number(hospital_a):
    user = OfficerFactory(hospital=hospital_a, phone="13812345678")
    raw = stored(User, user.pk, "phone")
    assert "13812345678" not in raw
    assert raw.startswith("sm4gcm1:")
    assert User.objects.get(pk=user.pk).phone == "13812345678"
    # The history table keeps ciphertext too.
    history = user.history.model
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT phone FROM "{history._meta.db_table}"')
        assert all("13812345678" not in row[0] for row in cursor.fetchall())


def test_every_phone_column_is_encrypted(hospital_a, county):
    hospital_a.security_head_phone = "13900000001"
    hospital_a.contact_phone = "0595-1234567"
    hospital_a.save()
    plan = SecurityPlan.objects.create(
        region=county, name="方案", bureau_phone="0595-2222222", police_phone="110"
    )
    robot = Robot.objects.create(
        name="群",
        kind="dingtalk",
        hospital=hospital_a,
        webhook_url="https://example.org/x",
        at_mobiles="13800000000,13900000000",
    )
    for model, pk, column, plain in [
        (Hospital, hospital_a.pk, "security_head_phone", "13900000001"),
        (Hospital, hospital_a.pk, "contact_phone", "0595-1234567"),
        (SecurityPlan, plan.pk, "bureau_phone", "0595-2222222"),
        (SecurityPlan, plan.pk, "police_phone", "110"),
        (Robot, robot.pk, "at_mobiles", "13800000000"),
    ]:
        raw = stored(model, pk, column)
        assert plain not in raw and raw.startswith("sm4gcm1:"), column
    assert Robot.objects.get(pk=robot.pk).mobiles == ["13800000000", "13900000000"]


def test_wrong_key_gives_a_clear_error(settings):
    value = crypto.encrypt("13800000000")
    settings.FIELD_ENCRYPTION_KEY = KEY_2
    with pytest.raises(crypto.DecryptionError, match="FIELD_ENCRYPTION_KEYS"):
        crypto.decrypt(value)


def test_tampered_value_is_detected():
    value = crypto.encrypt("13800000000")
    prefix, key_id, blob = value.split(":")
    raw = bytearray(__import__("base64").b64decode(blob))
    raw[14] ^= 1
    forged = f"{prefix}:{key_id}:{__import__('base64').b64encode(bytes(raw)).decode()}"
    with pytest.raises(crypto.DecryptionError, match="篡改"):
        crypto.decrypt(forged)


def test_searching_an_encrypted_field_is_refused():
    with pytest.raises(FieldError):
        list(User.objects.filter(phone="13800000000"))
    with pytest.raises(FieldError):
        list(User.objects.filter(phone__icontains="138"))
    assert list(User.objects.filter(phone="")) == []


def test_rotation_command_rewrites_with_the_new_key(settings, hospital_a):
    user = OfficerFactory(hospital=hospital_a, phone="13812345678")
    old = stored(User, user.pk, "phone")
    assert crypto.key_id_of(old) == crypto.parse_key(KEY_1).id
    settings.FIELD_ENCRYPTION_KEY = KEY_2
    settings.FIELD_ENCRYPTION_KEYS = [KEY_1]
    assert User.objects.get(pk=user.pk).phone == "13812345678"  # old key still reads
    out = io.StringIO()
    call_command("reencrypt_fields", stdout=out)
    assert "accounts.User: 1 rows rewritten" in out.getvalue()
    new = stored(User, user.pk, "phone")
    assert crypto.key_id_of(new) == crypto.parse_key(KEY_2).id
    settings.FIELD_ENCRYPTION_KEYS = []  # the old key dropped: everything still reads
    assert User.objects.get(pk=user.pk).phone == "13812345678"
    out = io.StringIO()
    call_command("reencrypt_fields", stdout=out)
    assert "accounts.User: 0 rows rewritten" in out.getvalue()


def test_rotation_command_encrypts_legacy_plaintext(hospital_a):
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{Hospital._meta.db_table}" SET contact_phone = %s WHERE id = %s',
            ["0595-7777777", hospital_a.pk],
        )
    assert Hospital.objects.get(pk=hospital_a.pk).contact_phone == "0595-7777777"
    call_command("reencrypt_fields", stdout=io.StringIO())
    assert stored(Hospital, hospital_a.pk, "contact_phone").startswith("sm4gcm1:")
    assert Hospital.objects.get(pk=hospital_a.pk).contact_phone == "0595-7777777"


def test_keys_in_hex_or_base64_and_bad_keys_refused():
    assert crypto.parse_key(KEY_1).secret == bytes.fromhex(KEY_1)
    assert crypto.parse_key("ABEiM0RVZneImaq7zN3u/w==").secret == bytes.fromhex(KEY_1)
    with pytest.raises(Exception, match="128"):
        crypto.parse_key("too-short")


def test_production_refuses_to_start_without_a_key(settings):
    settings.FIELD_ENCRYPTION_KEY = ""
    settings.DEBUG = False
    assert [m.id for m in check_field_encryption_key(None)] == ["core.E101"]
    settings.DEBUG = True
    assert [m.id for m in check_field_encryption_key(None)] == ["core.W101"]
    settings.FIELD_ENCRYPTION_KEY = "not-a-key"
    assert "core.E102" in [m.id for m in check_field_encryption_key(None)]
    settings.FIELD_ENCRYPTION_KEY = KEY_1
    settings.DEBUG = False
    assert check_field_encryption_key(None) == []


def test_hospital_export_shows_plaintext(client, county_bureau, hospital_a):
    hospital_a.contact_phone = "0595-1234567"
    hospital_a.save()
    client.force_login(county_bureau)
    response = client.get(reverse("hospitals:export"))
    rows = list(
        load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True)
    )
    assert any("0595-1234567" in row for row in rows)


def test_hospital_import_stores_encrypted_phones(
    import_sheet_for_encryption, client, county_admin, county
):
    from tests.hospitals.test_import import row, sheet

    client.force_login(county_admin)
    response = import_sheet_for_encryption(client, sheet([row()]))
    assert response.context["job"].status == "succeeded"
    hospital = Hospital.objects.get(name="晋江市第六医院")
    assert hospital.security_head_phone == "13800000000"
    assert "13800000000" not in stored(Hospital, hospital.pk, "security_head_phone")


@pytest.fixture
def import_sheet_for_encryption(django_capture_on_commit_callbacks):
    def run(client, upload):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("hospitals:import"), {"file": upload})
        if response.status_code == 302:
            return client.get(response["Location"])
        return response

    return run


def test_hospital_factory_phone_round_trips(county):
    hospital = HospitalFactory(region=county, security_head_phone="13700000000")
    assert Hospital.objects.get(pk=hospital.pk).security_head_phone == "13700000000"
