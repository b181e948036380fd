from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.dates import today
from core.uploads import clean_evidence_upload
from training import services


def image_upload(colour=(200, 30, 30), name="照片.png"):
    """A cleaned PNG; a different colour is a different file."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, "PNG")
    return clean_evidence_upload(SimpleUploadedFile(name, buffer.getvalue(), "image/png"))


def session_fields(**overrides) -> dict:
    fields = {
        "held_on": today() - dt.timedelta(days=3),
        "kind": "all_staff",
        "title": "全员安全生产培训",
        "trainer": "陈教官",
        "hours": 2,
        "attendee_count": 80,
        "attendees": "张三\n李四",
        "note": "",
    }
    fields.update(overrides)
    return fields


def make_session(hospital, officer, **overrides):
    return services.session_save(hospital=hospital, fields=session_fields(**overrides), by=officer)


def make_certificate(hospital, officer, *, number="T-1", valid_until=None, cert_type="power"):
    return services.certificate_save(
        hospital=hospital,
        fields={
            "holder": "张建华",
            "cert_type": cert_type,
            "number": number,
            "valid_until": valid_until or today() + dt.timedelta(days=400),
            "note": "",
        },
        by=officer,
    )


def letter_fields(**overrides) -> dict:
    fields = {
        "year": today().year,
        "level": "bureau_hospital",
        "party_a": "卫生健康局",
        "party_b": "医院",
        "signed_on": today(),
        "note": "",
    }
    fields.update(overrides)
    return fields


def make_letter(hospital, officer, colour=(10, 200, 10), **overrides):
    return services.letter_save(
        hospital=hospital,
        fields=letter_fields(**overrides),
        by=officer,
        scans=[image_upload(colour)],
    )
