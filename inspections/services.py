"""Writes of the inspections app: who may do what lives here, next to each action.

Every state change runs in a transaction and locks the row it changes. Illegal actions raise
`InspectionError` (or a subclass) with a translated message the page shows as is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.db.models.fields.files import FieldFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from core.dates import add_months, today
from core.errors import DomainError
from core.uploads import CleanedUpload, attach_upload, clean_upload_key, existing_upload
from hazards.choices import Category, RiskLevel
from hazards.services import hazard_raise
from hospitals.models import REGION_SETTING_DEFAULTS, Hospital, Region
from notifications import webhooks
from notifications.choices import WebhookEvent

from .choices import (
    ASSIGNMENT_TO_INSPECTION_KIND,
    BUREAU_AD_HOC_KINDS,
    KIND_TO_HAZARD_SOURCE,
    AssignmentKind,
    InspectionAction,
    InspectionKind,
    InspectionStatus,
    PhotoKind,
    Result,
)
from .days import inspection_day
from .models import (
    Amendment,
    Answer,
    AnswerPhoto,
    Assignment,
    ChecklistItem,
    ChecklistSection,
    ChecklistTemplate,
    Inspection,
)
from .photostamp import PhotoCapture, burn_stamp, stamp_lines
from .selectors import template_in_force

T = TypeVar("T")


class InspectionError(DomainError):
    """A refused action; `str(error)` is a translated message for the user."""

    def __init__(
        self, message: str, problems: Sequence[str] = (), *, field: str | None = None
    ) -> None:
        super().__init__(message, field=field)
        self.problems = list(problems)


class TemplateLockedError(InspectionError):
    pass


class SubmissionBlocked(InspectionError):
    pass


# --------------------------------------------------------------------------------------------
# Who may inspect what
# --------------------------------------------------------------------------------------------
def inspectable_hospitals(user: User, kind: str) -> QuerySet[Hospital]:
    """Hospitals `user` may inspect with an inspection of `kind`:
    officers — self-inspection of their own hospital only; linked-department staff — the
    linked-department inspection of their department's institutions; bureau staff and
    administrators — joint, unannounced, spot and re-check inspections in their region."""
    hospitals = Hospital.objects.visible_to(user).active()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Hospital.objects.none()
    if user.is_superuser:
        return hospitals
    if kind == InspectionKind.SELF:
        return hospitals if user.is_officer else Hospital.objects.none()
    if kind == InspectionKind.LINKED:
        if user.is_bureau and user.department_id:
            return hospitals.filter(linked_department_id=user.department_id)
        return Hospital.objects.none()
    if kind in BUREAU_AD_HOC_KINDS and user.is_bureau_side:
        return hospitals
    return Hospital.objects.none()


def kinds_for(user: User) -> list[str]:
    """Inspection kinds a user may start ad hoc."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if user.is_superuser:
        return list(InspectionKind.values)
    if user.is_officer:
        return [InspectionKind.SELF]
    kinds: list[str] = []
    if user.is_bureau and user.department_id:
        kinds.append(InspectionKind.LINKED)
    if user.is_bureau_side:
        kinds.extend(BUREAU_AD_HOC_KINDS)
    return kinds


# --------------------------------------------------------------------------------------------
# Who may change an inspection, before and after submission — THE rule. Every service below
# calls `_require`; templates show a button only when `allowed_actions` lists its action.
#
#   inspection kind            owning side (the "inspecting side")        draft      submitted
#   自查 self                   every officer of the inspected hospital    fill in,   amend answers
#   挂钩科室检查 linked          staff of the linked department (bureau)    submit,    (result/note),
#   联合/四不两直/抽查/复查       the bureau inspector who started it        delete     summary,
#                                                                                     location and
#                                                                                     participants,
#                                                                                     with a reason
#
# - The other side never edits: bureau staff and administrators of the region see a hospital's
#   self-inspection but may not change it; the hospital's officers may not change a linked-
#   department or other bureau inspection of their hospital (they answer through the hazards).
# - After submission nothing is edited in place: every change is an `Amendment` row with the
#   old value, the new value and the reason. Frozen for good (AMENDMENT_FROZEN): the inspection
#   date (hazards were raised with it as their 发现日期 and the inspection day was counted done
#   with it), the hospital, kind and checklist, and a 不合格 result (its hazard is handled on the
#   hazard's page).
# --------------------------------------------------------------------------------------------
DRAFT_ACTIONS = (InspectionAction.RECORD, InspectionAction.SUBMIT, InspectionAction.DELETE)

