"""Photos that prove where and when: a visible stamp burned into each stored inspection photo.

The stamp (hospital, inspector, the device's capture time, the server's upload time and the
GPS position when the person allowed it) is drawn onto the cleaned image with Pillow. The
record keeps the SHA-256 of the bytes the device sent (`CleanedUpload.sha256`, unchanged here),
so "the same photo twice" is still recognised by `core.uploads.existing_upload` however the
stamp differs, and the capture metadata sits in its own columns beside `uploaded_at`.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont

from core.uploads import CleanedUpload

# Fonts with Chinese glyphs, first found wins: the font the project ships for its PDFs (so a
# server needs no font package), then Debian's (fonts-wqy-zenhei, fonts-noto-cjk,
# fonts-droid-fallback). PHOTO_STAMP_FONT in the settings names another one.
FONT_CANDIDATES = (
    str(Path(__file__).resolve().parent.parent / "core" / "fonts" / "wqy-microhei.ttc"),
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)


@dataclass
class PhotoCapture:
    """What the device reported about one photo (every part optional)."""

    captured_at: dt.datetime | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    accuracy: float | None = None

    @property
    def has_position(self) -> bool:
        return self.latitude is not None and self.longitude is not None


@lru_cache(maxsize=8)
def _font_path() -> str | None:
    configured = getattr(settings, "PHOTO_STAMP_FONT", "")
    for candidate in (configured, *FONT_CANDIDATES):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def _font(size: int):
    path = _font_path()
    if path:
        return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def stamp_lines(
    *, hospital_name: str, inspector: str, uploaded_at: dt.datetime, capture: PhotoCapture | None
) -> list[str]:
    """The words burned into the photo, one line each."""
    capture = capture or PhotoCapture()
    lines = [hospital_name, _("检查人:%(name)s") % {"name": inspector}]
    if capture.captured_at is not None:
        lines.append(_("拍摄(设备时间):%(at)s") % {"at": _local(capture.captured_at)})
    lines.append(_("上传(服务器时间):%(at)s") % {"at": _local(uploaded_at)})
    if capture.has_position:
        position = f"{capture.latitude:.6f}, {capture.longitude:.6f}"
        if capture.accuracy is not None:
            position += f" ±{capture.accuracy:.0f}m"
        lines.append(_("GPS:%(position)s") % {"position": position})
    else:
        lines.append(_("GPS:未授权定位"))
    return lines


def burn_stamp(upload: CleanedUpload, lines: list[str]) -> CleanedUpload:
    """The cleaned image with `lines` drawn on a dark band along its bottom edge; same format,
    same SHA-256 (that of the original bytes), new content and size."""
    if upload.kind != "image":
        return upload
    upload.content.seek(0)
    with Image.open(io.BytesIO(upload.content.read())) as source:
        source.load()
        image_format = source.format
        # Only the band is composited: a 12-megapixel photo is not copied as RGBA.
        image = source if source.mode in ("RGB", "RGBA") else source.convert("RGBA")
        upload.content.seek(0)
        width, height = image.size
        size = max(12, min(width, height) // 28)
        font = _font(size)
        padding = max(4, size // 3)
        line_height = size + padding // 2
        band_height = min(height, padding * 2 + line_height * len(lines))
        top = height - band_height
        band = image.crop((0, top, width, height)).convert("RGBA")
        shade = Image.new("RGBA", band.size, (0, 0, 0, 150))
        band = Image.alpha_composite(band, shade)
        draw = ImageDraw.Draw(band)
        y = padding
        for line in lines:
            draw.text((padding, y), line, font=font, fill=(255, 255, 255, 255))
            y += line_height
        image.paste(band.convert(image.mode), (0, top))
        out = io.BytesIO()
        if image_format == "PNG":
            image.save(out, "PNG", compress_level=3)
        elif image_format == "WEBP":
            image.save(out, "WEBP", quality=85)
        else:
            image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    data = out.getvalue()
    return CleanedUpload(
        content=ContentFile(data, name=upload.content.name),
        original_name=upload.original_name,
        content_type=upload.content_type,
        size=len(data),
        kind=upload.kind,
        sha256=upload.sha256,
    )
