"""Writes for training records and responsibility letters. Who may do what lives here, next to
the writes: a hospital's own officer keeps its records (superusers too); bureau staff and
administrators read them (`visible_to`), and configure nothing here beyond the product's
region settings. Every service runs in one transaction and saves nothing when it refuses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from functools import partial
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from core.dates import today
from core.errors import DomainError
from core.uploads import CleanedUpload, attach_upload, clean_upload_key, existing_upload
from hospitals.models import Hospital

from .choices import FileKind, LetterLevel
from .models import (
    Certificate,
    LetterScan,
    ResponsibilityLetter,
    SessionFile,
    TrainingSession,
    TrainingYear,
)

R = TypeVar("R", SessionFile, LetterScan)

SESSION_FIELDS = frozenset(
    {"held_on", "kind", "title", "trainer", "hours", "attendee_count", "attendees", "note"}
)
CERTIFICATE_FIELDS = frozenset({"holder", "cert_type", "number", "valid_until", "note"})
LETTER_FIELDS = frozenset({"year", "level", "party_a", "party_b", "signed_on", "note"})


class TrainingError(DomainError):
    """A refused action; `message` is translated for the user."""


# --- who may act ------------------------------------------------------------------------------


def can_edit(user: User, hospital: Hospital) -> bool:
    """The hospital's own officer (or a superuser) records its trainings, certificates and
    letters."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.is_officer and user.hospital_id == hospital.pk


def _require_edit(user: User, hospital: Hospital) -> None:
    if not can_edit(user, hospital):
        raise TrainingError(_("只有本院安全管理员可以登记或修改本院的记录。"))


def _only(fields: dict, allowed: frozenset) -> dict:
    unknown = set(fields) - allowed
    if unknown:
        raise TrainingError(_("不允许修改的字段:%(names)s") % {"names": "、".join(sorted(unknown))})
    return fields


def _not_future(day: dt.date | None, label: str) -> None:
    if day and day > today():
        raise TrainingError(_("%(label)s不能晚于今天。") % {"label": label})


def _store_files(
    queryset: QuerySet[R],
    make_row: Callable[[], R],
    uploads: Iterable[CleanedUpload],
    upload_key: str,
) -> list[R]:
    """Store each cleaned upload once (core.uploads.existing_upload): a repeated key returns
    the earlier row, the same file twice is refused."""
    upload_key = clean_upload_key(upload_key)
    created: list[R] = []
    seen: set[str] = set()
    for index, upload in enumerate(uploads):
        key = f"{upload_key}-{index}" if upload_key else ""
        try:
            found = existing_upload(queryset, upload, upload_key=key)
        except ValidationError as exc:
            raise TrainingError(" ".join(exc.messages))
        if found is not None:
            continue
        if upload.sha256 in seen:
            raise TrainingError(
                _("相同的文件已经上传过(%(name)s),未重复保存。") % {"name": upload.original_name}
            )
        seen.add(upload.sha256)
        row = make_row()
        attach_upload(row, upload, upload_key=key)
        row.save()
        created.append(row)
    return created


# --- training sessions ------------------------------------------------------------------------


def session_save(
    *,
    hospital: Hospital,
    fields: dict,
    by: User,
    session: TrainingSession | None = None,
    photos: Iterable[CleanedUpload] = (),
    sign_in_sheets: Iterable[CleanedUpload] = (),
    upload_key: str = "",
) -> TrainingSession:
    """Record a training session (or change one) with its photos and sign-in sheets."""
    _require_edit(by, hospital)
    fields = _only(dict(fields), SESSION_FIELDS)
    if session is not None and session.hospital_id != hospital.pk:
        raise TrainingError(_("记录不属于该机构。"))
    _not_future(fields.get("held_on"), _("培训日期"))
    if "attendee_count" in fields and not fields["attendee_count"]:
        raise TrainingError(_("参训人数至少为 1 人。"))
    with transaction.atomic():
        if session is None:
            session = TrainingSession(hospital=hospital, created_by=by)
        else:
            session = TrainingSession.objects.select_for_update().get(pk=session.pk)
        for name, value in fields.items():
            setattr(session, name, value)
        session.save()
        existing = SessionFile.objects.filter(session=session)
        for kind, uploads, suffix in (
            (FileKind.PHOTO, list(photos), "p"),
            (FileKind.SIGN_IN, list(sign_in_sheets), "s"),
        ):
            _store_files(
                existing,
                partial(SessionFile, session=session, kind=kind, uploaded_by=by),
                uploads,
                f"{upload_key}{suffix}" if upload_key else "",
            )
    return session