# Header fields the owning side may amend after submission (each with its own Amendment row).
AMENDABLE_HEADER_FIELDS = ("summary", "location", "participants", "third_party_firm")
# Fields that stay as submitted, and why.
AMENDMENT_FROZEN = {
    "inspected_on": gettext_lazy(
        "检查日期提交后不能更正:登记的隐患以它为发现日期,检查日任务也据此计为已完成。"
        "如日期有误,请联系管理员。"
    ),
    "hospital": gettext_lazy("受检机构提交后不能更正。"),
    "kind": gettext_lazy("检查类型提交后不能更正。"),
    "template": gettext_lazy("检查表版本提交后不能更正。"),
}


def _inspecting_side_refusal(user: User, inspection: Inspection) -> str:
    """Why `user` is not on the side that owns `inspection` ("" when they are)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return _("请先登录。")
    if user.is_superuser:
        return ""
    if inspection.kind == InspectionKind.SELF:
        if user.is_bureau_side:
            return _("医院自查记录由本院安全管理员填写和更正,卫健局人员不能修改。")
        if user.is_officer and user.hospital_id == inspection.hospital_id:
            return ""
        return _("您不能修改其他机构的自查记录。")
    if user.is_officer:
        return _("该检查由卫健局一方开展,医院人员不能修改;请在隐患页面反馈整改情况。")
    if not inspectable_hospitals(user, inspection.kind).filter(pk=inspection.hospital_id).exists():
        return _("您不能修改该检查:该机构不在您负责的范围内。")
    if inspection.created_by_id == user.pk:
        return ""
    if (
        inspection.kind == InspectionKind.LINKED
        and inspection.assignment is not None
        and inspection.assignment.department_id == user.department_id
    ):
        return ""  # the linked department's staff share their department's inspection day
    return _("只有开展该检查的检查人(挂钩科室检查为该科室人员)可以修改。")


def _state_refusal(inspection: Inspection, action: str) -> str:
    """Why `action` does not apply to the inspection in its present state ("" when it does)."""
    if action in DRAFT_ACTIONS and not inspection.is_draft:
        return _("该检查已提交并锁定;如需更正,请使用“更正”功能并说明原因。")
    if action == InspectionAction.AMEND and not inspection.is_submitted:
        return _("草稿可直接修改,无需更正。")
    return ""


def action_refusal(user: User, inspection: Inspection, action: str) -> str:
    """Why `user` may not take `action` on `inspection`, translated ("" when they may)."""
    return _state_refusal(inspection, action) or _inspecting_side_refusal(user, inspection)


def allowed_actions(user: User, inspection: Inspection) -> frozenset[str]:
    """The actions the services would accept from `user` on `inspection` now (what the
    templates ask before showing a button)."""
    if _inspecting_side_refusal(user, inspection):
        return frozenset()
    return frozenset(
        action for action in InspectionAction if not _state_refusal(inspection, action)
    )


def _require(user: User, inspection: Inspection, action: str) -> None:
    refusal = action_refusal(user, inspection, action)
    if refusal:
        raise InspectionError(refusal)


# --------------------------------------------------------------------------------------------
# Monthly assignments
# --------------------------------------------------------------------------------------------
def _region_setting(region_id: int, name: str, regions: dict[int, Region]) -> Any:
    """`Region.setting` over an in-memory region table (no query per hospital)."""

    region = regions[region_id]
    ids = region.ancestor_ids
    for pk in reversed(ids):
        value = getattr(regions[pk], name, None) if pk in regions else None
        if value not in (None, ""):
            return value
    return REGION_SETTING_DEFAULTS[name]


def assignment_rows(year: int, month: int, *, on: dt.date | None = None) -> list[Assignment]:
    """Unsaved assignments for every active institution (self-inspection day) and every
    linked department × its institutions (linked-department day) in a month. Days that have
    already passed on `on` are left out unless `on` is None. The due date is the region's
    inspection day (`inspections.days.inspection_day`: moved off weekends and holidays when the
    region says so), so reminders and "missed", which read the due date, follow it."""
    period = dt.date(year, month, 1)
    regions = {region.pk: region for region in Region.objects.all()}
    days: dict[tuple[str, int], dt.date] = {}

    def day_for(kind: str, region_id: int) -> dt.date:
        if (kind, region_id) not in days:
            days[kind, region_id] = inspection_day(
                kind=kind,
                year=year,
                month=month,
                setting=lambda name: _region_setting(region_id, name, regions),
            )
        return days[kind, region_id]

    rows = []
    hospitals = Hospital.objects.active().values_list(
        "pk", "region_id", "linked_department_id", "linked_department__region_id"
    )
    for hospital_id, region_id, department_id, department_region_id in hospitals:
        self_day = day_for(AssignmentKind.SELF, region_id)
        if on is None or self_day >= on:
            rows.append(
                Assignment(
                    kind=AssignmentKind.SELF,
                    hospital_id=hospital_id,
                    period=period,
                    due_date=self_day,
                )
            )
        if department_id:
            linked_day = day_for(AssignmentKind.LINKED, department_region_id)
            if on is None or linked_day >= on:
                rows.append(
                    Assignment(
                        kind=AssignmentKind.LINKED,
                        hospital_id=hospital_id,
                        department_id=department_id,
                        period=period,
                        due_date=linked_day,
                    )
                )
    return rows


def assignments_generate(*, year: int, month: int, on: dt.date | None = None) -> int:
    """Create a month's assignments; idempotent and safe to run concurrently: the unique
    constraint (kind, hospital, month) makes a second run insert nothing. Returns how many
    rows this call inserted (as far as the database tells)."""
    rows = assignment_rows(year, month, on=on)
    if not rows:
        return 0
    period = dt.date(year, month, 1)
    before = Assignment.objects.filter(period=period).count()
    Assignment.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return max(Assignment.objects.filter(period=period).count() - before, 0)


def assignments_generate_upcoming(*, on: dt.date | None = None) -> int:
    """This month's remaining days and all of next month's (what the beat task runs)."""
    on = on or today()
    created = assignments_generate(year=on.year, month=on.month, on=on)
    next_year, next_month = add_months(on.year, on.month, 1)
    created += assignments_generate(year=next_year, month=next_month, on=on)
    return created


# --------------------------------------------------------------------------------------------
# Checklist templates
# --------------------------------------------------------------------------------------------
def _lock_template(template: ChecklistTemplate) -> ChecklistTemplate:
    return ChecklistTemplate.objects.select_for_update().get(pk=template.pk)


def template_ensure_editable(template: ChecklistTemplate) -> None:
    used = template.inspections.count()
    if used:
        raise TemplateLockedError(
            _(
                "“%(name)s”第%(version)s版已被 %(count)s 次检查使用,不能修改,"
                "以免改变已有检查记录。请复制为新版本后再编辑。"
            )
            % {"name": template.name, "version": template.version, "count": used}
        )


def _check_admin(template: ChecklistTemplate, by: User) -> None:
    if not ChecklistTemplate.objects.editable_by(by).filter(pk=template.pk).exists():
        raise InspectionError(_("只有本区域的管理员可以修改该检查表。"))


def template_edit(*, template: ChecklistTemplate, by: User, apply: Callable[[], T]) -> T:
    """Run `apply` (a form save) on an unused version of a checklist, or refuse."""
    with transaction.atomic():
        template = _lock_template(template)
        _check_admin(template, by)
        template_ensure_editable(template)
        return apply()


def template_copy(
    *, template: ChecklistTemplate, by: User, region: Region | None = None
) -> ChecklistTemplate:
    """A new, inactive version of a checklist with the same sections and items (same codes),
    for the administrator to edit and then activate."""
    if not (by.is_superuser or by.is_region_admin):
        raise InspectionError(_("只有管理员可以创建检查表新版本。"))
    if region is None and not by.is_superuser:
        region = by.region
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return _copy(template, by, region)
        except IntegrityError:  # two copies at once took the same version number
            continue
    raise InspectionError(_("创建新版本失败,请重试。"))


def _copy(template: ChecklistTemplate, by: User, region: Region | None) -> ChecklistTemplate:
    latest = ChecklistTemplate.objects.filter(code=template.code).aggregate(v=Max("version"))
    new = ChecklistTemplate.objects.create(
        code=template.code,
        name=template.name,
        version=(latest["v"] or 0) + 1,
        effective_from=max(today(), template.effective_from),
        region=region,
        description=template.description,
        is_active=False,
        based_on=template,
        created_by=by,
    )
    items = list(template.items.select_related("section"))
    for section in template.sections.all():
        new_section = ChecklistSection.objects.create(
            template=new, order=section.order, title=section.title, category=section.category
        )
        ChecklistItem.objects.bulk_create(
            ChecklistItem(
                template=new,
                section=new_section,
                code=item.code,
                order=item.order,
                text=item.text,
                guidance=item.guidance,
                category=item.category,
                default_risk_level=item.default_risk_level,
            )
            for item in items
            if item.section_id == section.pk
        )
    return new


def template_set_active(
    *, template: ChecklistTemplate, by: User, active: bool
) -> ChecklistTemplate:
    """Activating or retiring a version changes no wording, so it is allowed on used ones."""
    with transaction.atomic():
        template = _lock_template(template)
        _check_admin(template, by)
        if active and not template.items.exists():
            raise InspectionError(_("检查表没有任何检查条目,不能启用。"))
        template.is_active = active
        template.save(update_fields=["is_active"])
    return template


# --------------------------------------------------------------------------------------------
# Recording an inspection
# --------------------------------------------------------------------------------------------
def inspection_start(
    *,
    by: User,
    hospital: Hospital | None = None,
    kind: str | None = None,
    template: ChecklistTemplate | None = None,
    assignment: Assignment | None = None,
    inspected_on: dt.date | None = None,
    location: str = "",
    participants: str = "",
    third_party_firm: str = "",
) -> Inspection:
    """Start (or, for an assignment that already has one, resume) an inspection with a blank
    answer for every item of the template version in force. A 第三方安全生产技术顾问检查
    needs the firm's name; other kinds keep none."""

    inspected_on = inspected_on or today()
    if inspected_on > today():
        raise InspectionError(_("检查日期不能晚于今天。"))
    third_party_firm = _clean_firm(kind, third_party_firm)
    with transaction.atomic():
        if assignment is not None:
            assignment = (
                Assignment.objects.select_for_update()
                .select_related("hospital", "hospital__region")
                .get(pk=assignment.pk)
            )
            if not Assignment.objects.actionable_by(by).filter(pk=assignment.pk).exists():
                raise InspectionError(_("该检查日任务不由您负责。"))
            existing = Inspection.objects.filter(assignment=assignment).first()
            if existing is not None:
                return existing
            hospital = assignment.hospital
            kind = ASSIGNMENT_TO_INSPECTION_KIND[assignment.kind]
        if hospital is None or kind is None:
            raise InspectionError(_("请选择受检机构和检查类型。"))
        if not inspectable_hospitals(by, kind).filter(pk=hospital.pk).exists():
            raise InspectionError(_("您不能对该机构开展此类检查。"))
        if template is None:
            template = template_in_force(hospital, on=inspected_on)
        if template is None or not template.is_active:
            raise InspectionError(_("没有可用的检查表,请联系管理员启用检查表。"))
        region_ids = set(hospital.region.ancestor_ids)
        if template.region_id and template.region_id not in region_ids:
            raise InspectionError(_("该检查表版本不适用于该机构所在区域。"))
        template = _lock_template(template)  # waits for an edit of the same version to finish
        items = list(template.items.all())
        if not items:
            raise InspectionError(_("该检查表没有任何检查条目。"))
        inspection = Inspection.objects.create(
            hospital=hospital,
            kind=kind,
            template=template,
            assignment=assignment,
            inspected_on=inspected_on,
            location=location.strip(),
            participants=participants.strip(),
            third_party_firm=third_party_firm,
            created_by=by,
        )
        Answer.objects.bulk_create(
            Answer(
                inspection=inspection,
                item=item,
                hazard_category=item.category,
                hazard_risk_level=item.default_risk_level,
            )
            for item in items
        )
    return inspection


