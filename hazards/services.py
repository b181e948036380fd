"""Writes and transitions of hazards: the ONE place that creates a hazard and moves it along.

Every transition locks the row, checks who acts and the current state, records a HazardEvent
(who, from, to, when, note) and notifies the people who act next. Illegal transitions, stale
forms and missing prerequisites raise HazardError with a translated message and change nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Field
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.dates import today
from core.errors import DomainError
from core.uploads import CleanedUpload, attach_upload, clean_upload_key, existing_upload
from hospitals.models import Hospital, Region
from notifications.choices import EventKind
from notifications.recipients import hospital_officers, region_bureau_staff
from notifications.services import notify

from .choices import (
    BUREAU_SOURCES,
    LISTING_RANK,
    OPEN_STATUSES,
    REGION_LEVEL_RANK,
    Category,
    EventType,
    EvidenceStage,
    ExtensionStatus,
    FoundSide,
    RectificationMode,
    RiskLevel,
    Source,
    Status,
    SupervisionLevel,
    Suspension,
)
from .models import (
    ExtensionRequest,
    Hazard,
    HazardEvent,
    HazardEvidence,
    RegionYearCounter,
)
from .reminders import schedule as schedule_reminder
from .webhooks import emit_for_event as emit_webhooks_for_event

# When whoever raises a hazard gives no deadline: 一般隐患 a month, 重大隐患 three months.
DEFAULT_DEADLINE_DAYS: dict[str, int] = {RiskLevel.GENERAL: 30, RiskLevel.MAJOR: 90}

# --- field authority: THE table of who owns each editable field --------------------------------
# The hospital side fills in the rectification ("六定") and the 重大隐患 dossier; the side that
# found the hazard may correct what it recorded (部位, 描述, 类别); the bureau's decisions are
# never plain edits: each is a transition with its own event, reason and notice (see
# BUREAU_DECISIONS at the end of this module). `hazard_update` refuses any field outside the
# actor's side and the edit form is built from `editable_fields(user, hazard)`.
HOSPITAL = "hospital"
FINDER = "finder"
BUREAU = "bureau"

FIELD_AUTHORITY: dict[str, str] = {
    "location": FINDER,
    "description": FINDER,
    "category": FINDER,
    "responsible_department": HOSPITAL,
    "responsible_person": HOSPITAL,
    "rectification_measures": HOSPITAL,
    "funds": HOSPITAL,
    "interim_measures": HOSPITAL,
    "progress": HOSPITAL,
    "present_state_and_cause": HOSPITAL,
    "danger_analysis": HOSPITAL,
    "plan_goal": HOSPITAL,
    "plan_methods": HOSPITAL,
    "plan_funds_materials": HOSPITAL,
    "plan_organisation": HOSPITAL,
    "plan_time_limit": HOSPITAL,
    "plan_safety_emergency": HOSPITAL,
    "risk_level": BUREAU,
    "supervision_level": BUREAU,
    "supervision_notice_no": BUREAU,
    "suspension": BUREAU,
    "suspension_scope": BUREAU,
    "suspension_notice_no": BUREAU,
    "deadline": BUREAU,
}


class HazardError(DomainError):
    """A refused hazard operation; `message` is translated and safe to show to the user."""


class HazardPermissionError(HazardError):
    pass


class StaleHazardError(HazardError):
    pass


# --- who may do what ---------------------------------------------------------------------------


def _can_see(user: User, hospital_id: int) -> bool:
    return Hospital.objects.visible_to(user).filter(pk=hospital_id).exists()


def is_hospital_officer(user: User, hazard: Hazard) -> bool:
    return bool(user.is_active and user.is_officer and user.hospital_id == hazard.hospital_id)


def bureau_authority_region(hazard: Hazard, level: str | None = None) -> Region | None:
    """The region whose bureau staff (and those of the regions above it) decide on the hazard:
    verify (复查), accept (销号), set deadlines, regrade, list, order or lift a suspension.

    Not listed → the hospital's own region. Listed (分级挂牌督办) at 县/市/省级 → the nearest
    region of the hospital's ancestry at that level or above: a hazard listed at 市级 is decided
    in the city, not by the county below it. `level` asks "what if it were listed at …" (used
    when listing). None when the hospital has no region at that level (only superusers act).
    """
    level = hazard.supervision_level if level is None else level
    region = hazard.hospital.region
    if not level:
        return region
    cache = hazard.__dict__.setdefault("_authority_regions", {})
    key = (region.pk, region.path, level)
    if key not in cache:
        wanted = LISTING_RANK[level]
        cache[key] = next(
            (
                r
                for r in region.ancestors_and_self()
                if REGION_LEVEL_RANK.get(r.level, -1) >= wanted
            ),
            None,
        )
    return cache[key]


def is_bureau_over(user: User, hazard: Hazard, *, level: str | None = None) -> bool:
    """Bureau staff of `bureau_authority_region(hazard)` or of a region above it (superusers
    count as bureau). THE check behind every bureau decision on a hazard."""
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    if not user.is_bureau or not user.region_id:
        return False
    region = bureau_authority_region(hazard, level)
    return region is not None and user.region_id in region.ancestor_ids


def acceptor_side(hazard: Hazard) -> str:
    """The side that accepts: every 重大隐患 and every bureau-found hazard → bureau."""
    if hazard.is_major or hazard.found_side == FoundSide.BUREAU:
        return FoundSide.BUREAU
    return FoundSide.HOSPITAL


def can_accept(user: User, hazard: Hazard) -> bool:
    if acceptor_side(hazard) == FoundSide.BUREAU:
        return is_bureau_over(user, hazard)
    return is_hospital_officer(user, hazard) or bool(user.is_superuser)


def can_act_for_hospital(user: User, hazard: Hazard) -> bool:
    return is_hospital_officer(user, hazard) or bool(user.is_superuser)


def editable_fields(user: User, hazard: Hazard) -> list[str]:
    """The fields of FIELD_AUTHORITY the user may change with `hazard_update` (table order)."""
    hospital = can_act_for_hospital(user, hazard)
    finder = hospital if hazard.found_side == FoundSide.HOSPITAL else is_bureau_over(user, hazard)
    sides = {HOSPITAL} if hospital else set()
    if finder:
        sides.add(FINDER)
    return [name for name, side in FIELD_AUTHORITY.items() if side in sides]


def allowed_actions(user: User, hazard: Hazard, *, on: dt.date | None = None) -> set[str]:
    """Names of the actions the user may take now (used by templates to show buttons only)."""
    actions: set[str] = set()
    hospital_side = can_act_for_hospital(user, hazard)
    bureau = is_bureau_over(user, hazard)
    status = hazard.status
    if status in (Status.PENDING, Status.IN_PROGRESS):
        if editable_fields(user, hazard):
            actions.add("edit")
        if hospital_side:
            actions |= {"evidence", "extension"}
            if hazard.is_overdue(on):
                actions.add("explain")
        if bureau:
            actions.add("deadline")
            if not (hazard.is_major and (hazard.supervision_level or hazard.suspension)):
                actions.add("regrade")
    if status in OPEN_STATUSES and bureau and hazard.is_major:
        actions.add("list")
        if hazard.supervision_level:
            actions.add("delist")
        if not hazard.suspension:
            actions.add("suspend")
    if hazard.suspension:
        if hospital_side and not hazard.resumption_applied_at:
            actions.add("apply_resumption")
        if bureau and hazard.resumption_applied_at:
            actions |= {"lift_suspension", "refuse_resumption"}
    if status == Status.PENDING and hospital_side:
        actions.add("start")
    if status == Status.IN_PROGRESS and hospital_side:
        actions |= {"progress", "submit"}
    if status == Status.PENDING_ACCEPTANCE and can_accept(user, hazard):
        actions |= {"accept", "reject"}
        if hazard.is_major:
            actions.add("recheck")
    if bureau and hazard.extensions.filter(status=ExtensionStatus.PENDING).exists():
        actions.add("decide_extension")
    return actions


def _bureau_recipients(hazard: Hazard) -> list[User]:
    """Bureau staff who decide on the hazard (its listing level's region, else the hospital's),
    by the recipients rule of notifications.recipients."""
    return region_bureau_staff(bureau_authority_region(hazard) or hazard.hospital.region)


def _url(hazard: Hazard) -> str:
    return reverse("hazards:detail", args=[hazard.pk])


# --- helpers -----------------------------------------------------------------------------------


def _allocate_code(region: Region, year: int) -> str:
    """Next number for the region and year; the counter row is locked until commit, so two
    hazards raised at the same moment never get the same code."""
    for _attempt in range(3):
        try:
            with transaction.atomic():
                counter, _created = RegionYearCounter.objects.select_for_update().get_or_create(
                    region=region, year=year
                )
            break
        except IntegrityError:  # created concurrently: take the other one's row
            continue
    counter = RegionYearCounter.objects.select_for_update().get(region=region, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{region.code}-{year}-{counter.last:06d}"


def _event(
    hazard: Hazard,
    *,
    kind: str,
    by: User,
    from_status: str = "",
    to_status: str = "",
    note: str | None = "",
    previous_deadline: dt.date | None = None,
    previous_risk_level: str = "",
) -> HazardEvent:
    """The audit row. An event that changes the deadline or the risk level passes the value in
    force BEFORE it (figures "as of" a past instant are rebuilt from these). Every row is also
    the source of the integration webhooks (raised, each status change): `hazards.webhooks`."""
    event = HazardEvent.objects.create(
        hazard=hazard,
        kind=kind,
        actor=by,
        from_status=from_status,
        to_status=to_status,
        note=note or "",
        previous_deadline=previous_deadline,
        previous_risk_level=previous_risk_level or "",
    )
    emit_webhooks_for_event(hazard, event)
    return event


def _evidence_key(upload_key: str, stage: str, index: int) -> str:
    """The stored key of the index-th file of one upload attempt: one attempt may carry several
    files and, when raising a hazard, two stages, while (hazard, upload_key) is unique."""
    return f"{upload_key[:48]}-{stage[0]}{index}" if upload_key else ""


def _check_batch(files: Sequence[CleanedUpload]) -> None:
    """The same file chosen twice in one upload is refused before anything is stored."""
    seen: set[str] = set()
    for upload in files:
        if upload.sha256 in seen:
            raise HazardError(
                _("同一次上传中选择了两个相同的文件(%(name)s),请去掉重复的文件后再提交。")
                % {"name": upload.original_name}
            )
        seen.add(upload.sha256)


def _is_replay(
    hazard: Hazard, files: Sequence[CleanedUpload], *, stage: str, upload_key: str
) -> bool:
    """True when this exact upload attempt (same key) was stored already: a retried request or
    a double tap, to be answered with what was done the first time, not done again."""
    key = clean_upload_key(upload_key)
    if not key or not files:
        return False
    return hazard.evidence.filter(upload_key=_evidence_key(key, stage, 0)).exists()


def _store_evidence(
    hazard: Hazard, files: Sequence[CleanedUpload], *, stage: str, by: User, upload_key: str = ""
) -> list[HazardEvidence]:
    """Store each file exactly once (core.uploads.existing_upload): a file of this upload
    attempt stored before is returned, not stored again; a file identical to one already
    attached at this stage is refused (HazardError) — and every check passes before the first
    byte is written, so a refusal stores nothing."""
    key = clean_upload_key(upload_key)
    _check_batch(files)
    same_stage = HazardEvidence.objects.filter(hazard=hazard, stage=stage)
    plan: list[tuple[CleanedUpload, str, HazardEvidence | None]] = []
    for index, upload in enumerate(files):
        file_key = _evidence_key(key, stage, index)
        try:
            earlier = existing_upload(same_stage, upload, upload_key=file_key)
        except ValidationError as exc:
            raise HazardError(" ".join(exc.messages)) from exc
        plan.append((upload, file_key, earlier))
    stored = []
    for upload, file_key, earlier in plan:
        if earlier is not None:
            stored.append(earlier)
            continue
        evidence = HazardEvidence(hazard=hazard, stage=stage, uploaded_by=by)
        attach_upload(evidence, upload, upload_key=file_key)
        evidence.save()
        stored.append(evidence)
    return stored


def _lock(hazard: Hazard, expected_status: str | None) -> Hazard:
    locked = (
        Hazard.objects.select_for_update(of=("self",))
        .select_related("hospital", "hospital__region")
        .get(pk=hazard.pk)
    )
    _expect(locked, expected_status)
    return locked


def _expect(locked: Hazard, expected_status: str | None) -> None:
    """The status the user's form was loaded with must still hold (stale forms are refused)."""
    if expected_status is not None and locked.status != expected_status:
        raise StaleHazardError(
            _("该隐患的状态已被他人更新为“%(status)s”,您的操作未执行。请刷新页面后重试。")
            % {"status": locked.get_status_display()}
        )