# --- certificates -----------------------------------------------------------------------------


def certificate_save(
    *, hospital: Hospital, fields: dict, by: User, certificate: Certificate | None = None
) -> Certificate:
    _require_edit(by, hospital)
    fields = _only(dict(fields), CERTIFICATE_FIELDS)
    if certificate is not None and certificate.hospital_id != hospital.pk:
        raise TrainingError(_("记录不属于该机构。"))
    number = (fields.get("number") or "").strip()
    if "number" in fields:
        if not number:
            raise TrainingError(_("请填写证书编号。"))
        fields["number"] = number
    try:
        with transaction.atomic():
            if certificate is None:
                certificate = Certificate(hospital=hospital, created_by=by)
            else:
                certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
            for name, value in fields.items():
                setattr(certificate, name, value)
            certificate.save()
    except IntegrityError:
        raise TrainingError(_("本院已登记过同类别、同编号的证书。"))
    return certificate


# --- yearly bases -----------------------------------------------------------------------------


def training_year_save(
    *, hospital: Hospital, year: int, new_staff: int, special_posts: int, by: User
) -> TrainingYear:
    """Set the year's denominators: new staff joined, special-operation posts."""
    _require_edit(by, hospital)
    if not 2000 <= int(year) <= today().year + 1:
        raise TrainingError(_("年度无效。"))
    if new_staff is None or special_posts is None or new_staff < 0 or special_posts < 0:
        raise TrainingError(_("人数不能为负数。"))
    with transaction.atomic():
        row, _created = TrainingYear.objects.select_for_update().get_or_create(
            hospital=hospital, year=year
        )
        row.new_staff = new_staff
        row.special_posts = special_posts
        row.save()
    return row


# --- responsibility letters -------------------------------------------------------------------


def letter_save(
    *,
    hospital: Hospital,
    fields: dict,
    by: User,
    letter: ResponsibilityLetter | None = None,
    scans: Iterable[CleanedUpload] = (),
    upload_key: str = "",
) -> ResponsibilityLetter:
    """Record a signed responsibility letter (or change one) and attach its signed scans. A new
    letter needs at least one scan: the record stands for a signed paper."""
    _require_edit(by, hospital)
    fields = _only(dict(fields), LETTER_FIELDS)
    scans = list(scans)
    if letter is not None and letter.hospital_id != hospital.pk:
        raise TrainingError(_("记录不属于该机构。"))
    if letter is None and not scans:
        raise TrainingError(_("请上传签字盖章后的责任书扫描件。"))
    _not_future(fields.get("signed_on"), _("签订日期"))
    year = fields.get("year", letter.year if letter else None)
    signed_on = fields.get("signed_on", letter.signed_on if letter else None)
    if year and not 2000 <= int(year) <= today().year + 1:
        raise TrainingError(_("年度无效。"))
    if year and signed_on and signed_on.year not in (int(year) - 1, int(year)):
        raise TrainingError(_("签订日期应在该年度内或上一年度末。"))
    level = fields.get("level", letter.level if letter else None)
    duplicate = ResponsibilityLetter.objects.filter(
        hospital=hospital, level=LetterLevel.BUREAU_HOSPITAL
    )
    # No year yet: nothing to collide with (year IS NULL matched no row either).
    duplicate = duplicate.filter(year=year) if year is not None else duplicate.none()
    if letter is not None:
        duplicate = duplicate.exclude(pk=letter.pk)
    if level == LetterLevel.BUREAU_HOSPITAL and duplicate.exists():
        raise TrainingError(_("本院该年度已登记与卫健局签订的责任书。"))
    try:
        with transaction.atomic():
            if letter is None:
                letter = ResponsibilityLetter(hospital=hospital, created_by=by)
            else:
                letter = ResponsibilityLetter.objects.select_for_update().get(pk=letter.pk)
            for name, value in fields.items():
                setattr(letter, name, value)
            letter.save()
            _store_files(
                LetterScan.objects.filter(letter=letter),
                lambda: LetterScan(letter=letter, uploaded_by=by),
                scans,
                upload_key,
            )
    except IntegrityError:
        raise TrainingError(_("本院该年度已登记与卫健局签订的责任书。"))
    return letter