def _clean_firm(kind: str | None, firm: str) -> str:
    """The third-party firm's name for an inspection of `kind`: required (and kept) for a
    第三方安全生产技术顾问检查, dropped for every other kind."""
    firm = " ".join((firm or "").split())[:200]
    if kind != InspectionKind.THIRD_PARTY:
        return ""
    if not firm:
        raise InspectionError(_("第三方安全生产技术顾问检查须填写第三方机构名称。"))
    return firm


def _lock_inspection(inspection: Inspection) -> Inspection:
    return (
        Inspection.objects.select_for_update(of=("self",))
        .select_related("hospital", "template")
        .get(pk=inspection.pk)
    )


def inspection_update(*, inspection: Inspection, by: User, **fields: Any) -> Inspection:
    """Change the header of a draft (date, location, participants, summary, and the firm of a
    third-party inspection)."""
    allowed = {"inspected_on", "location", "participants", "summary", "third_party_firm"}
    with transaction.atomic():
        inspection = _lock_inspection(inspection)
        _require(by, inspection, InspectionAction.RECORD)
        if fields.get("inspected_on") and fields["inspected_on"] > today():
            raise InspectionError(_("检查日期不能晚于今天。"))
        if "third_party_firm" in fields:
            fields["third_party_firm"] = _clean_firm(inspection.kind, fields["third_party_firm"])
        for name, value in fields.items():
            if name in allowed:
                setattr(inspection, name, value.strip() if isinstance(value, str) else value)
        inspection.save()
    return inspection