def _require_status(hazard: Hazard, *allowed: str, action: str) -> None:
    if hazard.status not in allowed:
        raise HazardError(
            _("隐患处于“%(status)s”状态,不能%(action)s。")
            % {"status": hazard.get_status_display(), "action": action}
        )


def _save(hazard: Hazard, by: User, fields: list[str]) -> None:
    hazard._history_user = by  # type: ignore[attr-defined]  # simple_history's hook, untyped
    if "deadline" in fields or "status" in fields:
        # Every change of either moves the day the reminder scan next looks at this hazard.
        schedule_reminder(hazard)
        fields = [*fields, "next_reminder_on"]
    hazard.save(update_fields=[*fields, "updated_at"])


def _refresh(target: Hazard, source: Hazard) -> None:
    """Copy the saved state back into the caller's instance."""
    for field in Hazard._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


def hazard_version(hazard: Hazard) -> str:
    """An opaque version for optimistic checks of edit forms."""
    return hazard.updated_at.isoformat() if hazard.updated_at else ""


def _clean_text(value: str | None) -> str:
    return (value or "").strip()


# --- creating ----------------------------------------------------------------------------------


def derive_found_side(found_by: User, source: str) -> str:
    if source in BUREAU_SOURCES:
        return FoundSide.BUREAU
    if found_by.is_superuser or found_by.is_bureau_side:
        return FoundSide.BUREAU
    return FoundSide.HOSPITAL


