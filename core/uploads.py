"""Evidence uploads: one gate for every file a user sends (hazard evidence, 4+N evidence, photos).

A file is accepted only if it decodes as what it claims to be: JPEG/PNG/WebP images are decoded
by Pillow and re-encoded (which drops EXIF/GPS metadata and anything appended to the image),
PDFs must be well-formed at both ends. The client's file name is never used for storage.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db.models import Model, QuerySet
from django.db.models.fields.files import FieldFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

IMAGE_FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
}
ACCEPT_ATTR = "image/jpeg,image/png,image/webp,application/pdf"
# Markup that turns a file into an HTML/SVG/script polyglot if a browser ever sniffs it.
_ACTIVE_CONTENT = re.compile(
    rb"<\s*(?:script|html|body|iframe|svg|object|embed|!doctype|\?xml)", re.IGNORECASE
)


# The plain-text spelling of the worst names: a cheap first look before the real parse.
_ACTIVE_PDF_BYTES = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile)\b")


@dataclass
class UploadBudget:
    """What is left of one request's allowance. Decoding and re-encoding images is the costly
    part of an upload, so a request may bring at most UPLOAD_MAX_FILES_PER_REQUEST files and
    UPLOAD_MAX_PIXELS_PER_REQUEST pixels in all, whichever form fields they come in."""

    files: int
    pixels: int


_budget: ContextVar[UploadBudget | None] = ContextVar("upload_budget", default=None)


@contextmanager
def upload_budget() -> Iterator[None]:
    """Open a fresh allowance for one request (UploadBudgetMiddleware); code outside a request
    (tasks, commands, the demo) has no budget and no per-request limit."""
    token = _budget.set(
        UploadBudget(
            files=settings.UPLOAD_MAX_FILES_PER_REQUEST,
            pixels=settings.UPLOAD_MAX_PIXELS_PER_REQUEST,
        )
    )
    try:
        yield
    finally:
        _budget.reset(token)


def _spend_file() -> None:
    budget = _budget.get()
    if budget is None:
        return
    if budget.files <= 0:
        raise ValidationError(
            _("一次最多上传 %(max)d 个文件,请分批上传。"),
            code="too_many_files",
            params={"max": settings.UPLOAD_MAX_FILES_PER_REQUEST},
        )
    budget.files -= 1


def _spend_pixels(pixels: int) -> None:
    budget = _budget.get()
    if budget is None:
        return
    if pixels > budget.pixels:
        raise ValidationError(
            _("本次上传的图片合计超过 %(max)d 百万像素,请分批上传。"),
            code="too_many_pixels_in_request",
            params={"max": settings.UPLOAD_MAX_PIXELS_PER_REQUEST // 1_000_000},
        )
    budget.pixels -= pixels


@dataclass
class CleanedUpload:
    content: ContentFile
    original_name: str
    content_type: str
    size: int
    kind: str  # "image" or "pdf"
    # SHA-256 of the bytes the client sent: "the same file" for the identical-file refusal.
    sha256: str = ""

    def __post_init__(self) -> None:
        if not self.sha256:
            self.content.seek(0)
            self.sha256 = hashlib.sha256(self.content.read()).hexdigest()
            self.content.seek(0)


def safe_display_name(name: str) -> str:
    """The client's name, reduced to a harmless base name for display and download only."""
    base = os.path.basename((name or "").replace("\\", "/")).strip().lstrip(".")
    base = re.sub(r"[\x00-\x1f<>:\"|?*]", "_", base)
    return base[:120] or "file"


def _random_name(extension: str) -> str:
    return f"{secrets.token_hex(16)}.{extension}"


def _read_limited(uploaded: File) -> bytes:
    limit = settings.UPLOAD_MAX_BYTES
    if uploaded.size is not None and uploaded.size > limit:
        raise ValidationError(
            _("文件过大(%(size)s),单个文件不能超过 %(limit)s。"),
            code="too_large",
            params={"size": filesizeformat(uploaded.size), "limit": filesizeformat(limit)},
        )
    uploaded.seek(0)
    data = uploaded.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(
            _("文件过大,单个文件不能超过 %(limit)s。"),
            code="too_large",
            params={"limit": filesizeformat(limit)},
        )
    if not data:
        raise ValidationError(_("文件为空,请重新选择。"), code="empty")
    return data


# PDF names that make a viewer act on its own: run script, launch programs, open or submit
# elsewhere, carry other files. Found anywhere in the object graph (object streams and
# name escapes such as /J#61vaScript are resolved by pypdf), they refuse the file.
PDF_ACTIVE_NAMES = frozenset(
    {
        "/JavaScript",
        "/JS",
        "/Launch",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/RichMedia",
        "/SubmitForm",
        "/ImportData",
        "/GoToR",
        "/GoToE",
        "/AA",
        "/XFA",
        "/Sound",
        "/Movie",
    }
)
PDF_MAX_OBJECTS = 200_000