ANSWER_FIELDS = (
    "result",
    "note",
    "hazard_location",
    "hazard_description",
    "hazard_category",
    "hazard_risk_level",
    "hazard_deadline",
    "rectification_measures",
    "fixed_on_the_spot",
)


def answer_save(*, answer: Answer, by: User, data: dict) -> Answer:
    """Save the fields of one item of a draft (the autosave unit; photos are added by
    `answer_photo_add`, so a refused photo never costs the typed note). A failed item gets its
    hazard details prefilled from the item the first time it is marked 不合格."""
    with transaction.atomic():
        inspection = _lock_inspection(answer.inspection)
        _require(by, inspection, InspectionAction.RECORD)
        answer = Answer.objects.select_for_update().select_related("item").get(pk=answer.pk)
        for name in ANSWER_FIELDS:
            if name in data:
                value = data[name]
                setattr(answer, name, value.strip() if isinstance(value, str) else value)
        if answer.result == Result.FAIL:
            if not answer.hazard_description or (
                answer.note and answer.hazard_description == answer.item.text
            ):
                # The inspector's own words describe the hazard better than the item text.
                answer.hazard_description = answer.note or answer.item.text
            if not answer.hazard_location:
                answer.hazard_location = inspection.location
            answer.hazard_category = answer.hazard_category or answer.item.category
            answer.hazard_risk_level = answer.hazard_risk_level or answer.item.default_risk_level
        else:
            answer.fixed_on_the_spot = False
        answer.answered_by = by
        answer.save()
        Inspection.objects.filter(pk=inspection.pk).update(updated_at=timezone.now())
    return answer