def hazard_raise(
    *,
    hospital: Hospital,
    found_by: User,
    source: str,
    category: str,
    risk_level: str,
    location: str,
    description: str,
    found_on: dt.date | None = None,
    photos: Sequence[CleanedUpload] = (),
    deadline: dt.date | None = None,
    fixed_on_the_spot: bool = False,
    after_photos: Sequence[CleanedUpload] = (),
    rectification_measures: str = "",
    source_label: str = "",
    source_url: str = "",
    upload_key: str = "",
) -> Hazard:
    """Register a hazard (the one way to create one).

    `fixed_on_the_spot=True` is 立查立改: the hazard is created already closed out (已销号),
    with `after_photos` as evidence; it counts as found and as rectified. Otherwise it is
    限时整改 with `deadline` (default 30 days for 一般隐患, 90 for 重大隐患 from `found_on`).
    Raises ValidationError (per field) for bad input, HazardPermissionError for a hospital the
    user may not see. `upload_key` (one per rendered form) makes a repeated submission of the
    same form with photos return the hazard raised the first time instead of a second one.
    """
    found_on = found_on or today()
    errors: dict[str, str] = {}
    if source not in Source.values:
        errors["source"] = _("请选择有效的发现途径。")
    if category not in Category.values:
        errors["category"] = _("请选择有效的隐患类别。")
    if risk_level not in RiskLevel.values:
        errors["risk_level"] = _("请选择有效的隐患等级。")
    if not _clean_text(location):
        errors["location"] = _("请填写隐患部位。")
    if not _clean_text(description):
        errors["description"] = _("请填写隐患描述。")
    if found_on > today():
        errors["found_on"] = _("排查时间不能晚于今天。")
    if deadline and deadline < found_on and not fixed_on_the_spot:
        errors["deadline"] = _("整改期限不能早于排查时间。")
    if fixed_on_the_spot and risk_level == RiskLevel.MAJOR:
        errors["fixed_on_the_spot"] = _(
            "重大隐患须制定治理方案并经卫健局复查验收,不能立查立改销号。"
        )
    if errors:
        raise ValidationError(errors)
    if not _can_see(found_by, hospital.pk):
        raise HazardPermissionError(_("您无权为该医疗机构登记隐患。"))
    _check_batch(photos)
    _check_batch(after_photos)
    key = clean_upload_key(upload_key)
    first = (
        _evidence_key(key, EvidenceStage.BEFORE, 0)
        if photos
        else _evidence_key(key, EvidenceStage.AFTER, 0)
        if after_photos and fixed_on_the_spot
        else ""
    )
    if first:
        earlier = (
            HazardEvidence.objects.filter(upload_key=first, uploaded_by=found_by)
            .select_related("hazard")
            .first()
        )
        if earlier is not None:
            return earlier.hazard

    with transaction.atomic():
        hospital = Hospital.objects.select_related("region").get(pk=hospital.pk)
        found_side = derive_found_side(found_by, source)
        hazard = Hazard(
            code=_allocate_code(hospital.region, found_on.year),
            hospital=hospital,
            source=source,
            source_label=_clean_text(source_label)[:200],
            source_url=_clean_text(source_url)[:500],
            found_side=found_side,
            category=category,
            risk_level=risk_level,
            location=_clean_text(location)[:200],
            description=_clean_text(description),
            found_on=found_on,
            found_by=found_by,
            rectification_measures=_clean_text(rectification_measures),
        )
        if fixed_on_the_spot:
            now = timezone.now()
            hazard.mode = RectificationMode.IMMEDIATE
            hazard.deadline = found_on
            hazard.status = Status.CLOSED
            hazard.closed_at = now
            # Fixed on the spot means fixed the day it was found, even when recorded later.
            hazard.closed_on = found_on
            hazard.closed_by = found_by
        else:
            hazard.mode = RectificationMode.DEADLINE
            hazard.deadline = deadline or found_on + dt.timedelta(
                days=DEFAULT_DEADLINE_DAYS[risk_level]
            )
        hazard._history_user = found_by  # type: ignore[attr-defined]  # simple_history's hook, untyped
        schedule_reminder(hazard)
        hazard.save()
        _store_evidence(hazard, photos, stage=EvidenceStage.BEFORE, by=found_by, upload_key=key)
        if fixed_on_the_spot:
            _store_evidence(
                hazard, after_photos, stage=EvidenceStage.AFTER, by=found_by, upload_key=key
            )
            _event(hazard, kind=EventType.RAISED, by=found_by, to_status=Status.PENDING)
            _event(
                hazard,
                kind=EventType.FIXED_ON_THE_SPOT,
                by=found_by,
                from_status=Status.PENDING,
                to_status=Status.CLOSED,
                note=hazard.rectification_measures,
            )
        else:
            _event(hazard, kind=EventType.RAISED, by=found_by, to_status=Status.PENDING)
            title = _("新隐患 %(code)s:%(location)s") % {
                "code": hazard.code,
                "location": hazard.location,
            }
            body = _("%(hospital)s,%(level)s,整改期限 %(deadline)s。") % {
                "hospital": hospital.name,
                "level": hazard.get_risk_level_display(),
                "deadline": hazard.deadline,
            }
            recipients = [u for u in hospital_officers(hospital) if u.pk != found_by.pk]
            if hazard.is_major:
                recipients += [u for u in _bureau_recipients(hazard) if u.pk != found_by.pk]
            notify(
                event=EventKind.HAZARD_RAISED,
                recipients=recipients,
                title=title,
                body=body,
                url=_url(hazard),
                obj=hazard,
            )
    return hazard


# --- transitions -------------------------------------------------------------------------------


def _check_hospital_side(hazard: Hazard, by: User) -> None:
    if not can_act_for_hospital(by, hazard):
        raise HazardPermissionError(_("只有该医院的安全管理员可以办理隐患整改。"))


def hazard_start_rectification(
    *,
    hazard: Hazard,
    by: User,
    note: str = "",
    expected_status: str | None = Status.PENDING,
    responsible_department: str | None = None,
    responsible_person: str | None = None,
    rectification_measures: str | None = None,
    funds: Decimal | None = None,
    interim_measures: str | None = None,
) -> Hazard:
    """待整改 → 整改中. The "六定" must be set: measures, responsible person, deadline and the
    interim safety measures that keep people safe until it is fixed."""
    with transaction.atomic():
        locked = _lock(hazard, expected_status)
        _check_hospital_side(locked, by)
        _require_status(locked, Status.PENDING, action=_("开始整改"))
        updates = {
            "responsible_department": responsible_department,
            "responsible_person": responsible_person,
            "rectification_measures": rectification_measures,
            "interim_measures": interim_measures,
        }
        fields = ["status"]
        for name, value in updates.items():
            if value is not None:
                setattr(locked, name, _clean_text(value))
                fields.append(name)
        if funds is not None:
            locked.funds = funds
            fields.append("funds")
        missing = [
            _label(name)
            for name in ("responsible_person", "rectification_measures", "interim_measures")
            if not _clean_text(getattr(locked, name))
        ]
        if missing:
            raise HazardError(
                _("开始整改前须落实“六定”,请填写:%(fields)s。") % {"fields": "、".join(missing)}
            )
        locked.status = Status.IN_PROGRESS
        _save(locked, by, fields)
        _event(
            locked,
            kind=EventType.STARTED,
            by=by,
            from_status=Status.PENDING,
            to_status=Status.IN_PROGRESS,
            note=note,
        )
    _refresh(hazard, locked)
    return hazard


