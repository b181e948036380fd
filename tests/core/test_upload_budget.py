"""One request may not make the server decode more than its allowance of files and pixels."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from core.dates import today
from core.uploads import clean_evidence_upload, upload_budget
from hazards.models import Hazard, HazardEvidence


def png(width=20, height=20, colour=(10, 20, 30)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "PNG")
    return SimpleUploadedFile("p.png", buffer.getvalue(), "image/png")


def test_files_beyond_the_request_allowance_are_refused(settings):
    settings.UPLOAD_MAX_FILES_PER_REQUEST = 3
    with upload_budget():
        for _n in range(3):
            clean_evidence_upload(png())
        with pytest.raises(ValidationError) as refused:
            clean_evidence_upload(png())
    assert refused.value.code == "too_many_files"
    # A new request starts with a full allowance; outside a request there is no limit.
    with upload_budget():
        clean_evidence_upload(png())
    for _n in range(5):
        clean_evidence_upload(png())


def test_pixels_beyond_the_request_allowance_are_refused(settings):
    settings.UPLOAD_MAX_PIXELS_PER_REQUEST = 1000
    with upload_budget():
        clean_evidence_upload(png(20, 20))
        clean_evidence_upload(png(20, 20))
        with pytest.raises(ValidationError) as refused:
            clean_evidence_upload(png(20, 20))
    assert refused.value.code == "too_many_pixels_in_request"


def test_png_is_re_encoded_without_the_slow_optimiser():
    cleaned = clean_evidence_upload(png(64, 64))
    assert cleaned.content_type == "image/png"
    assert Image.open(io.BytesIO(cleaned.content.read())).size == (64, 64)


@pytest.mark.django_db
def test_too_many_photos_in_one_request_are_refused_with_a_message_and_nothing_saved(
    settings, client, officer_a
):
    settings.UPLOAD_MAX_FILES_PER_REQUEST = 4
    client.force_login(officer_a)
    data = {
        "hospital": officer_a.hospital_id,
        "source": "self_inspection",
        "category": "fire",
        "risk_level": "general",
        "location": "急诊科走廊",
        "description": "灭火器过期",
        "found_on": today().isoformat(),
        "photos": [png(colour=(n, n, n)) for n in range(5)],
    }
    response = client.post(reverse("hazards:create"), data)
    assert response.status_code == 200
    assert "一次最多上传 4 个文件" in response.content.decode()
    assert not Hazard.objects.exists() and not HazardEvidence.objects.exists()


@pytest.mark.django_db
def test_pixel_allowance_is_shared_by_all_file_fields_of_a_request(settings, client, officer_a):
    settings.UPLOAD_MAX_PIXELS_PER_REQUEST = 3000
    client.force_login(officer_a)
    data = {
        "hospital": officer_a.hospital_id,
        "source": "self_inspection",
        "category": "fire",
        "risk_level": "general",
        "location": "急诊科走廊",
        "description": "灭火器过期",
        "found_on": today().isoformat(),
        "fixed_on_the_spot": "on",
        "rectification_measures": "当场更换灭火器",
        "photos": [png(40, 40, (1, 1, 1))],  # 1,600 pixels
        "after_photos": [png(40, 40, (2, 2, 2))],  # another 1,600: over 3,000 together
    }
    response = client.post(reverse("hazards:create"), data)
    assert response.status_code == 200
    assert "百万像素" in response.content.decode()
    assert not Hazard.objects.exists()