def answer_photo_add(
    *,
    answer: Answer,
    by: User,
    upload: CleanedUpload,
    kind: str,
    upload_key: str = "",
    capture: PhotoCapture | None = None,
) -> tuple[AnswerPhoto, bool]:
    """Attach one photo to an item of a draft, exactly once (`core.uploads.existing_upload`):
    the same `upload_key` again returns the photo stored the first time; a file identical to
    one the item already has is refused with a translated ValidationError. Returns the photo
    and whether this call stored it.

    The stored image carries a visible stamp (hospital, inspector, device and server time, GPS
    when given: `inspections.photostamp`); the record keeps the original bytes' SHA-256 and the
    capture metadata of `capture`."""
    if kind not in PhotoKind.values:
        raise InspectionError(_("照片类型无效。"))
    upload_key = clean_upload_key(upload_key)
    for _attempt in range(2):
        try:
            with transaction.atomic():
                inspection = _lock_inspection(answer.inspection)
                _require(by, inspection, InspectionAction.RECORD)
                # The answer row lock serialises uploads to one item, so the check below and
                # the insert cannot interleave with a concurrent upload of the same file.
                answer = Answer.objects.select_for_update().get(pk=answer.pk)
                earlier = existing_upload(answer.photos.all(), upload, upload_key=upload_key)
                if earlier is not None:
                    return earlier, False
                uploaded_at = timezone.now()
                lines = stamp_lines(
                    hospital_name=inspection.hospital.name,
                    inspector=getattr(by, "display_name", "") or by.get_username(),
                    uploaded_at=uploaded_at,
                    capture=capture,
                )
                capture = capture or PhotoCapture()
                photo = AnswerPhoto(
                    answer=answer,
                    kind=kind,
                    uploaded_by=by,
                    captured_at=capture.captured_at,
                    latitude=capture.latitude,
                    longitude=capture.longitude,
                    gps_accuracy=capture.accuracy,
                    stamp="\n".join(lines),
                )
                attach_upload(photo, burn_stamp(upload, lines), upload_key=upload_key)
                try:
                    photo.save()
                except IntegrityError:
                    photo.file.delete(save=False)  # no orphan file for the refused row
                    raise
                Inspection.objects.filter(pk=inspection.pk).update(updated_at=timezone.now())
                return photo, True
        except IntegrityError:
            # A concurrent request stored it first (only possible where row locks are not
            # honoured, e.g. SQLite): run the rule again, which now finds that row.
            upload.content.seek(0)
            continue
    raise InspectionError(_("照片保存失败,请重试。"))