def hazard_record_progress(
    *,
    hazard: Hazard,
    by: User,
    note: str,
    expected_status: str | None = Status.IN_PROGRESS,
    files: Sequence[CleanedUpload] = (),
    stage: str = EvidenceStage.AFTER,
    upload_key: str = "",
) -> Hazard:
    """A progress note (and optional photos) while rectifying; the status does not change.
    The same upload attempt again (same `upload_key`) records nothing a second time."""
    if not _clean_text(note) and not files:
        raise HazardError(_("请填写整改进度或上传佐证材料。"))
    with transaction.atomic():
        locked = _lock(hazard, expected_status)
        _check_hospital_side(locked, by)
        _require_status(locked, Status.IN_PROGRESS, action=_("记录整改进度"))
        if _is_replay(locked, files, stage=stage, upload_key=upload_key):
            _refresh(hazard, locked)
            return hazard
        fields = []
        if _clean_text(note):
            stamp = timezone.localtime().strftime("%Y-%m-%d")
            line = f"[{stamp}] {_clean_text(note)}"
            locked.progress = f"{locked.progress}\n{line}".strip()
            fields.append("progress")
            _save(locked, by, fields)
        _store_evidence(locked, files, stage=stage, by=by, upload_key=upload_key)
        _event(
            locked,
            kind=EventType.PROGRESS,
            by=by,
            note=_clean_text(note) or _("上传佐证材料 %(count)d 份") % {"count": len(files)},
        )
    _refresh(hazard, locked)
    return hazard


def hazard_add_evidence(
    *,
    hazard: Hazard,
    by: User,
    files: Sequence[CleanedUpload],
    stage: str,
    note: str = "",
    upload_key: str = "",
) -> list[HazardEvidence]:
    """Attach evidence. Hospital side while open; bureau staff may attach re-check photos.
    The same upload attempt again (same `upload_key`) returns the rows stored the first time."""
    if not files:
        raise HazardError(_("请选择要上传的文件。"))
    if stage not in EvidenceStage.values:
        raise HazardError(_("请选择有效的材料类型。"))
    with transaction.atomic():
        locked = _lock(hazard, None)
        if locked.status == Status.CLOSED:
            raise HazardError(_("隐患已销号,不能再上传材料。"))
        allowed = can_act_for_hospital(by, locked) or (
            stage == EvidenceStage.RECHECK and is_bureau_over(by, locked)
        )  # re-check photos: the bureau over the listing level, like 复查 itself
        if not allowed:
            raise HazardPermissionError(_("您无权为该隐患上传此类材料。"))
        replay = _is_replay(locked, files, stage=stage, upload_key=upload_key)
        stored = _store_evidence(locked, files, stage=stage, by=by, upload_key=upload_key)
        if replay:
            return stored
        _event(
            locked,
            kind=EventType.EVIDENCE_ADDED,
            by=by,
            note=note
            or _("%(stage)s材料 %(count)d 份")
            % {"stage": EvidenceStage(stage).label, "count": len(files)},
        )
    return stored


def _label(name: str) -> str:
    """A Hazard field's verbose name (a reverse relation has none: its name)."""
    field = Hazard._meta.get_field(name)
    return str(field.verbose_name) if isinstance(field, Field) else name


def _labels(names: Iterable[str]) -> str:
    return "、".join(_label(name) for name in names)


def _refuse_fields(user: User, hazard: Hazard, names: Iterable[str]) -> None:
    """HazardPermissionError naming the fields of `names` the user's side does not own."""
    allowed = set(editable_fields(user, hazard))
    refused = [name for name in names if name not in allowed]
    if not refused:
        return
    decisions = [name for name in refused if FIELD_AUTHORITY[name] == BUREAU]
    others = [name for name in refused if name not in decisions]
    parts = []
    if others:
        parts.append(_("您无权修改:%(fields)s。") % {"fields": _labels(others)})
    if decisions:
        actions = []
        for name in decisions:
            label = str(BUREAU_DECISIONS[name][1].label)
            if label not in actions:
                actions.append(label)
        parts.append(
            _(
                "%(fields)s属于卫健局的决定,只能由有权限的卫健局工作人员通过“%(actions)s”办理并说明理由。"
            )
            % {"fields": _labels(decisions), "actions": "”“".join(actions)}
        )
    raise HazardPermissionError("".join(parts))


def hazard_update(
    *, hazard: Hazard, by: User, changes: dict, note: str = "", expected_version: str | None = None
) -> Hazard:
    """Edit the fields the actor's side owns (FIELD_AUTHORITY) while the hazard is open and not
    awaiting acceptance. A change of any other field — a bureau decision, the other side's
    record — is refused as a whole and nothing is saved. Field changes are kept by
    simple-history. `expected_version` (the `version` the form was loaded with) refuses an edit
    over someone else's newer one."""
    unknown = set(changes) - set(FIELD_AUTHORITY)
    if unknown:
        raise HazardError(_("不能修改这些字段:%(fields)s") % {"fields": ", ".join(sorted(unknown))})
    with transaction.atomic():
        locked = _lock(hazard, None)
        if not editable_fields(by, locked):
            raise HazardPermissionError(_("您无权修改该隐患。"))
        _refuse_fields(by, locked, list(changes))
        _require_status(locked, Status.PENDING, Status.IN_PROGRESS, action=_("修改"))
        if expected_version and expected_version != hazard_version(locked):
            raise StaleHazardError(
                _("该隐患已被他人修改,您的修改未保存。请刷新页面查看最新内容后再修改。")
            )
        changed = []
        for name, value in changes.items():
            if isinstance(value, str):
                value = value.strip()
            if getattr(locked, name) != value:
                setattr(locked, name, value)
                changed.append(name)
        if not _clean_text(locked.location) or not _clean_text(locked.description):
            raise HazardError(_("部位和隐患描述不能为空。"))
        if changed:
            _save(locked, by, changed)
            _event(
                locked,
                kind=EventType.UPDATED,
                by=by,
                note=(_clean_text(note) + "\n" if _clean_text(note) else "")
                + _("修改了:%(fields)s") % {"fields": _labels(changed)},
            )
    _refresh(hazard, locked)
    return hazard


def hazard_explain_overdue(
    *, hazard: Hazard, by: User, explanation: str, expected_status: str | None = None
) -> Hazard:
    """书面说明: why an overdue hazard was not rectified by its deadline."""
    if not _clean_text(explanation):
        raise HazardError(_("请填写逾期未整改的书面说明。"))
    with transaction.atomic():
        locked = _lock(hazard, expected_status)
        _check_hospital_side(locked, by)
        _require_status(locked, Status.PENDING, Status.IN_PROGRESS, action=_("提交逾期说明"))
        if not locked.is_overdue():
            raise HazardError(_("隐患尚未逾期,无需提交书面说明。"))
        locked.overdue_explanation = _clean_text(explanation)
        locked.explained_for_deadline = locked.deadline
        _save(locked, by, ["overdue_explanation", "explained_for_deadline"])
        _event(locked, kind=EventType.EXPLAINED, by=by, note=locked.overdue_explanation)
    _refresh(hazard, locked)
    return hazard


