"""Writes of the 4+N plan. Each verb checks who may do it, locks the row, records an event and
raises SecurityError with a translated message for an illegal move.

Who may do what:
- the hospital's own security officer keeps its checklist, evidence, posts, facilities, drills
  and half-year reports current, and submits items for confirmation;
- bureau staff (and administrators) of the hospital's region or above confirm 已达标 or send an
  item back — never a hospital user, so a hospital cannot confirm its own item;
- administrators edit their region's plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any, Protocol, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.dates import today
from core.errors import DomainError
from core.uploads import CleanedUpload, attach_upload, clean_upload_key, existing_upload
from hazards.choices import Category, Source
from hazards.models import Hazard
from hazards.services import HazardError, hazard_raise
from hospitals.models import Hospital, Region
from notifications.choices import EventKind
from notifications.recipients import bureau_recipients, hospital_officers
from notifications.services import deliveries_for, delivery_retry, notify

from .choices import STANDARD_KINDS, ItemAction, ItemKind, ItemStatus, ReportStatus
from .models import (
    PLAN_BEGINNING,
    THRESHOLD_FIELDS,
    ChecklistItem,
    DrillFinding,
    EmergencyDrill,
    HalfYearReport,
    ItemEvent,
    ItemEvidence,
    PlanVersion,
    SecurityPlan,
    SecurityProfile,
    version_in_force,
)
from .report_pdf import ATTACHMENT_NAME
from .selectors import (
    ItemState,
    PlanIndex,
    checklist_states,
    hospital_facts,
    item_shortfalls,
    plan_for_hospital,
    plan_item_cells,
)


class HospitalRecord(Protocol):
    """One of a hospital's own records (post, entrance, alarm point, video system, drill)."""

    pk: Any
    hospital_id: int
    hospital: Hospital

    def full_clean(self) -> None: ...

    def save(self) -> None: ...

    def delete(self) -> tuple[int, dict[str, int]]: ...


R = TypeVar("R", bound=HospitalRecord)


class SecurityError(DomainError):
    """A refused 4+N action; str(error) is a translated message for the user."""


# --- who may act ------------------------------------------------------------------------------


def can_edit_hospital(user: User, hospital: Hospital) -> bool:
    """The hospital's own officer (or a superuser) keeps its 4+N records."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.is_officer and user.hospital_id == hospital.pk


def can_review(user: User, hospital: Hospital) -> bool:
    """Bureau staff / administrators who see the hospital confirm or send back its items."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_officer:
        return False
    if not (user.is_superuser or user.is_bureau_side):
        return False
    return Hospital.objects.visible_to(user).filter(pk=hospital.pk).exists()


def can_edit_plan(user: User, region: Region) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.is_region_admin and Region.objects.visible_to(user).filter(pk=region.pk).exists()


def _require_editor(user: User, hospital: Hospital) -> None:
    if not can_edit_hospital(user, hospital):
        raise SecurityError(_("只有本院的安全管理员可以修改本院的 4+N 资料。"))


def bureau_staff_for(hospital: Hospital, event: str) -> list[User]:
    """The bureau staff who hear about a 4+N event: notifications.recipients decides."""
    return bureau_recipients(hospital.region, event=event)


def _item_url(item: ChecklistItem) -> str:
    return reverse("security:item", args=[item.pk])


# --- who may do what to a checklist item --------------------------------------------------------
#
# Field authority: every field of a checklist item belongs to one side, and every verb that
# writes it belongs to that side too.
#   hospital: status 未启动/建设中 and the progress note (item_update_progress), the declaration
#             (item_submit), evidence (evidence_add/evidence_remove), an N item's name,
#             description and target date (custom_item_update/custom_item_delete);
#   bureau:   status 已达标 with met_on, confirmed_by/at and the review note (item_confirm),
#             sending back to 建设中 with the reason (item_send_back).
# A confirmed item is the bureau's finding: the hospital cannot change it at all (no progress,
# evidence or N-item edit is accepted on it) until the bureau sends it back with a reason. If
# the hospital's records later contradict it (guards left, an alarm point went offline), the
# item is shown "已达标(核算不足)" and no figure counts it as met.

