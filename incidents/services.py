"""Writes of the incidents app. Who may do what lives here, next to the services:

    record                      who may                              who may not
    治安事件 / 安保巡查           officers of the record's hospital    bureau staff and administrators
    (create, edit, attach,                                           (they read their region and
    raise a hazard)                                                  below), other hospitals

Every service takes keyword arguments, checks the actor first, validates its input (a
ValidationError per field, translated, nothing saved) and writes in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.dates import today
from core.errors import DomainError, NotAllowed
from core.uploads import CleanedUpload, attach_upload, clean_upload_key, existing_upload
from hazards.choices import Source
from hazards.models import Hazard
from hazards.services import HazardError, hazard_raise
from hospitals.models import Hospital

from .choices import MIN_PATROLS_PER_DAY, IncidentKind
from .models import Incident, IncidentAttachment, Patrol, PatrolTarget


class IncidentError(DomainError):
    """A refused action, with a translated message for the user."""


class IncidentNotAllowed(IncidentError, NotAllowed):
    """The actor does not record this hospital's incidents and patrols (a 403 in views)."""


INCIDENT_FIELDS = (
    "kind",
    "occurred_at",
    "location",
    "description",
    "handled_by",
    "police_involved",
    "police_case_number",
    "outcome",
)
PATROL_FIELDS = ("patrolled_on", "started_at", "route", "patroller", "findings")


# --- who may do what ------------------------------------------------------------------------
def may_record(user: User, hospital_id: int | None) -> bool:
    """Officers record their own hospital's incidents and patrols; nobody else writes them."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_officer and hospital_id and user.hospital_id == hospital_id)


def _require_recorder(user: User, hospital_id: int | None) -> None:
    if may_record(user, hospital_id):
        return
    if getattr(user, "is_bureau_side", False):
        raise IncidentNotAllowed(_("治安事件和巡查记录由医院安全管理员登记,卫健局人员只能查看。"))
    raise IncidentNotAllowed(_("您只能登记本院的治安事件和巡查记录。"))


def _text(value: object) -> object:
    return (value or "").strip() if isinstance(value, str) else value


# --- incidents -------------------------------------------------------------------------------
def _clean_incident(values: dict) -> dict:
    values = {name: _text(values.get(name)) for name in INCIDENT_FIELDS}
    values["police_involved"] = bool(values["police_involved"])
    values["police_case_number"] = values["police_case_number"] or ""
    values["outcome"] = values["outcome"] or ""
    errors: dict[str, str] = {}
    if values["kind"] not in IncidentKind.values:
        errors["kind"] = _("请选择有效的事件类型。")
    occurred_at = values["occurred_at"]
    if not isinstance(occurred_at, dt.datetime):
        errors["occurred_at"] = _("请填写发生时间。")
    elif occurred_at > timezone.now():
        errors["occurred_at"] = _("发生时间不能晚于现在。")
    for name, message in (
        ("location", _("请填写发生地点。")),
        ("description", _("请填写事件经过。")),
        ("handled_by", _("请填写处置人员。")),
    ):
        if not values[name]:
            errors[name] = message
    if values["police_case_number"] and not values["police_involved"]:
        errors["police_case_number"] = _("未报警的事件不能填写警情号。")
    if errors:
        raise ValidationError(errors)
    return values


def incident_create(
    *,
    hospital: Hospital,
    by: User,
    attachments: Sequence[CleanedUpload] = (),
    upload_key: str = "",
    **fields: Any,
) -> Incident:
    """Register an incident of `hospital`, with its attachments (each stored once)."""
    _require_recorder(by, hospital.pk)
    values = _clean_incident(fields)
    with transaction.atomic():
        incident = Incident(hospital=hospital, created_by=by, **values)
        incident._history_user = by  # type: ignore[attr-defined]  # simple_history's hook, untyped
        incident.save()
        for index, upload in enumerate(attachments):
            key = f"{clean_upload_key(upload_key)}-{index}" if clean_upload_key(upload_key) else ""
            _attach(incident, upload, by=by, upload_key=key)
    return incident


def incident_update(*, incident: Incident, by: User, **fields: Any) -> Incident:
    """Change an incident's details; every change is a history row (who, when, what)."""
    _require_recorder(by, incident.hospital_id)
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        current = {name: getattr(incident, name) for name in INCIDENT_FIELDS}
        unknown = set(fields) - set(INCIDENT_FIELDS)
        if unknown:
            raise IncidentError(_("这些内容不能修改:%(fields)s") % {"fields": ", ".join(unknown)})
        values = _clean_incident({**current, **fields})
        for name, value in values.items():
            setattr(incident, name, value)
        incident._history_user = by  # type: ignore[attr-defined]  # simple_history's hook, untyped
        incident.save()
    return incident


def _attach(
    incident: Incident, upload: CleanedUpload, *, by: User, upload_key: str
) -> tuple[IncidentAttachment, bool]:
    earlier = existing_upload(incident.attachments.all(), upload, upload_key=upload_key)
    if earlier is not None:
        return earlier, False
    row = attach_upload(
        IncidentAttachment(incident=incident, uploaded_by=by), upload, upload_key=upload_key
    )
    row.save()
    return row, True