def hazard_submit(
    *,
    hazard: Hazard,
    by: User,
    note: str = "",
    expected_status: str | None = Status.IN_PROGRESS,
    explanation: str = "",
    files: Sequence[CleanedUpload] = (),
    upload_key: str = "",
) -> Hazard:
    """整改中 → 待验收. An overdue hazard needs a written explanation first (may be given here);
    a 重大隐患 needs its complete dossier; rectification needs "after" evidence."""
    with transaction.atomic():
        locked = _lock(hazard, None)
        _check_hospital_side(locked, by)
        if locked.status == Status.PENDING_ACCEPTANCE and _is_replay(
            locked, files, stage=EvidenceStage.AFTER, upload_key=upload_key
        ):  # the same submission again (a double tap): it was done the first time
            _refresh(hazard, locked)
            return hazard
        _expect(locked, expected_status)
        _require_status(locked, Status.IN_PROGRESS, action=_("提交验收"))
        fields = ["status", "submitted_at"]
        if locked.is_overdue() and _clean_text(explanation):
            locked.overdue_explanation = _clean_text(explanation)
            locked.explained_for_deadline = locked.deadline
            fields += ["overdue_explanation", "explained_for_deadline"]
            _event(locked, kind=EventType.EXPLAINED, by=by, note=locked.overdue_explanation)
        if locked.is_overdue() and not locked.has_current_explanation:
            raise HazardError(
                _("该隐患已超过整改期限(%(deadline)s),提交验收前须提交逾期未整改的书面说明。")
                % {"deadline": locked.deadline}
            )
        missing = locked.missing_dossier_fields()
        if missing:
            raise HazardError(
                _("重大隐患须完善“一患一档”后才能提交验收,尚缺:%(fields)s。")
                % {"fields": "、".join(missing)}
            )
        if not _clean_text(locked.rectification_measures):
            raise HazardError(_("请先填写整改措施。"))
        if not files and not locked.evidence.filter(stage=EvidenceStage.AFTER).exists():
            raise HazardError(_("请先上传整改后的照片或佐证材料。"))
        # Files are written only once every rule has passed, so a refusal leaves no orphans.
        _store_evidence(locked, files, stage=EvidenceStage.AFTER, by=by, upload_key=upload_key)
        locked.status = Status.PENDING_ACCEPTANCE
        locked.submitted_at = timezone.now()
        _save(locked, by, fields)
        event = _event(
            locked,
            kind=EventType.SUBMITTED,
            by=by,
            from_status=Status.IN_PROGRESS,
            to_status=Status.PENDING_ACCEPTANCE,
            note=note,
        )
        if acceptor_side(locked) == FoundSide.BUREAU:
            recipients = _bureau_recipients(locked)
        else:
            recipients = [u for u in hospital_officers(locked.hospital) if u.pk != by.pk]
        notify(
            event=EventKind.HAZARD_SUBMITTED,
            recipients=recipients,
            title=_("隐患 %(code)s 已整改,待验收") % {"code": locked.code},
            body=_("%(hospital)s:%(location)s")
            % {
                "hospital": locked.hospital.name,
                "location": locked.location,
            },
            url=_url(locked),
            obj=locked,
            occurrence=str(event.pk),
        )
    _refresh(hazard, locked)
    return hazard


def _authority_label(hazard: Hazard) -> str:
    region = bureau_authority_region(hazard)
    return region.name if region is not None else str(hazard.get_supervision_level_display())


def _check_bureau(hazard: Hazard, by: User, *, action: str) -> None:
    """Only the bureau over the hazard (its listing level's region or above) decides."""
    if is_bureau_over(by, hazard):
        return
    if hazard.supervision_level:
        raise HazardPermissionError(
            _("该隐患为%(level)s,只有%(region)s及以上卫健局工作人员可以%(action)s。")
            % {
                "level": hazard.get_supervision_level_display(),
                "region": _authority_label(hazard),
                "action": action,
            }
        )
    raise HazardPermissionError(_("只有辖区卫健局工作人员可以%(action)s。") % {"action": action})


def _check_acceptor(hazard: Hazard, by: User) -> None:
    if can_accept(by, hazard):
        return
    if acceptor_side(hazard) == FoundSide.BUREAU and hazard.supervision_level:
        raise HazardPermissionError(
            _("该隐患为%(level)s,须由%(region)s及以上卫健局工作人员复查和验收销号。")
            % {
                "level": hazard.get_supervision_level_display(),
                "region": _authority_label(hazard),
            }
        )
    if acceptor_side(hazard) == FoundSide.BUREAU:
        raise HazardPermissionError(
            _("该隐患须由辖区卫健局工作人员验收(卫健局检查发现的隐患和所有重大隐患)。")
        )
    raise HazardPermissionError(_("医院自查发现的一般隐患由本院安全管理员验收销号。"))


def hazard_record_recheck(
    *,
    hazard: Hazard,
    by: User,
    note: str,
    expected_status: str | None = Status.PENDING_ACCEPTANCE,
    files: Sequence[CleanedUpload] = (),
    upload_key: str = "",
) -> Hazard:
    """复查: the bureau re-checks a 重大隐患 on site before it can be accepted. Only the bureau
    over the hazard's listing level may (see bureau_authority_region)."""
    if not _clean_text(note):
        raise HazardError(_("请填写复查意见。"))
    with transaction.atomic():
        locked = _lock(hazard, expected_status)
        _check_acceptor(locked, by)
        _require_status(locked, Status.PENDING_ACCEPTANCE, action=_("复查"))
        if _is_replay(locked, files, stage=EvidenceStage.RECHECK, upload_key=upload_key):
            _refresh(hazard, locked)
            return hazard
        locked.rechecked_at = timezone.now()
        locked.rechecked_by = by
        locked.recheck_note = _clean_text(note)
        _save(locked, by, ["rechecked_at", "rechecked_by", "recheck_note"])
        _store_evidence(locked, files, stage=EvidenceStage.RECHECK, by=by, upload_key=upload_key)
        _event(locked, kind=EventType.RECHECKED, by=by, note=locked.recheck_note)
    _refresh(hazard, locked)
    return hazard


def hazard_accept(
    *,
    hazard: Hazard,
    by: User,
    note: str = "",
    expected_status: str | None = Status.PENDING_ACCEPTANCE,
) -> Hazard:
    """待验收 → 已销号, by the side that found it (重大隐患: bureau, after a recorded 复查)."""
    with transaction.atomic():
        locked = _lock(hazard, expected_status)
        _check_acceptor(locked, by)
        _require_status(locked, Status.PENDING_ACCEPTANCE, action=_("验收销号"))
        if locked.is_major and not locked.recheck_is_current:
            raise HazardError(_("重大隐患须先记录复查情况,才能验收销号。"))
        now = timezone.now()
        locked.status = Status.CLOSED
        locked.closed_at = now
        locked.closed_on = timezone.localdate(now)
        locked.closed_by = by
        _save(locked, by, ["status", "closed_at", "closed_on", "closed_by"])
        event = _event(
            locked,
            kind=EventType.ACCEPTED,
            by=by,
            from_status=Status.PENDING_ACCEPTANCE,
            to_status=Status.CLOSED,
            note=note,
        )
        notify(
            event=EventKind.HAZARD_ACCEPTED,
            recipients=[u for u in hospital_officers(locked.hospital) if u.pk != by.pk],
            title=_("隐患 %(code)s 验收通过,已销号") % {"code": locked.code},
            body=_clean_text(note),
            url=_url(locked),
            obj=locked,
            occurrence=str(event.pk),
        )
    _refresh(hazard, locked)
    return hazard