HOSPITAL_SIDE = "hospital"
BUREAU_SIDE = "bureau"
ITEM_ACTIONS = {
    "progress": HOSPITAL_SIDE,
    "submit": HOSPITAL_SIDE,
    "evidence_add": HOSPITAL_SIDE,
    "evidence_remove": HOSPITAL_SIDE,
    "edit": HOSPITAL_SIDE,
    "delete": HOSPITAL_SIDE,
    "confirm": BUREAU_SIDE,
    "send_back": BUREAU_SIDE,
}
HOSPITAL_FIELDS = frozenset({"status", "progress_note", "name", "description", "target_date"})
BUREAU_FIELDS = frozenset({"status", "met_on", "confirmed_by", "confirmed_at", "review_note"})
# Actions the computed rule (security.rules) can forbid: nobody declares or confirms 已达标 while
# the hospital's own records say the item is short.
RULE_CHECKED_ACTIONS = frozenset({"submit", "confirm"})


def _side_refusal(user: User, item: ChecklistItem, side: str) -> str | None:
    if side == HOSPITAL_SIDE:
        if can_edit_hospital(user, item.hospital):
            return None
        if getattr(user, "is_bureau_side", False):
            return _("该操作由医院办理,卫健局不能代医院修改 4+N 项目的进展和佐证。")
        return _("只有本院的安全管理员可以修改本院的 4+N 资料。")
    if getattr(user, "is_officer", False):
        return _("医院不能确认或退回本院的 4+N 项目,须由卫健局工作人员办理。")
    if not can_review(user, item.hospital):
        return _("您无权审核该医疗机构的 4+N 项目。")
    return None


def _state_refusal(
    item: ChecklistItem,
    action: str,
    reasons: Callable[[], Sequence[str]],
    has_evidence: Callable[[], bool],
) -> str | None:
    status = item.status
    if action in ("progress", "evidence_add") and status == ItemStatus.MET:
        return _("该项目已由卫健局确认达标,医院不能再修改;如情况变化请联系卫健局退回。")
    if action == "submit":
        if status == ItemStatus.MET:
            return _("该项目已确认达标,无需再次申报。")
        if status == ItemStatus.PENDING:
            return _("该项目已申报,正在等待卫健局确认。")
        if not has_evidence():
            return _("申报达标前请至少上传一份佐证材料(照片或 PDF)。")
    if action == "evidence_remove" and status in (ItemStatus.MET, ItemStatus.PENDING):
        return _("待确认或已达标项目的佐证材料不能删除。")
    if action in ("edit", "delete"):
        if not item.is_custom:
            return (
                _("标准项目的名称和期限由区域方案规定,不能修改。")
                if action == "edit"
                else _("标准项目不能删除。")
            )
        if status == ItemStatus.MET:
            return _("该项目已由卫健局确认达标,医院不能再修改;如情况变化请联系卫健局退回。")
        if status == ItemStatus.PENDING:
            return _("该项目正在等待卫健局确认,请先撤回申报再修改。")
    if action == "confirm" and status == ItemStatus.MET:
        return _("该项目已确认达标。")
    if action == "send_back" and status not in (ItemStatus.PENDING, ItemStatus.MET):
        return _("只有待确认或已达标的项目可以退回。")
    if action in RULE_CHECKED_ACTIONS:
        found = reasons()
        if found:
            return _("系统核算显示该项目尚未达标,不能%(verb)s:%(reasons)s") % {
                "verb": _("申报达标") if action == "submit" else _("确认达标"),
                "reasons": "".join(found),
            }
    return None


def item_refusal(
    user: User, item: ChecklistItem, action: str, *, shortfalls: Sequence[str] | None = None
) -> str | None:
    """Why `user` may not take `action` on `item` now (a translated sentence), or None.

    The single rule behind both the services (which raise it) and the item page (which shows a
    button only for allowed actions). `shortfalls` (security.rules) may be passed when the
    caller has computed them; otherwise they are computed when needed."""
    side = ITEM_ACTIONS[action]
    refusal = _side_refusal(user, item, side)
    if refusal:
        return refusal

    def reasons() -> Sequence[str]:
        if shortfalls is not None:
            return shortfalls

        return item_shortfalls(item)

    return _state_refusal(item, action, reasons, lambda: item.evidence.exists())