def _pdf_active_content(data: bytes) -> str | None:
    """The first active-content name in the PDF, or None. Raises ValueError when the file
    cannot be parsed (or is encrypted with a password) and so cannot be checked."""

    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        raise ValueError("encrypted")
    seen: set[tuple[int, int]] = set()
    stack = [reader.trailer]
    visited = 0
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        visited += 1
        if visited > PDF_MAX_OBJECTS:
            raise ValueError("too many objects")
        if isinstance(item, DictionaryObject):
            for name, value in item.items():
                if name in PDF_ACTIVE_NAMES:
                    return name
                if name == "/OpenAction":
                    action = value.get_object()
                    # A destination (page + view) is harmless; any action other than GoTo isn't.
                    if isinstance(action, DictionaryObject) and action.get("/S") != "/GoTo":
                        return "/OpenAction"
                if name == "/S" and isinstance(value, NameObject) and value in PDF_ACTIVE_NAMES:
                    return str(value)
                if name != "/Parent":  # back-links only lead to pages already on the way
                    stack.append(value)
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return None


def _clean_pdf(data: bytes, original_name: str) -> CleanedUpload:
    if b"%%EOF" not in data[-2048:]:
        raise ValidationError(_("PDF 文件不完整或已损坏。"), code="bad_pdf")
    active = _ACTIVE_PDF_BYTES.search(data)
    if active is None:
        try:
            name = _pdf_active_content(data)
        except Exception:  # pypdf raises many kinds on broken or hostile files
            raise ValidationError(
                _("PDF 文件已损坏、加密或结构异常,无法检查其内容,不予接收。"), code="bad_pdf"
            )
    if active is not None or name is not None:
        raise ValidationError(_("PDF 含有脚本或嵌入文件,出于安全考虑不予接收。"), code="active_pdf")
    return CleanedUpload(
        content=ContentFile(data, name=_random_name("pdf")),
        original_name=safe_display_name(original_name),
        content_type="application/pdf",
        size=len(data),
        kind="pdf",
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _clean_image(data: bytes, original_name: str) -> CleanedUpload:
    max_pixels = settings.UPLOAD_MAX_PIXELS
    unsupported = ValidationError(
        _("不支持的文件类型:仅接受 JPEG、PNG、WebP 图片或 PDF 文件。"), code="unsupported"
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                image_format = probe.format
                width, height = probe.size
                if image_format not in IMAGE_FORMATS:
                    raise unsupported
                if width * height > max_pixels:
                    raise ValidationError(
                        _("图片像素过大(%(width)d×%(height)d),请压缩后再上传。"),
                        code="too_many_pixels",
                        params={"width": width, "height": height},
                    )
                _spend_pixels(width * height)
                probe.verify()
            with Image.open(io.BytesIO(data)) as opened:
                opened.load()
                image = _drop_metadata(opened)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(_("图片像素过大,请压缩后再上传。"), code="too_many_pixels")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise unsupported
    extension, content_type = IMAGE_FORMATS[image_format]
    out = io.BytesIO()
    if image_format == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    elif image_format == "PNG":
        # No `optimize`: it retries every filter and costs seconds per large image on the
        # request path for a few percent of size.
        image.save(out, "PNG", compress_level=3)
    else:
        image.save(out, "WEBP", quality=85)
    cleaned = out.getvalue()
    return CleanedUpload(
        content=ContentFile(cleaned, name=_random_name(extension)),
        original_name=safe_display_name(original_name),
        content_type=content_type,
        size=len(cleaned),
        kind="image",
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _drop_metadata(image: Image.Image) -> Image.Image:
    """Pixels only: no EXIF (GPS), ICC, XMP or text chunks; orientation applied.

    Works on the decoded image in place (one full-size copy at most, for an odd mode), since a
    large photo's pixels are a hundred megabytes each time they are copied. The encoders write
    metadata only from `info` and from arguments we never pass, so emptying `info` drops it."""

    ImageOps.exif_transpose(image, in_place=True)
    if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        image = image.convert("RGBA")
    image.info = {}
    if hasattr(image, "_exif"):
        image._exif = None
    return image


def clean_evidence_upload(uploaded: File) -> CleanedUpload:
    """Validate and sanitise one uploaded file, or raise a translated ValidationError."""
    _spend_file()
    data = _read_limited(uploaded)
    if _ACTIVE_CONTENT.search(data):
        raise ValidationError(
            _("文件中含有网页或脚本内容,出于安全考虑不予接收。"), code="active_content"
        )
    if data.startswith(b"%PDF-"):
        return _clean_pdf(data, uploaded.name or "")
    return _clean_image(data, uploaded.name or "")


UPLOAD_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")

M = TypeVar("M", bound=Model)


class EvidenceRow(Protocol):
    """What `attach_upload` fills: a model on `core.models.UploadIdentity` with the stored-file
    columns and its own `file` field (core.models.StoredFile, or the same columns declared)."""

    original_name: str
    content_type: str
    size: int
    sha256: str
    upload_key: str
    file: FieldFile


R = TypeVar("R", bound=EvidenceRow)


def clean_upload_key(value: str | None) -> str:
    """The client-generated key of one upload attempt (a UUID from the page), or "" when absent
    or malformed: a bad key never blocks an upload, it only loses the retry protection."""
    value = (value or "").strip()
    return value if UPLOAD_KEY_RE.match(value) else ""


def existing_upload(
    queryset: QuerySet[M], upload: CleanedUpload, *, upload_key: str = ""
) -> M | None:
    """THE rule for storing evidence exactly once, for every model built on
    `core.models.UploadIdentity`. `queryset` is the files already attached to the same target
    (a hazard stage, a checklist answer, a 4+N item).

    - the same `upload_key` again (a retried request, a double tap) → the row stored the first
      time is returned and the caller stores nothing;
    - a file with the same SHA-256 already there → ValidationError (translated), nothing stored;
    - otherwise None: store it, with `sha256=upload.sha256, upload_key=upload_key`.
    """
    if upload_key:
        earlier = queryset.filter(upload_key=upload_key).first()
        if earlier is not None:
            return earlier
    twin = queryset.filter(sha256=upload.sha256).first()
    if twin is not None:
        raise ValidationError(
            _("相同的文件已经上传过(%(name)s),未重复保存。"),
            code="duplicate_file",
            params={"name": twin.original_name if hasattr(twin, "original_name") else ""},
        )
    return None


def attach_upload(row: R, upload: CleanedUpload, *, upload_key: str = "") -> R:
    """Fill an evidence row (a model on `core.models.UploadIdentity` with `file`,
    `original_name`, `content_type` and `size`) from a cleaned upload and write its file to
    storage; the caller saves the row (after `existing_upload` said it is new)."""
    row.original_name = upload.original_name
    row.content_type = upload.content_type
    row.size = upload.size
    row.sha256 = upload.sha256
    row.upload_key = upload_key
    name = upload.content.name
    assert name, "a cleaned upload carries its random storage name"
    row.file.save(name, upload.content, save=False)
    return row


def clean_image_upload(uploaded: File) -> CleanedUpload:
    """Like clean_evidence_upload, but photos only (no PDF)."""
    cleaned = clean_evidence_upload(uploaded)
    if cleaned.kind != "image":
        raise ValidationError(_("此处只能上传照片(JPEG、PNG、WebP)。"), code="not_image")
    return cleaned


class EvidenceFileField(forms.FileField):
    """A form field whose cleaned value is a CleanedUpload (or None when left empty)."""

    def __init__(self, *args: Any, images_only: bool = False, **kwargs: Any) -> None:
        self.images_only = images_only
        kwargs.setdefault(
            "help_text",
            # Lazy, not `_(…) + _(…)`: that translated once, in the language active when the
            # form class was defined (Chinese), for every reader.
            _("JPEG、PNG、WebP 图片") if images_only else _("JPEG、PNG、WebP 图片或 PDF"),
        )
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault(
            "accept", "image/jpeg,image/png,image/webp" if images_only else ACCEPT_ATTR
        )

    def clean(self, data: Any, initial: Any = None) -> CleanedUpload | None:
        uploaded = super().clean(data, initial)
        if not uploaded or uploaded is initial:
            return None
        if self.images_only:
            return clean_image_upload(uploaded)
        return clean_evidence_upload(uploaded)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleEvidenceField(EvidenceFileField):
    """Several files in one input; cleaned value is a list of CleanedUpload. All must pass."""

    widget = MultipleFileInput

    # A list where the single-file field gives one upload: the form reads it as such.
    def clean(self, data: Any, initial: Any = None) -> list[CleanedUpload]:  # type: ignore[override]
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > settings.UPLOAD_MAX_FILES_PER_REQUEST:
            raise ValidationError(
                _("一次最多上传 %(max)d 个文件,请分批上传。"),
                code="too_many_files",
                params={"max": settings.UPLOAD_MAX_FILES_PER_REQUEST},
            )
        cleaned: list[CleanedUpload | None] = []
        errors: list[str] = []
        for uploaded in files:
            try:
                cleaned.append(super().clean(uploaded, initial))
            except ValidationError as exc:
                name = safe_display_name(getattr(uploaded, "name", ""))
                errors.extend(f"{name}: {message}" for message in exc.messages)
        if errors:
            raise ValidationError(list(dict.fromkeys(errors)))
        return [item for item in cleaned if item]