def hazard_reject(
    *,
    hazard: Hazard,
    by: User,
    note: str,
    expected_status: str | None = Status.PENDING_ACCEPTANCE,
) -> Hazard:
    """验收不通过: 待验收 → 整改中, with the reason."""
    if not _clean_text(note):
        raise HazardError(_("请填写验收不通过的原因。"))
    with transaction.atomic():
        locked = _lock(hazard, expected_status)
        _check_acceptor(locked, by)
        _require_status(locked, Status.PENDING_ACCEPTANCE, action=_("退回整改"))
        locked.status = Status.IN_PROGRESS
        _save(locked, by, ["status"])
        event = _event(
            locked,
            kind=EventType.REJECTED,
            by=by,
            from_status=Status.PENDING_ACCEPTANCE,
            to_status=Status.IN_PROGRESS,
            note=_clean_text(note),
        )
        notify(
            event=EventKind.HAZARD_REJECTED,
            recipients=[u for u in hospital_officers(locked.hospital) if u.pk != by.pk],
            title=_("隐患 %(code)s 验收不通过,请继续整改") % {"code": locked.code},
            body=_clean_text(note),
            url=_url(locked),
            obj=locked,
            occurrence=str(event.pk),
        )
    _refresh(hazard, locked)
    return hazard


def hazard_set_deadline(
    *,
    hazard: Hazard,
    by: User,
    deadline: dt.date,
    note: str = "",
    expected_status: str | None = None,
) -> Hazard:
    """The bureau sets (or resets) the rectification deadline of an open hazard."""
    if not deadline:
        raise HazardError(_("请填写整改期限。"))
    with transaction.atomic():
        locked = _lock(hazard, expected_status)
        _check_bureau(locked, by, action=_("设定整改期限"))
        _require_status(locked, Status.PENDING, Status.IN_PROGRESS, action=_("设定整改期限"))
        if deadline < locked.found_on:
            raise HazardError(_("整改期限不能早于排查时间(%(date)s)。") % {"date": locked.found_on})
        old = locked.deadline
        if old == deadline:
            return hazard
        locked.deadline = deadline
        _save(locked, by, ["deadline"])
        _event(
            locked,
            kind=EventType.DEADLINE_SET,
            by=by,
            previous_deadline=old,
            note=_("整改期限:%(old)s → %(new)s") % {"old": old or "—", "new": deadline}
            + (f"\n{_clean_text(note)}" if _clean_text(note) else ""),
        )
    _refresh(hazard, locked)
    return hazard


# --- bureau decisions: 挂牌督办, 停业/停用整改, 等级 ----------------------------------------------
# Each is a transition: the bureau over the hazard (bureau_authority_region) decides, with a
# required reason, an event holding the old and new value, and a notice to the hospital.


def _require_reason(reason: str, message: str) -> str:
    reason = _clean_text(reason)
    if not reason:
        raise HazardError(message)
    return reason


def _tell_hospital(hazard: Hazard, event: HazardEvent, *, kind: str, title: str, by: User) -> None:
    notify(
        event=kind,
        recipients=[u for u in hospital_officers(hazard.hospital) if u.pk != by.pk],
        title=title,
        body=event.note,
        url=_url(hazard),
        obj=hazard,
        occurrence=f"event-{event.pk}",
    )


def hazard_list_for_supervision(
    *, hazard: Hazard, by: User, level: str, notice_no: str, reason: str
) -> Hazard:
    """分级挂牌督办 a 重大隐患 (or change its level or 文号). The actor must be over the hazard now
    AND at the new level: a county bureau cannot list at 市级, nor change a 市级 listing."""
    if level not in SupervisionLevel.values:
        raise HazardError(_("请选择挂牌督办级别。"))
    notice_no = _require_reason(notice_no, _("请填写督办文号。"))[:100]
    reason = _require_reason(reason, _("请填写挂牌督办的理由。"))
    with transaction.atomic():
        locked = _lock(hazard, None)
        _check_bureau(locked, by, action=_("挂牌督办"))
        _require_status(locked, *OPEN_STATUSES, action=_("挂牌督办"))
        if not locked.is_major:
            raise HazardError(_("挂牌督办适用于重大隐患,请先将隐患等级调整为重大隐患。"))
        authority = bureau_authority_region(locked, level)
        if authority is None:
            raise HazardError(
                _("%(hospital)s所在区域没有%(level)s对应的上级区域。")
                % {"hospital": locked.hospital.name, "level": SupervisionLevel(level).label}
            )
        if not is_bureau_over(by, locked, level=level):
            raise HazardPermissionError(
                _("只有%(region)s及以上卫健局工作人员可以%(level)s。")
                % {
                    "region": authority.name,
                    "level": SupervisionLevel(level).label,
                }
            )
        if locked.supervision_level == level and locked.supervision_notice_no == notice_no:
            raise HazardError(_("该隐患已按此级别和文号挂牌督办。"))
        before = (
            f"{locked.get_supervision_level_display()} {locked.supervision_notice_no}".strip()
            if locked.supervision_level
            else _("未挂牌")
        )
        locked.supervision_level = level
        locked.supervision_notice_no = notice_no
        _save(locked, by, ["supervision_level", "supervision_notice_no"])
        event = _event(
            locked,
            kind=EventType.LISTED,
            by=by,
            note=_("挂牌督办:%(old)s → %(new)s %(no)s\n理由:%(reason)s")
            % {
                "old": before,
                "new": locked.get_supervision_level_display(),
                "no": notice_no,
                "reason": reason,
            },
        )
        _tell_hospital(
            locked,
            event,
            kind=EventKind.HAZARD_RAISED,
            title=_("隐患 %(code)s 被%(level)s")
            % {"code": locked.code, "level": locked.get_supervision_level_display()},
            by=by,
        )
    _refresh(hazard, locked)
    return hazard


def hazard_delist(*, hazard: Hazard, by: User, reason: str) -> Hazard:
    """撤销挂牌督办 of an open hazard (by the bureau over its current listing level)."""
    reason = _require_reason(reason, _("请填写撤销挂牌督办的理由。"))
    with transaction.atomic():
        locked = _lock(hazard, None)
        _check_bureau(locked, by, action=_("撤销挂牌督办"))
        _require_status(locked, *OPEN_STATUSES, action=_("撤销挂牌督办"))
        if not locked.supervision_level:
            raise HazardError(_("该隐患未挂牌督办。"))
        before = f"{locked.get_supervision_level_display()} {locked.supervision_notice_no}"
        locked.supervision_level = ""
        locked.supervision_notice_no = ""
        _save(locked, by, ["supervision_level", "supervision_notice_no"])
        event = _event(
            locked,
            kind=EventType.DELISTED,
            by=by,
            note=_("撤销挂牌督办(原%(old)s)\n理由:%(reason)s")
            % {"old": before.strip(), "reason": reason},
        )
        _tell_hospital(
            locked,
            event,
            kind=EventKind.HAZARD_RAISED,
            title=_("隐患 %(code)s 已撤销挂牌督办") % {"code": locked.code},
            by=by,
        )
    _refresh(hazard, locked)
    return hazard


