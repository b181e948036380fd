"""Re-encoding keeps pixels only, for every accepted image format."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

from core.uploads import clean_evidence_upload

ICC = b"\x00" * 128  # any bytes: Pillow stores the profile as given


def _exif_with_gps() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif.get_ifd(0x8825)[2] = (24.0, 52.0, 0.0)
    return exif


@pytest.mark.parametrize("fmt", ["PNG", "WEBP", "JPEG"])
def test_metadata_is_dropped(fmt):
    buffer = io.BytesIO()
    image = Image.new("RGB", (32, 16), (200, 10, 10))
    kwargs = {"exif": _exif_with_gps(), "icc_profile": ICC}
    if fmt == "PNG":
        text = PngImagePlugin.PngInfo()
        text.add_text("Comment", "拍摄于 急诊科")
        kwargs["pnginfo"] = text
    image.save(buffer, fmt, **kwargs)
    original = Image.open(io.BytesIO(buffer.getvalue()))
    assert original.info.get("icc_profile") and original.getexif()

    cleaned = clean_evidence_upload(
        SimpleUploadedFile(f"x.{fmt.lower()}", buffer.getvalue(), f"image/{fmt.lower()}")
    )
    result = Image.open(io.BytesIO(cleaned.content.read()))
    assert result.size == (32, 16)
    assert not result.getexif()
    assert "icc_profile" not in result.info
    assert "Comment" not in result.info


def test_orientation_is_applied_before_exif_is_dropped():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (0, 0, 0)).save(buffer, "JPEG", exif=exif)
    cleaned = clean_evidence_upload(SimpleUploadedFile("r.jpg", buffer.getvalue(), "image/jpeg"))
    result = Image.open(io.BytesIO(cleaned.content.read()))
    assert result.size == (20, 40)
    assert not result.getexif()