def allowed_actions(
    user: User, item: ChecklistItem, *, shortfalls: Sequence[str] | None = None
) -> set[str]:
    """Names of the actions `user` may take on `item` now (the item page's buttons)."""
    if shortfalls is None and not item.is_custom:
        shortfalls = item_shortfalls(item)
    return {
        action
        for action in ITEM_ACTIONS
        if item_refusal(user, item, action, shortfalls=shortfalls or []) is None
    }


def _require_action(user: User, item: ChecklistItem, action: str) -> None:
    refusal = item_refusal(user, item, action)
    if refusal:
        raise SecurityError(refusal)


# --- checklist --------------------------------------------------------------------------------


def checklist_ensure(*, hospital: Hospital) -> list[ChecklistItem]:
    """Create the standard rows a hospital does not have yet (idempotent, race-safe)."""
    existing = set(
        ChecklistItem.objects.filter(hospital=hospital)
        .exclude(kind=ItemKind.CUSTOM)
        .values_list("kind", flat=True)
    )
    missing = [k for k in STANDARD_KINDS if k not in existing]
    if missing:
        ChecklistItem.objects.bulk_create(
            [ChecklistItem(hospital=hospital, kind=k) for k in missing], ignore_conflicts=True
        )
    return list(ChecklistItem.objects.filter(hospital=hospital).order_by("id"))


def _locked(item: ChecklistItem) -> ChecklistItem:
    return (
        ChecklistItem.objects.select_for_update().select_related("hospital__region").get(pk=item.pk)
    )


def _event(
    item: ChecklistItem,
    *,
    by: User,
    action: str,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    met_on: dt.date | None = None,
) -> ItemEvent:
    return ItemEvent.objects.create(
        item=item,
        actor=by,
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
        met_on=met_on,
    )


def _clean(text: str | None) -> str:
    return (text or "").strip()


def item_update_progress(
    *, item: ChecklistItem, status: str, note: str = "", by: User
) -> ChecklistItem:
    """The hospital records progress: 未启动 ↔ 建设中 (or withdraws a pending submission)."""
    if status not in (ItemStatus.NOT_STARTED, ItemStatus.IN_PROGRESS):
        raise SecurityError(_("医院只能将项目标记为“未启动”或“建设中”;达标须申报后由卫健局确认。"))
    with transaction.atomic():
        item = _locked(item)
        _require_action(by, item, "progress")
        old = item.status
        item.status = status
        item.progress_note = _clean(note) or item.progress_note
        item.save(update_fields=["status", "progress_note", "updated_at"])
        _event(
            item,
            by=by,
            action=ItemAction.PROGRESS,
            from_status=old,
            to_status=status,
            note=_clean(note),
        )
    return item


def item_submit(*, item: ChecklistItem, note: str = "", by: User) -> ChecklistItem:
    """The hospital declares the item met and asks the bureau to confirm it."""
    with transaction.atomic():
        item = _locked(item)
        _require_action(by, item, "submit")
        old = item.status
        item.status = ItemStatus.PENDING
        item.submitted_at = timezone.now()
        if _clean(note):
            item.progress_note = _clean(note)
        item.save(update_fields=["status", "submitted_at", "progress_note", "updated_at"])
        _event(
            item,
            by=by,
            action=ItemAction.SUBMITTED,
            from_status=old,
            to_status=ItemStatus.PENDING,
            note=_clean(note),
        )
        notify(
            event=EventKind.SECURITY_ITEM_REVIEW,
            recipients=bureau_staff_for(item.hospital, EventKind.SECURITY_ITEM_REVIEW),
            title=_("%(hospital)s 申报 4+N 项目达标:%(item)s")
            % {"hospital": item.hospital.name, "item": item.display_name},
            body=_clean(note),
            url=_item_url(item),
            obj=item,
            occurrence=item.submitted_at.isoformat(),
        )
    return item