def hazard_order_suspension(
    *, hazard: Hazard, by: User, kind: str, scope: str, notice_no: str, reason: str
) -> Hazard:
    """责令停业/停用整改 of the area of a 重大隐患 in severe danger."""
    if kind not in (Suspension.SUSPEND_BUSINESS, Suspension.SUSPEND_USE):
        raise HazardError(_("请选择停业整改或停用整改。"))
    scope = _require_reason(scope, _("请填写停业/停用的范围。"))[:200]
    notice_no = _require_reason(notice_no, _("请填写停业/停用整改通知文号。"))[:100]
    reason = _require_reason(reason, _("请填写责令停业/停用整改的理由。"))
    with transaction.atomic():
        locked = _lock(hazard, None)
        _check_bureau(locked, by, action=_("责令停业/停用整改"))
        _require_status(locked, *OPEN_STATUSES, action=_("责令停业/停用整改"))
        if not locked.is_major:
            raise HazardError(_("停业/停用整改适用于重大隐患,请先将隐患等级调整为重大隐患。"))
        if locked.suspension:
            raise HazardError(
                _("该隐患已责令%(kind)s(%(scope)s),须先解除才能重新责令。")
                % {"kind": locked.get_suspension_display(), "scope": locked.suspension_scope}
            )
        locked.suspension = kind
        locked.suspension_scope = scope
        locked.suspension_notice_no = notice_no
        locked.resumption_applied_at = None
        locked.resumption_application = ""
        _save(
            locked,
            by,
            [
                "suspension",
                "suspension_scope",
                "suspension_notice_no",
                "resumption_applied_at",
                "resumption_application",
            ],
        )
        event = _event(
            locked,
            kind=EventType.SUSPENSION_ORDERED,
            by=by,
            note=_("%(kind)s:%(scope)s(%(no)s)\n理由:%(reason)s")
            % {
                "kind": locked.get_suspension_display(),
                "scope": scope,
                "no": notice_no,
                "reason": reason,
            },
        )
        _tell_hospital(
            locked,
            event,
            kind=EventKind.HAZARD_RAISED,
            title=_("隐患 %(code)s:责令%(kind)s")
            % {"code": locked.code, "kind": locked.get_suspension_display()},
            by=by,
        )
    _refresh(hazard, locked)
    return hazard


def hazard_apply_resumption(*, hazard: Hazard, by: User, note: str) -> Hazard:
    """The hospital applies to resume after rectifying the suspended area (原安监总局16号令
    第十八条: the unit applies, the regulator reviews, then lifts the suspension)."""
    note = _require_reason(note, _("请说明整改完成情况和恢复申请。"))
    with transaction.atomic():
        locked = _lock(hazard, None)
        _check_hospital_side(locked, by)
        if not locked.suspension:
            raise HazardError(_("该隐患未被责令停业/停用整改,无需申请恢复。"))
        if locked.resumption_applied_at:
            raise HazardError(_("已提交恢复申请,请等待卫健局审查。"))
        locked.resumption_applied_at = timezone.now()
        locked.resumption_application = note
        _save(locked, by, ["resumption_applied_at", "resumption_application"])
        event = _event(locked, kind=EventType.RESUMPTION_APPLIED, by=by, note=note)
        notify(
            event=EventKind.HAZARD_SUBMITTED,
            recipients=[u for u in _bureau_recipients(locked) if u.pk != by.pk],
            title=_("隐患 %(code)s 申请解除%(kind)s")
            % {"code": locked.code, "kind": locked.get_suspension_display()},
            body=note,
            url=_url(locked),
            obj=locked,
            occurrence=f"event-{event.pk}",
        )
    _refresh(hazard, locked)
    return hazard


def _check_resumption_pending(hazard: Hazard) -> None:
    if not hazard.suspension:
        raise HazardError(_("该隐患未被责令停业/停用整改。"))
    if not hazard.resumption_applied_at:
        raise HazardError(
            _("医院尚未提交恢复申请。须由医院整改完成后申请,经审查后才能解除停业/停用整改。")
        )


def hazard_lift_suspension(*, hazard: Hazard, by: User, reason: str) -> Hazard:
    """解除停业/停用整改 after reviewing the hospital's pending application to resume."""
    reason = _require_reason(reason, _("请填写解除停业/停用整改的审查意见。"))
    with transaction.atomic():
        locked = _lock(hazard, None)
        _check_bureau(locked, by, action=_("解除停业/停用整改"))
        _check_resumption_pending(locked)
        before = _("%(kind)s:%(scope)s(%(no)s)") % {
            "kind": locked.get_suspension_display(),
            "scope": locked.suspension_scope,
            "no": locked.suspension_notice_no,
        }
        locked.suspension = Suspension.NONE
        locked.suspension_scope = ""
        locked.suspension_notice_no = ""
        locked.resumption_applied_at = None
        locked.resumption_application = ""
        _save(
            locked,
            by,
            [
                "suspension",
                "suspension_scope",
                "suspension_notice_no",
                "resumption_applied_at",
                "resumption_application",
            ],
        )
        event = _event(
            locked,
            kind=EventType.SUSPENSION_LIFTED,
            by=by,
            note=_("解除%(before)s\n审查意见:%(reason)s") % {"before": before, "reason": reason},
        )
        _tell_hospital(
            locked,
            event,
            kind=EventKind.HAZARD_ACCEPTED,
            title=_("隐患 %(code)s 已解除停业/停用整改") % {"code": locked.code},
            by=by,
        )
    _refresh(hazard, locked)
    return hazard


def hazard_refuse_resumption(*, hazard: Hazard, by: User, reason: str) -> Hazard:
    """不同意恢复: the suspension stands; the hospital may apply again after further work."""
    reason = _require_reason(reason, _("请填写不同意恢复的理由。"))
    with transaction.atomic():
        locked = _lock(hazard, None)
        _check_bureau(locked, by, action=_("审查恢复申请"))
        _check_resumption_pending(locked)
        locked.resumption_applied_at = None
        locked.resumption_application = ""
        _save(locked, by, ["resumption_applied_at", "resumption_application"])
        event = _event(locked, kind=EventType.RESUMPTION_REFUSED, by=by, note=reason)
        _tell_hospital(
            locked,
            event,
            kind=EventKind.HAZARD_REJECTED,
            title=_("隐患 %(code)s 恢复申请未获同意,继续%(kind)s")
            % {"code": locked.code, "kind": locked.get_suspension_display()},
            by=by,
        )
    _refresh(hazard, locked)
    return hazard


def hazard_regrade(*, hazard: Hazard, by: User, risk_level: str, reason: str) -> Hazard:
    """调整隐患等级 (一般 ↔ 重大) before submission for acceptance. An upgrade makes the 重大隐患
    rules apply from now on (一患一档 before submission, bureau 复查 and 销号); a downgrade
    requires the listing and any suspension to be withdrawn first."""
    if risk_level not in RiskLevel.values:
        raise HazardError(_("请选择有效的隐患等级。"))
    reason = _require_reason(reason, _("请填写调整隐患等级的理由。"))
    with transaction.atomic():
        locked = _lock(hazard, None)
        _check_bureau(locked, by, action=_("调整隐患等级"))
        _require_status(locked, Status.PENDING, Status.IN_PROGRESS, action=_("调整隐患等级"))
        old = locked.risk_level
        if old == risk_level:
            raise HazardError(
                _("该隐患已是%(level)s。") % {"level": locked.get_risk_level_display()}
            )
        if risk_level == RiskLevel.GENERAL and (locked.supervision_level or locked.suspension):
            raise HazardError(
                _(
                    "该隐患已挂牌督办或责令停业/停用整改,须先撤销挂牌督办、解除停业/停用整改,才能调整为一般隐患。"
                )
            )
        before = locked.get_risk_level_display()
        locked.risk_level = risk_level
        _save(locked, by, ["risk_level"])
        event = _event(
            locked,
            kind=EventType.REGRADED,
            by=by,
            previous_risk_level=old,
            note=_("隐患等级:%(old)s → %(new)s\n理由:%(reason)s")
            % {"old": before, "new": locked.get_risk_level_display(), "reason": reason},
        )
        _tell_hospital(
            locked,
            event,
            kind=EventKind.HAZARD_RAISED,
            title=_("隐患 %(code)s 调整为%(level)s")
            % {"code": locked.code, "level": locked.get_risk_level_display()},
            by=by,
        )
    _refresh(hazard, locked)
    return hazard