def section_mark_remaining(*, inspection: Inspection, section: ChecklistSection, by: User) -> int:
    """Mark every still-unanswered item of a section 合格 (the common case on a walk-through);
    answered items are left as they are. Returns how many were marked."""
    with transaction.atomic():
        inspection = _lock_inspection(inspection)
        _require(by, inspection, InspectionAction.RECORD)
        if section.template_id != inspection.template_id:
            raise InspectionError(_("该检查领域不属于本检查表。"))
        marked = Answer.objects.filter(
            inspection=inspection, item__section=section, result=""
        ).update(result=Result.PASS, answered_by=by, updated_at=timezone.now())
        Inspection.objects.filter(pk=inspection.pk).update(updated_at=timezone.now())
    return marked


def inspection_mark_remaining(*, inspection: Inspection, by: User) -> int:
    """Mark every still-unanswered item of the whole checklist 合格 (after the inspector has
    recorded the few failures); answered items, failed ones included, are left as they are.
    Refused, like any other edit of the draft, when `by` may not record this inspection or it
    is no longer a draft. Returns how many items were marked."""
    with transaction.atomic():
        inspection = _lock_inspection(inspection)
        _require(by, inspection, InspectionAction.RECORD)
        now = timezone.now()
        marked = Answer.objects.filter(inspection=inspection, result="").update(
            result=Result.PASS, answered_by=by, updated_at=now
        )
        Inspection.objects.filter(pk=inspection.pk).update(updated_at=now)
    return marked


def photo_delete(*, photo: AnswerPhoto, by: User) -> None:
    with transaction.atomic():
        inspection = _lock_inspection(photo.answer.inspection)
        _require(by, inspection, InspectionAction.RECORD)
        locked = AnswerPhoto.objects.select_for_update().filter(pk=photo.pk).first()
        if locked is None:
            return  # already deleted (a second tap, another colleague): nothing to do
        file = locked.file
        locked.delete()
        _delete_after_commit(file)


def _delete_after_commit(file: FieldFile) -> None:
    """The file goes only once the row is gone for good."""
    name, storage = file.name, file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def inspection_delete_draft(*, inspection: Inspection, by: User) -> None:
    with transaction.atomic():
        inspection = _lock_inspection(inspection)
        _require(by, inspection, InspectionAction.DELETE)
        photos = list(AnswerPhoto.objects.filter(answer__inspection=inspection))
        inspection.delete()
        for photo in photos:
            _delete_after_commit(photo.file)


@dataclass
class AnswerProblem:
    answer: Answer
    message: str

    def __str__(self) -> str:
        return f"{self.answer.item.code} {self.message}"


def answer_problems(answer: Answer, after_photo_count: int) -> list[str]:
    """Why a failed item cannot become a hazard yet (empty when it can)."""
    if answer.result != Result.FAIL:
        return []
    problems = []
    if answer.fixed_on_the_spot:
        if after_photo_count == 0:
            problems.append(_("立查立改须上传整改后照片"))
        if answer.hazard_risk_level == RiskLevel.MAJOR:
            problems.append(_("重大隐患不能立查立改"))
    if not answer.hazard_location.strip():
        problems.append(_("未填写隐患部位"))
    if not answer.hazard_description.strip():
        problems.append(_("未填写隐患描述"))
    if answer.hazard_category not in Category.values:
        problems.append(_("未选择隐患类别"))
    if answer.hazard_risk_level not in RiskLevel.values:
        problems.append(_("未选择隐患等级"))
    if (
        not answer.fixed_on_the_spot
        and answer.hazard_deadline
        and answer.hazard_deadline < answer.inspection.inspected_on
    ):
        problems.append(_("整改期限早于检查日期"))
    return problems