def item_confirm(
    *, item: ChecklistItem, by: User, met_on: dt.date | None = None, note: str = ""
) -> ChecklistItem:
    """Bureau staff confirm the item 已达标 (from any state not yet met), never while the
    hospital's records say it is short (security.rules)."""
    met_on = met_on or today()
    if met_on > today():
        raise SecurityError(_("达标日期不能晚于今天。"))
    with transaction.atomic():
        item = _locked(item)
        _require_action(by, item, "confirm")
        old = item.status
        item.status = ItemStatus.MET
        item.met_on = met_on
        item.confirmed_by = by
        item.confirmed_at = timezone.now()
        item.review_note = _clean(note)
        item.save(
            update_fields=[
                "status",
                "met_on",
                "confirmed_by",
                "confirmed_at",
                "review_note",
                "updated_at",
            ]
        )
        _event(
            item,
            by=by,
            action=ItemAction.CONFIRMED,
            from_status=old,
            to_status=ItemStatus.MET,
            note=_clean(note),
            met_on=met_on,
        )
        notify(
            event=EventKind.SECURITY_ITEM_REVIEW,
            recipients=hospital_officers(item.hospital),
            title=_("4+N 项目已确认达标:%(item)s") % {"item": item.display_name},
            body=_clean(note),
            url=_item_url(item),
            obj=item,
            occurrence=item.confirmed_at.isoformat(),
        )
    return item


def item_send_back(*, item: ChecklistItem, by: User, note: str) -> ChecklistItem:
    """Bureau staff return a pending (or confirmed) item to 建设中 with the reason."""
    if not _clean(note):
        raise SecurityError(_("退回时请填写退回原因。"))
    with transaction.atomic():
        item = _locked(item)
        _require_action(by, item, "send_back")
        old = item.status
        item.status = ItemStatus.IN_PROGRESS
        item.met_on = None
        item.confirmed_by = None
        item.confirmed_at = None
        item.review_note = _clean(note)
        item.save(
            update_fields=[
                "status",
                "met_on",
                "confirmed_by",
                "confirmed_at",
                "review_note",
                "updated_at",
            ]
        )
        event = _event(
            item,
            by=by,
            action=ItemAction.SENT_BACK,
            from_status=old,
            to_status=ItemStatus.IN_PROGRESS,
            note=_clean(note),
        )
        notify(
            event=EventKind.SECURITY_ITEM_REVIEW,
            recipients=hospital_officers(item.hospital),
            title=_("4+N 项目被退回:%(item)s") % {"item": item.display_name},
            body=_clean(note),
            url=_item_url(item),
            obj=item,
            occurrence=f"sent_back:{event.pk}",
        )
    return item


def custom_item_create(
    *,
    hospital: Hospital,
    name: str,
    description: str = "",
    target_date: dt.date | None = None,
    by: User,
) -> ChecklistItem:
    _require_editor(by, hospital)
    if not _clean(name):
        raise SecurityError(_("请填写 N 项的名称。"))
    with transaction.atomic():
        item = ChecklistItem.objects.create(
            hospital=hospital,
            kind=ItemKind.CUSTOM,
            name=_clean(name)[:100],
            description=_clean(description),
            target_date=target_date,
        )
        _event(item, by=by, action=ItemAction.CREATED, to_status=item.status)
    return item


def custom_item_update(
    *,
    item: ChecklistItem,
    name: str,
    description: str = "",
    target_date: dt.date | None = None,
    by: User,
) -> ChecklistItem:
    if not _clean(name):
        raise SecurityError(_("请填写 N 项的名称。"))
    with transaction.atomic():
        item = _locked(item)
        _require_action(by, item, "edit")
        item.name = _clean(name)[:100]
        item.description = _clean(description)
        item.target_date = target_date
        item.save(update_fields=["name", "description", "target_date", "updated_at"])
        _event(item, by=by, action=ItemAction.EDITED)
    return item


def custom_item_delete(*, item: ChecklistItem, by: User) -> None:
    with transaction.atomic():
        item = _locked(item)
        _require_action(by, item, "delete")
        for evidence in item.evidence.all():
            transaction.on_commit(partial(evidence.file.delete, save=False))
        item.delete()