def hazard_request_extension(
    *, hazard: Hazard, by: User, requested_deadline: dt.date, reason: str
) -> ExtensionRequest:
    """延期申请 by the hospital; the bureau decides."""
    if not _clean_text(reason):
        raise HazardError(_("请填写延期理由。"))
    if not requested_deadline:
        raise HazardError(_("请填写申请延至的日期。"))
    with transaction.atomic():
        locked = _lock(hazard, None)
        _check_hospital_side(locked, by)
        _require_status(locked, Status.PENDING, Status.IN_PROGRESS, action=_("申请延期"))
        if locked.deadline and requested_deadline <= locked.deadline:
            raise HazardError(
                _("申请延至的日期须晚于当前整改期限(%(date)s)。") % {"date": locked.deadline}
            )
        if requested_deadline < today():
            raise HazardError(_("申请延至的日期不能早于今天。"))
        if locked.extensions.filter(status=ExtensionStatus.PENDING).exists():
            raise HazardError(_("已有一份待审批的延期申请,请等待卫健局审批。"))
        extension = ExtensionRequest.objects.create(
            hazard=locked,
            requested_by=by,
            current_deadline=locked.deadline,
            requested_deadline=requested_deadline,
            reason=_clean_text(reason),
        )
        _event(
            locked,
            kind=EventType.EXTENSION_REQUESTED,
            by=by,
            note=_("申请延至 %(date)s:%(reason)s")
            % {"date": requested_deadline, "reason": extension.reason},
        )
        notify(
            event=EventKind.HAZARD_EXTENSION,
            recipients=_bureau_recipients(locked),
            title=_("隐患 %(code)s 申请延期至 %(date)s")
            % {"code": locked.code, "date": requested_deadline},
            body=extension.reason,
            url=_url(locked),
            obj=locked,
            occurrence=f"extension-{extension.pk}",
        )
    return extension


def _decide_extension(
    *, extension: ExtensionRequest, by: User, approve: bool, note: str
) -> ExtensionRequest:
    with transaction.atomic():
        locked_ext = ExtensionRequest.objects.select_for_update().get(pk=extension.pk)
        hazard = _lock(locked_ext.hazard, None)
        _check_bureau(hazard, by, action=_("审批延期申请"))
        if locked_ext.status != ExtensionStatus.PENDING:
            raise StaleHazardError(
                _("该延期申请已被处理(%(status)s),您的操作未执行。")
                % {"status": locked_ext.get_status_display()}
            )
        if approve and hazard.status == Status.CLOSED:
            raise HazardError(_("隐患已销号,无需延期。"))
        locked_ext.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
        locked_ext.decided_by = by
        locked_ext.decided_at = timezone.now()
        locked_ext.decision_note = _clean_text(note)
        locked_ext.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        old = hazard.deadline
        if approve:
            hazard.deadline = locked_ext.requested_deadline
            _save(hazard, by, ["deadline"])
            text = _("同意延期:%(old)s → %(new)s") % {"old": old or "—", "new": hazard.deadline}
        else:
            text = _("不同意延期,整改期限仍为 %(date)s") % {"date": hazard.deadline}
        _event(
            hazard,
            kind=EventType.EXTENSION_APPROVED if approve else EventType.EXTENSION_REFUSED,
            by=by,
            previous_deadline=old if approve else None,
            note=text + (f"\n{locked_ext.decision_note}" if locked_ext.decision_note else ""),
        )
        notify(
            event=EventKind.HAZARD_EXTENSION,
            recipients=hospital_officers(hazard.hospital),
            title=_("隐患 %(code)s:%(text)s") % {"code": hazard.code, "text": text},
            body=locked_ext.decision_note,
            url=_url(hazard),
            obj=hazard,
            occurrence=f"extension-{locked_ext.pk}-decided",
        )
    for field in ("status", "decided_by_id", "decided_at", "decision_note"):
        setattr(extension, field, getattr(locked_ext, field))
    return extension


def hazard_approve_extension(
    *, extension: ExtensionRequest, by: User, note: str = ""
) -> ExtensionRequest:
    return _decide_extension(extension=extension, by=by, approve=True, note=note)


def hazard_refuse_extension(
    *, extension: ExtensionRequest, by: User, note: str
) -> ExtensionRequest:
    if not _clean_text(note):
        raise HazardError(_("请填写不同意延期的理由。"))
    return _decide_extension(extension=extension, by=by, approve=False, note=note)


# --- bulk --------------------------------------------------------------------------------------


@dataclass
class BulkResult:
    done: list[Hazard]
    failed: list[tuple[Hazard, str]]


def hazards_bulk(
    hazards: Iterable[Hazard], action: Callable[..., object], **kwargs: Any
) -> BulkResult:
    """Run one service per hazard, each in its own transaction; collect per-hazard failures."""
    result = BulkResult(done=[], failed=[])
    for hazard in hazards:
        try:
            action(hazard=hazard, **kwargs)
        except HazardError as exc:
            result.failed.append((hazard, exc.message))
        else:
            result.done.append(hazard)
    return result


def hazards_bulk_accept(*, hazards: Iterable[Hazard], by: User, note: str) -> BulkResult:
    """验收通过并销号 of several hazards at once: the 验收意见 is required and goes on every
    closed hazard's ACCEPTED event; each hazard is its own transaction and its own checks."""
    note = _require_reason(note, _("请填写验收意见。"))
    return hazards_bulk(
        hazards, hazard_accept, by=by, note=note, expected_status=Status.PENDING_ACCEPTANCE
    )


# The bureau side of FIELD_AUTHORITY: each field → the transition that decides it and its event.
BUREAU_DECISIONS = {
    "risk_level": (hazard_regrade, EventType.REGRADED),
    "supervision_level": (hazard_list_for_supervision, EventType.LISTED),
    "supervision_notice_no": (hazard_list_for_supervision, EventType.LISTED),
    "suspension": (hazard_order_suspension, EventType.SUSPENSION_ORDERED),
    "suspension_scope": (hazard_order_suspension, EventType.SUSPENSION_ORDERED),
    "suspension_notice_no": (hazard_order_suspension, EventType.SUSPENSION_ORDERED),
    "deadline": (hazard_set_deadline, EventType.DEADLINE_SET),
}


__all__ = [
    "BUREAU_DECISIONS",
    "FIELD_AUTHORITY",
    "OPEN_STATUSES",
    "BulkResult",
    "HazardError",
    "HazardPermissionError",
    "StaleHazardError",
    "allowed_actions",
    "bureau_authority_region",
    "can_accept",
    "editable_fields",
    "hazard_accept",
    "hazard_add_evidence",
    "hazard_apply_resumption",
    "hazard_approve_extension",
    "hazard_delist",
    "hazard_explain_overdue",
    "hazard_lift_suspension",
    "hazard_list_for_supervision",
    "hazard_order_suspension",
    "hazard_raise",
    "hazard_record_progress",
    "hazard_record_recheck",
    "hazard_refuse_extension",
    "hazard_refuse_resumption",
    "hazard_regrade",
    "hazard_reject",
    "hazard_request_extension",
    "hazard_set_deadline",
    "hazard_start_rectification",
    "hazard_submit",
    "hazard_update",
    "hazards_bulk",
    "hazards_bulk_accept",
    "is_bureau_over",
]