def submission_problems(inspection: Inspection) -> list[str]:
    """Everything that blocks submitting a draft, item by item, in checklist order."""
    answers = list(
        inspection.answers.select_related("item", "item__section", "inspection").order_by(
            "item__section__order", "item__order", "item_id"
        )
    )
    after_counts: dict[int, int] = {}
    for answer_id in AnswerPhoto.objects.filter(
        answer__inspection=inspection, kind=PhotoKind.AFTER
    ).values_list("answer_id", flat=True):
        after_counts[answer_id] = after_counts.get(answer_id, 0) + 1
    problems = []
    unanswered = [answer.item.code for answer in answers if not answer.result]
    if unanswered:
        problems.append(
            _("%(count)s 项尚未填写检查结果:%(codes)s")
            % {"count": len(unanswered), "codes": "、".join(unanswered)}
        )
    for answer in answers:
        reasons = answer_problems(answer, after_counts.get(answer.pk, 0))
        if reasons:
            problems.append(
                _("不合格项 %(code)s 尚未登记隐患或立查立改(%(reasons)s)")
                % {"code": answer.item.code, "reasons": ";".join(reasons)}
            )
    return problems


def _as_upload(photo: AnswerPhoto) -> CleanedUpload:
    photo.file.open("rb")
    try:
        data = photo.file.read()
    finally:
        photo.file.close()
    name = photo.file.name or ""
    extension = name.rsplit(".", 1)[-1] if "." in name else "jpg"
    return CleanedUpload(
        content=ContentFile(data, name=f"inspection-{photo.pk}.{extension}"),
        original_name=photo.original_name,
        content_type=photo.content_type,
        size=len(data),
        kind="image",
    )


def inspection_submit(*, inspection: Inspection, by: User) -> Inspection:
    """Lock the inspection and raise a hazard for every 不合格 item (closed at once when it
    was 立查立改). Refused, with every reason listed, while anything is missing."""

    with transaction.atomic():
        inspection = _lock_inspection(inspection)
        _require(by, inspection, InspectionAction.SUBMIT)
        problems = submission_problems(inspection)
        if problems:
            raise SubmissionBlocked(_("检查尚不能提交,请先处理以下问题:"), problems)
        failed = list(
            inspection.answers.filter(result=Result.FAIL)
            .select_related("item")
            .prefetch_related("photos")
        )
        source = KIND_TO_HAZARD_SOURCE[inspection.kind]
        url = reverse("inspections:detail", args=[inspection.pk])
        label = _("%(kind)s %(date)s 第%(code)s项")
        kind_label = inspection.get_kind_display()
        if inspection.third_party_firm:
            kind_label = f"{kind_label}({inspection.third_party_firm})"
        for answer in failed:
            photos = [p for p in answer.photos.all() if p.kind == PhotoKind.FINDING]
            after = [p for p in answer.photos.all() if p.kind == PhotoKind.AFTER]
            try:
                hazard = hazard_raise(
                    hospital=inspection.hospital,
                    found_by=by,
                    source=source,
                    category=answer.hazard_category,
                    risk_level=answer.hazard_risk_level,
                    location=answer.hazard_location,
                    description=answer.hazard_description,
                    found_on=inspection.inspected_on,
                    photos=[_as_upload(p) for p in photos],
                    deadline=None if answer.fixed_on_the_spot else answer.hazard_deadline,
                    fixed_on_the_spot=answer.fixed_on_the_spot,
                    after_photos=[_as_upload(p) for p in after],
                    rectification_measures=answer.rectification_measures,
                    source_label=label
                    % {
                        "kind": kind_label,
                        "date": inspection.inspected_on.isoformat(),
                        "code": answer.item.code,
                    },
                    source_url=f"{url}#item-{answer.item_id}",
                )
            except ValidationError as exc:
                raise SubmissionBlocked(
                    _("检查尚不能提交,请先处理以下问题:"),
                    [f"{answer.item.code} {message}" for message in exc.messages],
                )
            answer.hazard = hazard
            answer.save(update_fields=["hazard"])
        inspection.status = InspectionStatus.SUBMITTED
        inspection.submitted_at = timezone.now()
        inspection.submitted_by = by
        inspection.failed_count = len(failed)
        inspection.save(update_fields=["status", "submitted_at", "submitted_by", "failed_count"])
        raised = [answer.hazard_id for answer in failed if answer.hazard_id is not None]
        webhooks.emit(
            WebhookEvent.INSPECTION_SUBMITTED,
            inspection,
            data=lambda: _webhook_data(inspection, raised),
            url=url,
            occurred_at=inspection.submitted_at,
        )
    return inspection