def evidence_add(
    *, item: ChecklistItem, uploads: Sequence[CleanedUpload], by: User, upload_key: str = ""
) -> list[ItemEvidence]:
    """Attach cleaned uploads (core.uploads.CleanedUpload) to an item, each stored once
    (core.uploads.existing_upload): the same `upload_key` again (a retried request, a double
    tap) returns the rows stored the first time; a file already attached is refused."""
    if not uploads:
        raise SecurityError(_("请选择要上传的文件。"))
    upload_key = clean_upload_key(upload_key)
    with transaction.atomic():
        item = _locked(item)
        _require_action(by, item, "evidence_add")
        existing = ItemEvidence.objects.filter(item=item)
        earlier: list[ItemEvidence] = []
        fresh: list[tuple[CleanedUpload, str]] = []
        seen: set[str] = set()
        for index, upload in enumerate(uploads):
            key = f"{upload_key}-{index}" if upload_key else ""
            try:
                found = existing_upload(existing, upload, upload_key=key)
            except ValidationError as exc:
                raise SecurityError(" ".join(exc.messages))
            if found is not None:
                earlier.append(found)
            elif upload.sha256 in seen:
                raise SecurityError(
                    _("相同的文件已经上传过(%(name)s),未重复保存。")
                    % {"name": upload.original_name}
                )
            else:
                seen.add(upload.sha256)
                fresh.append((upload, key))
        created: list[ItemEvidence] = []
        for upload, key in fresh:
            evidence = ItemEvidence(item=item, uploaded_by=by)
            attach_upload(evidence, upload, upload_key=key)
            evidence.save()
            created.append(evidence)
        if created:
            _event(
                item,
                by=by,
                action=ItemAction.EVIDENCE_ADDED,
                note="、".join(e.original_name for e in created),
            )
    return earlier + created


def evidence_remove(*, evidence: ItemEvidence, by: User) -> None:
    with transaction.atomic():
        item = _locked(evidence.item)
        _require_action(by, item, "evidence_remove")
        name = evidence.original_name
        file = evidence.file
        evidence.delete()
        transaction.on_commit(lambda: file.delete(save=False))
        _event(item, by=by, action=ItemAction.EVIDENCE_REMOVED, note=name)


# --- hospital records (profile, posts, entrances, alarm points, video, drills) ----------------


def profile_for(hospital: Hospital) -> SecurityProfile:
    profile, _created = SecurityProfile.objects.get_or_create(hospital=hospital)
    return profile


def profile_update(*, hospital: Hospital, values: dict, by: User) -> SecurityProfile:
    _require_editor(by, hospital)
    with transaction.atomic():
        profile_for(hospital)
        profile = SecurityProfile.objects.select_for_update().get(hospital=hospital)
        for name, value in values.items():
            setattr(profile, name, value)
        profile.updated_by = by
        profile.full_clean()
        profile.save()
    return profile


def record_save(*, instance: R, hospital: Hospital, by: User) -> R:
    """Create or update one of the hospital's own records (post, entrance, alarm point, video
    system, alarm drill, emergency drill) after the permission check."""
    _require_editor(by, hospital)
    if instance.pk and instance.hospital_id != hospital.pk:
        raise SecurityError(_("记录不属于该医疗机构。"))
    instance.hospital = hospital
    if hasattr(instance, "recorded_by_id") and not instance.pk:
        instance.recorded_by = by  # type: ignore[attr-defined]  # the drills (hasattr above)
    with transaction.atomic():
        instance.full_clean()
        instance.save()
    return instance


def record_delete(*, instance: HospitalRecord, by: User) -> None:
    _require_editor(by, instance.hospital)
    with transaction.atomic():
        instance.delete()


def finding_add(*, drill: EmergencyDrill, description: str, by: User) -> DrillFinding:
    _require_editor(by, drill.hospital)
    if not _clean(description):
        raise SecurityError(_("请填写发现的问题。"))
    return DrillFinding.objects.create(drill=drill, description=_clean(description), created_by=by)