def incident_attach(
    *, incident: Incident, by: User, upload: CleanedUpload, upload_key: str = ""
) -> tuple[IncidentAttachment, bool]:
    """Attach one cleaned file. The same upload again returns the first row (created False);
    the same file chosen twice is refused (ValidationError); nothing is stored twice."""
    _require_recorder(by, incident.hospital_id)
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        return _attach(incident, upload, by=by, upload_key=clean_upload_key(upload_key))


# --- patrols ---------------------------------------------------------------------------------
def _clean_patrol(values: dict) -> dict:
    values = {name: _text(values.get(name)) for name in PATROL_FIELDS}
    values["findings"] = values["findings"] or ""
    errors: dict[str, str] = {}
    day = values["patrolled_on"]
    if not isinstance(day, dt.date):
        errors["patrolled_on"] = _("请填写巡查日期。")
    elif day > today():
        errors["patrolled_on"] = _("巡查日期不能晚于今天。")
    if not isinstance(values["started_at"], dt.time):
        errors["started_at"] = _("请填写开始时间。")
    if not values["route"]:
        errors["route"] = _("请填写巡查路线或区域。")
    if not values["patroller"]:
        errors["patroller"] = _("请填写巡查人员。")
    if errors:
        raise ValidationError(errors)
    return values


def patrol_create(*, hospital: Hospital, by: User, **fields: Any) -> Patrol:
    """Log one patrol of `hospital`."""
    _require_recorder(by, hospital.pk)
    values = _clean_patrol(fields)
    with transaction.atomic():
        patrol = Patrol(hospital=hospital, created_by=by, **values)
        patrol._history_user = by  # type: ignore[attr-defined]  # simple_history's hook, untyped
        patrol.save()
    return patrol


def patrol_update(*, patrol: Patrol, by: User, **fields: Any) -> Patrol:
    _require_recorder(by, patrol.hospital_id)
    unknown = set(fields) - set(PATROL_FIELDS)
    if unknown:
        raise IncidentError(_("这些内容不能修改:%(fields)s") % {"fields": ", ".join(unknown)})
    with transaction.atomic():
        patrol = Patrol.objects.select_for_update().get(pk=patrol.pk)
        current = {name: getattr(patrol, name) for name in PATROL_FIELDS}
        values = _clean_patrol({**current, **fields})
        for name, value in values.items():
            setattr(patrol, name, value)
        patrol._history_user = by  # type: ignore[attr-defined]  # simple_history's hook, untyped
        patrol.save()
    return patrol


def patrol_raise_hazard(
    *,
    patrol: Patrol,
    by: User,
    category: str,
    risk_level: str,
    location: str,
    description: str = "",
    deadline: dt.date | None = None,
) -> Hazard:
    """Register a patrol finding as a hazard through `hazards.services.hazard_raise` (the one
    way to create hazards): source 医院自查, found on the patrol's date, linked back here."""

    _require_recorder(by, patrol.hospital_id)
    with transaction.atomic():
        patrol = Patrol.objects.select_for_update().select_related("hospital").get(pk=patrol.pk)
        description = (description or "").strip() or patrol.findings.strip()
        if not description:
            raise ValidationError({"description": _("请填写隐患描述。")})
        try:
            hazard = hazard_raise(
                hospital=patrol.hospital,
                found_by=by,
                source=Source.SELF_INSPECTION,
                category=category,
                risk_level=risk_level,
                location=location,
                description=description,
                found_on=patrol.patrolled_on,
                deadline=deadline,
                source_label=_("安保巡查 %(day)s %(time)s")
                % {"day": patrol.patrolled_on.isoformat(), "time": f"{patrol.started_at:%H:%M}"},
                source_url=reverse("incidents:patrol_detail", args=[patrol.pk]),
            )
        except HazardError as exc:
            raise IncidentError(str(exc))
        patrol.hazards.add(hazard)
    return hazard


def patrol_target_set(
    *,
    hospital: Hospital,
    by: User,
    starts_on: dt.date,
    daily_target: int,
    ends_on: dt.date | None = None,
    reason: str = "",
) -> PatrolTarget:
    """Raise the daily patrol target of `hospital` for a period (e.g. a fever-clinic peak).
    The rule's minimum cannot be lowered; where periods overlap the highest target applies."""
    _require_recorder(by, hospital.pk)
    errors: dict[str, str] = {}
    if not isinstance(starts_on, dt.date):
        errors["starts_on"] = _("请填写开始日期。")
    elif ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("结束日期不能早于开始日期。")
    if not isinstance(daily_target, int) or daily_target <= MIN_PATROLS_PER_DAY:
        errors["daily_target"] = _("每日巡查次数须多于 %(min)d 次(规定的最低次数)。") % {
            "min": MIN_PATROLS_PER_DAY
        }
    elif daily_target > 48:
        errors["daily_target"] = _("每日巡查次数不能超过 48 次。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        target = PatrolTarget(
            hospital=hospital,
            starts_on=starts_on,
            ends_on=ends_on,
            daily_target=daily_target,
            reason=(reason or "").strip()[:200],
            created_by=by,
        )
        target._history_user = by  # type: ignore[attr-defined]  # simple_history's hook, untyped
        target.save()
    return target