def _webhook_data(inspection: Inspection, hazard_ids: list[int]) -> dict:
    """The `inspection.submitted` payload: ids, hospital, state (machine values)."""
    hospital = inspection.hospital
    return {
        "inspection": {
            "id": inspection.pk,
            "kind": inspection.kind,
            "inspected_on": inspection.inspected_on,
            "failed_count": inspection.failed_count,
            "hazard_ids": hazard_ids,
        },
        "hospital": {
            "id": hospital.pk,
            "name": hospital.name,
            "region": {"id": hospital.region_id, "code": hospital.region.code},
        },
        "status": inspection.status,
    }


# --------------------------------------------------------------------------------------------
# Corrections after submission
# --------------------------------------------------------------------------------------------
def answer_amend(*, answer: Answer, by: User, reason: str, result: str, note: str) -> Answer:
    """Correct a submitted answer's result or note, keeping the old value and the reason.
    A raised hazard is not undone here: it is handled (and closed) on the hazard's page."""
    with transaction.atomic():
        inspection = _lock_inspection(answer.inspection)
        _require(by, inspection, InspectionAction.AMEND)
        reason = _amendment_reason(reason)
        answer = Answer.objects.select_for_update().select_related("item").get(pk=answer.pk)
        if result not in Result.values:
            raise InspectionError(_("请选择检查结果。"))
        if result != answer.result and (answer.result == Result.FAIL or result == Result.FAIL):
            raise InspectionError(
                _(
                    "不合格项已登记为隐患,不能改为其他结果,请在隐患页面处理;"
                    "新发现的问题请直接登记隐患或开展复查。"
                )
            )
        changes: list[tuple[str, object, object]] = []
        if result != answer.result:
            changes.append(("result", answer.get_result_display(), Result(result).label))
            answer.result = result
        note = (note or "").strip()
        if note != answer.note:
            changes.append(("note", answer.note, note))
            answer.note = note
        if not changes:
            raise InspectionError(_("内容没有变化,无需更正。"))
        answer.save(update_fields=["result", "note", "updated_at"])
        Amendment.objects.bulk_create(
            Amendment(
                inspection=inspection,
                answer=answer,
                field=field,
                old_value=str(old),
                new_value=str(new),
                reason=reason,
                by=by,
            )
            for field, old, new in changes
        )
    return answer


def _amendment_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InspectionError(_("请填写更正原因。"))
    return reason


def inspection_amend(*, inspection: Inspection, by: User, reason: str, **fields: Any) -> Inspection:
    """Correct header fields of a submitted inspection (summary, location, participants, the
    third-party firm), one Amendment row per changed field with the old value and the reason.
    Fields outside
    AMENDABLE_HEADER_FIELDS are refused with the reason they are frozen."""
    with transaction.atomic():
        inspection = _lock_inspection(inspection)
        _require(by, inspection, InspectionAction.AMEND)
        for name in fields:
            if name not in AMENDABLE_HEADER_FIELDS:
                raise InspectionError(
                    str(AMENDMENT_FROZEN.get(name) or _("该内容提交后不能更正。"))
                )
        reason = _amendment_reason(reason)
        changes = []
        for name, value in fields.items():
            value = (value or "").strip()
            if name == "third_party_firm":
                value = _clean_firm(inspection.kind, value)
            old = getattr(inspection, name)
            if value != old:
                changes.append((name, old, value))
                setattr(inspection, name, value)
        if not changes:
            raise InspectionError(_("内容没有变化,无需更正。"))
        Amendment.objects.bulk_create(
            Amendment(
                inspection=inspection,
                field=name,
                old_value=old,
                new_value=new,
                reason=reason,
                by=by,
            )
            for name, old, new in changes
        )
        inspection.save(update_fields=[name for name, _old, _new in changes] + ["updated_at"])
    return inspection