def finding_raise_hazard(
    *,
    finding: DrillFinding,
    by: User,
    risk_level: str,
    location: str,
    deadline: dt.date | None = None,
) -> Hazard:
    """Register a drill finding as a hazard (source: 应急演练发现) through hazards.services."""

    drill = finding.drill
    _require_editor(by, drill.hospital)
    with transaction.atomic():
        finding = DrillFinding.objects.select_for_update().get(pk=finding.pk)
        if finding.hazard_id:
            raise SecurityError(_("该问题已登记为隐患。"))
        try:
            hazard = hazard_raise(
                hospital=drill.hospital,
                found_by=by,
                source=Source.DRILL,
                category=Category.SECURITY,
                risk_level=risk_level,
                location=location,
                description=finding.description,
                found_on=drill.date,
                deadline=deadline,
                source_label=_("应急演练:%(drill)s") % {"drill": str(drill)},
                source_url=reverse("security:drill", args=[drill.pk]),
            )
        except HazardError as exc:
            raise SecurityError(str(exc))
        except ValidationError as exc:
            # Bad input (e.g. a deadline before the drill date): show hazard_raise's own message.
            raise SecurityError(" ".join(exc.messages))
        finding.hazard = hazard
        finding.save(update_fields=["hazard"])
    return hazard


# --- plan -------------------------------------------------------------------------------------


def plan_save(
    *,
    plan: SecurityPlan,
    by: User,
    includes: Iterable[Hospital] | None = None,
    excludes: Iterable[Hospital] | None = None,
) -> SecurityPlan:
    """Save a region's plan (new or edited). includes/excludes are hospitals of that region."""
    if not can_edit_plan(by, plan.region):
        raise SecurityError(_("只有本区域的管理员可以修改 4+N 方案。"))
    in_region = Hospital.objects.in_region(plan.region)
    for group in (includes or [], excludes or []):
        for hospital in group:
            if not in_region.filter(pk=hospital.pk).exists():
                raise SecurityError(_("只能选择本区域内的医疗机构。"))
    if includes and excludes and {h.pk for h in includes} & {h.pk for h in excludes}:
        raise SecurityError(_("同一机构不能既纳入又不纳入。"))
    with transaction.atomic():
        plan.updated_by = by
        plan.full_clean(exclude=["region"] if plan.pk else None)
        created = plan.pk is None
        try:
            plan.save()
        except IntegrityError:
            raise SecurityError(_("该区域已有 4+N 方案。"))
        if created:
            # A new plan's thresholds are its first version, in force from the beginning; later
            # changes are versions from a date (`plan_version_create`), never an overwrite.
            PlanVersion.objects.create(
                plan=plan,
                effective_from=PLAN_BEGINNING,
                created_by=by,
                **{name: getattr(plan, name) for name in THRESHOLD_FIELDS},
            )
        if includes is not None:
            plan.include_hospitals.set(includes)
        if excludes is not None:
            plan.exclude_hospitals.set(excludes)
    return plan


def plan_version_create(
    *,
    plan: SecurityPlan,
    effective_from: dt.date,
    values: dict[str, Any],
    standard: str = "",
    note: str = "",
    by: User,
) -> PlanVersion:
    """New thresholds for a plan from `effective_from` on. Figures as of an earlier date keep
    the version then in force; a date that already starts a version is refused (versions are
    records of what applied, not drafts), and so is a version identical to the one it follows."""
    if not can_edit_plan(by, plan.region):
        raise SecurityError(_("只有本区域的管理员可以修改 4+N 方案。"))
    unknown = set(values) - set(THRESHOLD_FIELDS)
    if unknown:
        raise SecurityError(_("不是方案的阈值:%(names)s") % {"names": "、".join(sorted(unknown))})
    with transaction.atomic():
        SecurityPlan.objects.select_for_update().get(pk=plan.pk)
        versions = list(plan.versions.order_by("effective_from"))
        if not versions:
            # A plan saved before versions existed: its own values were in force until now.
            versions = [
                PlanVersion.objects.create(
                    plan=plan,
                    effective_from=PLAN_BEGINNING,
                    **{name: getattr(plan, name) for name in THRESHOLD_FIELDS},
                )
            ]
        if any(v.effective_from == effective_from for v in versions):
            raise SecurityError(
                _("%(date)s 已有生效的方案版本,请选择其他生效日期。")
                % {"date": effective_from.isoformat()}
            )
        base = version_in_force(versions, effective_from)
        assert base is not None  # `versions` is never empty here
        version = PlanVersion(
            plan=plan,
            effective_from=effective_from,
            standard=_clean(standard),
            note=_clean(note),
            created_by=by,
            **{**base.values(), **values},
        )
        if version.values() == base.values():
            raise SecurityError(_("各项阈值与该日生效的版本相同,无需新增版本。"))
        version.full_clean(exclude=["plan", "created_by"])
        version.save()
        plan.updated_by = by
        plan.save(update_fields=["updated_by", "updated_at"])
    return version


# --- half-year reports ------------------------------------------------------------------------


def report_save(
    *,
    hospital: Hospital,
    year: int,
    half: int,
    progress: str,
    problems: str,
    next_steps: str,
    by: User,
) -> HalfYearReport:
    """Create or edit the hospital's draft report for a half-year."""
    _require_editor(by, hospital)
    if year > today().year or (year == today().year and half == 2 and today().month <= 6):
        raise SecurityError(_("不能为尚未开始的半年度填报进展。"))
    with transaction.atomic():
        report, _created = HalfYearReport.objects.select_for_update().get_or_create(
            hospital=hospital, year=year, half=half, defaults={"created_by": by}
        )
        if report.is_submitted:
            raise SecurityError(_("该半年度的进展报告已报送,不能再修改。"))
        report.progress = _clean(progress)
        report.problems = _clean(problems)
        report.next_steps = _clean(next_steps)
        report.save()
    return report


def build_snapshot(hospital: Hospital) -> dict:
    """The checklist and key figures as they stand now, as plain JSON."""

    hospital = Hospital.objects.select_related("region").get(pk=hospital.pk)
    index = PlanIndex.load()
    plan = index.for_hospital(hospital)
    facilities = hospital_facts(hospital, index)
    standard, custom = checklist_states(
        hospital,
        ChecklistItem.objects.filter(hospital=hospital).order_by("id"),
        plan,
        facts=facilities,
    )
    guards = facilities.guards
    totals = facilities.equipment_totals

    def state(s: ItemState) -> dict[str, object]:
        return {
            "number": s.number,
            "kind": s.kind,
            "name": s.label,
            "status": s.status,
            "status_label": s.status_label,
            "deadline": s.deadline.isoformat() if s.deadline else None,
            "met_on": s.met_on.isoformat() if s.met_on else None,
            "days_left": s.days_left,
            "description": s.item.description if s.item else "",
            "progress_note": s.item.progress_note if s.item else "",
            "achieved": s.is_achieved,
            "shortfalls": list(s.shortfalls),
        }

    return {
        "taken_on": today().isoformat(),
        "hospital": {
            "name": hospital.name,
            "level": hospital.get_level_display(),
            "beds_actual": hospital.beds_actual,
            "beds_authorized": hospital.beds_authorized,
            "on_duty_staff": hospital.on_duty_staff,
            "daily_outpatients": hospital.daily_outpatients,
        },
        "plan_items": [
            {
                "number": c.number,
                "name": c.label,
                "status": c.status,
                "status_label": c.status_label,
                "overdue": c.overdue,
                "achieved": c.is_achieved,
            }
            for c in plan_item_cells(standard)
        ],
        "standard": [state(s) for s in standard],
        "custom": [state(s) for s in custom],
        "guards": {
            "staff_term": guards.requirement.staff_term,
            "beds_term": guards.requirement.beds_term,
            "outpatient_term": guards.requirement.outpatient_term,
            "deciding": list(guards.requirement.deciding),
            "required": guards.requirement.required,
            "actual": guards.actual,
            "certified": guards.certified,
            "uncertified": guards.uncertified,
            # Certified guards still needed (uncertified guards close no gap).
            "shortfall": guards.shortfall,
        },
        "equipment_shortfall": {line.label: line.shortfall for line in totals if line.shortfall},
        "entrances": len(facilities.entrances),
        "entrances_short": len(facilities.entrances_short),
        "alarm_points": len(facilities.alarm_points),
        "alarm_points_offline": len(facilities.alarm_points_offline),
        "videos_short": len(facilities.videos_short),
        "video_retention_minimum": facilities.retention_minimum,
    }


def report_submit(*, report: HalfYearReport, by: User) -> HalfYearReport:
    """Submit the report: freeze the checklist snapshot and the addressees, tell the bureau
    (in-app, and e-mail by their preferences) and e-mail the police contact of the region plan
    the report as a PDF. Both are Delivery rows written in this transaction under one key per
    report, so a retried request, a second submit or a re-run task never sends it twice."""

    with transaction.atomic():
        report = (
            HalfYearReport.objects.select_for_update()
            .select_related("hospital__region")
            .get(pk=report.pk)
        )
        _require_editor(by, report.hospital)
        if report.is_submitted:
            raise SecurityError(_("该进展报告已报送。"))
        if not report.progress:
            raise SecurityError(_("请先填写本半年的工作进展再报送。"))
        plan = plan_for_hospital(report.hospital)
        report.snapshot = build_snapshot(report.hospital)
        report.addressed_to = addressees(plan)
        report.status = ReportStatus.SUBMITTED
        report.submitted_by = by
        report.submitted_at = timezone.now()
        report.save()
        title = _("%(hospital)s 已报送 %(period)s 4+N 进展") % {
            "hospital": report.hospital.name,
            "period": report.period_label,
        }
        notify(
            event=EventKind.HALF_YEAR_REPORT_SUBMITTED,
            recipients=bureau_staff_for(report.hospital, EventKind.HALF_YEAR_REPORT_SUBMITTED),
            title=title,
            url=reverse("security:report", args=[report.pk]),
            obj=report,
            occurrence=REPORT_SUBMITTED_OCCURRENCE,
        )
        if plan.police_email:
            notify(
                event=EventKind.HALF_YEAR_REPORT_SUBMITTED,
                recipients=[],
                addresses=[(plan.police_contact or plan.police_unit, plan.police_email)],
                title=title,
                body=_(
                    "%(hospital)s %(period)s“4+N”建设进展报告见附件(PDF),"
                    "报送人:%(by)s。如有疑问请联系%(contact)s %(phone)s。"
                )
                % {
                    "hospital": report.hospital.name,
                    "period": report.period_label,
                    "by": by.display_name,
                    "contact": plan.bureau_contact or (plan.region.name if plan.region_id else ""),
                    "phone": plan.bureau_phone,
                },
                obj=report,
                occurrence=REPORT_SUBMITTED_OCCURRENCE,
                attachment=ATTACHMENT_NAME,
                robots=False,
            )
    return report


REPORT_SUBMITTED_OCCURRENCE = "submitted"


def addressees(plan: SecurityPlan) -> dict[str, str]:
    """Who a half-year report goes to, frozen on the report at submission."""
    return {
        "bureau": plan.region.name if plan.region_id else "",
        "bureau_contact": plan.bureau_contact,
        "bureau_phone": plan.bureau_phone,
        "police_unit": plan.police_unit,
        "police_contact": plan.police_contact,
        "police_phone": plan.police_phone,
        "police_email": plan.police_email,
    }


def report_police_deliveries(report: HalfYearReport) -> list:
    """The e-mail deliveries of the report to the police contact (none when the plan had no
    police e-mail at submission): what the report page shows as "sent to the police"."""

    return [
        d
        for d in deliveries_for(
            event=EventKind.HALF_YEAR_REPORT_SUBMITTED,
            obj=report,
            occurrence=REPORT_SUBMITTED_OCCURRENCE,
        )
        if not d.recipient_id
    ]


def report_police_resend(*, report: HalfYearReport, by: User) -> bool:
    """Bureau staff over the hospital try a FAILED police e-mail again (same row, same key:
    it can still be sent only once). Returns False when there was nothing failed to resend."""

    if not can_review(by, report.hospital):
        raise SecurityError(_("只有卫健局工作人员可以重新发送报告。"))
    resent = False
    for delivery in report_police_deliveries(report):
        resent = delivery_retry(delivery=delivery, by=by) or resent
    return resent
