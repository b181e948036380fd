"""Checklist templates (versioned), monthly assignments, inspections and their answers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import UploadIdentity
from hazards.choices import Category, RiskLevel
from hospitals.models import Hospital, Region, within

from .choices import (
    AMENDMENT_FIELD_LABELS,
    AssignmentKind,
    InspectionKind,
    InspectionStatus,
    PhotoKind,
    Result,
)


# --------------------------------------------------------------------------------------------
# Checklist templates
# --------------------------------------------------------------------------------------------
class ChecklistTemplateQuerySet(models.QuerySet):
    def visible_to(self, user) -> ChecklistTemplateQuerySet:
        """Global templates, those of the user's region and above (inherited), and — for the
        bureau side — those of regions below theirs."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        region = None
        if user.is_bureau_side and user.region_id:
            region = user.region
        elif user.is_officer and user.hospital_id:
            region = user.hospital.region
        if region is None:
            return self.none()
        ancestor_ids = region.ancestor_ids
        condition = Q(region__isnull=True) | Q(region_id__in=ancestor_ids)
        if user.is_bureau_side:
            condition |= within(region, "region")
        return self.filter(condition)

    def editable_by(self, user) -> ChecklistTemplateQuerySet:
        """Templates an administrator may edit: those of their region and below."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        if user.is_region_admin and user.region_id:
            return self.filter(within(user.region, "region"))
        return self.none()


class ChecklistTemplate(models.Model):
    code = models.SlugField(
        _("检查表代码"),
        max_length=40,
        help_text=_("同一检查表各版本共用的代码,如 SAFETY。"),
    )
    name = models.CharField(_("检查表名称"), max_length=200)
    version = models.PositiveIntegerField(_("版本号"))
    effective_from = models.DateField(_("生效日期"))
    region = models.ForeignKey(
        Region,
        verbose_name=_("适用区域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="checklist_templates",
        help_text=_("留空表示全部区域通用;区域内的版本优先于上级区域和通用版本。"),
    )
    description = models.TextField(_("说明"), blank=True)
    is_active = models.BooleanField(
        _("启用"), default=True, help_text=_("停用的版本不能用于新的检查。")
    )
    based_on = models.ForeignKey(
        "self",
        verbose_name=_("复制自"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="copies",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ChecklistTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("检查表模板")
        verbose_name_plural = _("检查表模板")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="uniq_template_code_version")
        ]

    def __str__(self) -> str:
        return f"{self.name}(第{self.version}版)"

    @property
    def is_used(self) -> bool:
        """A version used by any inspection is frozen: old inspections keep their wording."""
        return self.inspections.exists()


class ChecklistSection(models.Model):
    template = models.ForeignKey(
        ChecklistTemplate,
        verbose_name=_("检查表"),
        on_delete=models.CASCADE,
        related_name="sections",
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=1)
    title = models.CharField(_("检查领域"), max_length=100)
    category = models.CharField(
        _("隐患类别"),
        max_length=30,
        choices=Category.choices,
        help_text=_("该领域不合格项登记隐患时的默认类别。"),
    )

    class Meta:
        verbose_name = _("检查领域")
        verbose_name_plural = _("检查领域")
        ordering = ["template", "order", "pk"]

    def __str__(self) -> str:
        return self.title


class ChecklistItem(models.Model):
    template = models.ForeignKey(
        ChecklistTemplate,
        verbose_name=_("检查表"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    section = models.ForeignKey(
        ChecklistSection,
        verbose_name=_("检查领域"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    code = models.CharField(
        _("条目编码"),
        max_length=20,
        help_text=_("跨版本保持不变的编码,如 FIRE-05。"),
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=1)
    text = models.TextField(_("检查内容"))
    guidance = models.TextField(_("检查要点"), blank=True)
    category = models.CharField(_("隐患类别"), max_length=30, choices=Category.choices)
    default_risk_level = models.CharField(
        _("默认隐患等级"), max_length=10, choices=RiskLevel.choices, default=RiskLevel.GENERAL
    )

    class Meta:
        verbose_name = _("检查条目")
        verbose_name_plural = _("检查条目")
        ordering = ["section__order", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="uniq_item_code_per_template")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:30]}"


# --------------------------------------------------------------------------------------------
# Monthly assignments (the 15th / the 26th)
# --------------------------------------------------------------------------------------------
class AssignmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> AssignmentQuerySet:
        return self.filter(hospital__in=Hospital.objects.visible_to(user))

    def actionable_by(self, user) -> AssignmentQuerySet:
        """Assignments the user is the one to carry out: the hospital's officers inspect on the
        self-inspection day; the linked department's staff on the linked-department day."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        if user.is_officer and user.hospital_id:
            return self.filter(kind=AssignmentKind.SELF, hospital_id=user.hospital_id)
        if user.is_bureau and user.department_id and user.region_id:
            return self.filter(
                within(user.region, "hospital__region"),
                kind=AssignmentKind.LINKED,
                department_id=user.department_id,
            )
        return self.none()


class Assignment(models.Model):
    """One institution's inspection due on one monthly inspection day."""

    kind = models.CharField(_("检查日类型"), max_length=10, choices=AssignmentKind.choices)
    hospital = models.ForeignKey(
        Hospital,
        verbose_name=_("医疗卫生机构"),
        on_delete=models.CASCADE,
        related_name="inspection_assignments",
    )
    department = models.ForeignKey(
        "hospitals.BureauDepartment",
        verbose_name=_("挂钩科室"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspection_assignments",
    )
    period = models.DateField(_("月份"), help_text=_("所属月份的第一天。"))
    due_date = models.DateField(_("检查日"), db_index=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("检查日任务")
        verbose_name_plural = _("检查日任务")
        ordering = ["due_date", "hospital__name", "kind"]
        indexes = [
            # A month of a scope in calendar order (the calendar's page and coverage read one
            # month, or twelve, of 100 k+ assignments): not the whole due_date index filtered.
            models.Index(fields=["period", "due_date"], name="assignment_period_day"),
        ]
        constraints = [
            # One assignment per institution, inspection day and month — however many times or
            # however concurrently the generator runs.
            models.UniqueConstraint(
                fields=["kind", "hospital", "period"], name="uniq_assignment_per_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.hospital} {self.get_kind_display()} {self.due_date:%Y-%m-%d}"


# --------------------------------------------------------------------------------------------
# Inspections and answers
# --------------------------------------------------------------------------------------------
class InspectionQuerySet(models.QuerySet):
    def visible_to(self, user) -> InspectionQuerySet:
        """Submitted inspections of every hospital the user sees; drafts only to the person who
        started them (and to the colleagues who share the job: the hospital's other officers for
        a self-inspection, the department's other staff for a linked-department day)."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        condition = Q(
            status=InspectionStatus.SUBMITTED, hospital__in=Hospital.objects.visible_to(user)
        ) | Q(status=InspectionStatus.DRAFT, created_by=user)
        if user.is_officer and user.hospital_id:
            condition |= Q(
                status=InspectionStatus.DRAFT,
                kind=InspectionKind.SELF,
                hospital_id=user.hospital_id,
            )
        if user.is_bureau and user.department_id:
            # A linked-department day is the department's job: colleagues may carry it on.
            condition |= Q(
                status=InspectionStatus.DRAFT,
                kind=InspectionKind.LINKED,
                assignment__department_id=user.department_id,
                hospital__in=Hospital.objects.visible_to(user),
            )
        return self.filter(condition)

    def submitted(self) -> InspectionQuerySet:
        return self.filter(status=InspectionStatus.SUBMITTED)


class Inspection(models.Model):
    hospital = models.ForeignKey(
        Hospital,
        verbose_name=_("受检机构"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    kind = models.CharField(_("检查类型"), max_length=20, choices=InspectionKind.choices)
    template = models.ForeignKey(
        ChecklistTemplate,
        verbose_name=_("检查表"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    assignment = models.OneToOneField(
        Assignment,
        verbose_name=_("检查日任务"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspection",
    )
    inspected_on = models.DateField(_("检查日期"))
    location = models.CharField(_("检查部位/区域"), max_length=200, blank=True)
    participants = models.CharField(
        _("检查人员"),
        max_length=300,
        blank=True,
        help_text=_("同行检查人员及单位,如消防、公安、应急部门人员。"),
    )
    summary = models.TextField(_("检查小结"), blank=True)
    third_party_firm = models.CharField(
        _("第三方机构名称"),
        max_length=200,
        blank=True,
        help_text=_("第三方安全生产技术顾问检查须填写技术顾问机构的名称。"),
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=InspectionStatus.choices, default=InspectionStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("检查人"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    failed_count = models.PositiveSmallIntegerField(_("不合格项数"), default=0)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("安全检查")
        verbose_name_plural = _("安全检查")
        ordering = ["-inspected_on", "-pk"]
        indexes = [
            models.Index(fields=["hospital", "inspected_on"]),
            # The list's order: the newest page of a large scope is an ordered index scan.
            models.Index(fields=["-inspected_on", "-id"], name="inspection_list_order"),
            models.Index(fields=["submitted_at"], name="inspection_submitted_at"),
            # `inspections_version()`: the newest change and the number of drafts, by index.
            models.Index(fields=["updated_at"], name="inspection_updated_at"),
            models.Index(
                fields=["id"], condition=models.Q(status="draft"), name="inspection_drafts"
            ),
        ]
        constraints = [
            # The service refuses it first (with a translated message); this is the last line.
            models.CheckConstraint(
                condition=~models.Q(kind="third_party") | ~models.Q(third_party_firm=""),
                name="inspection_third_party_firm_required",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hospital} {self.get_kind_display()} {self.inspected_on:%Y-%m-%d}"

    @property
    def is_draft(self) -> bool:
        return self.status == InspectionStatus.DRAFT

    @property
    def is_submitted(self) -> bool:
        return self.status == InspectionStatus.SUBMITTED


class Answer(models.Model):
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("安全检查"), on_delete=models.CASCADE, related_name="answers"
    )
    # The item row of the template version used: a later version never changes what was asked.
    item = models.ForeignKey(
        ChecklistItem, verbose_name=_("检查条目"), on_delete=models.PROTECT, related_name="answers"
    )
    result = models.CharField(
        _("检查结果"), max_length=10, choices=Result.choices, blank=True, default=""
    )
    note = models.TextField(_("检查情况"), blank=True)
    # Hazard details for a failed item, prefilled from the item and editable until submission.
    hazard_location = models.CharField(_("隐患部位"), max_length=200, blank=True)
    hazard_description = models.TextField(_("隐患描述"), blank=True)
    hazard_category = models.CharField(
        _("隐患类别"), max_length=30, choices=Category.choices, blank=True
    )
    hazard_risk_level = models.CharField(
        _("隐患等级"), max_length=10, choices=RiskLevel.choices, blank=True
    )
    hazard_deadline = models.DateField(_("整改期限"), null=True, blank=True)
    rectification_measures = models.TextField(_("整改措施"), blank=True)
    fixed_on_the_spot = models.BooleanField(_("立查立改"), default=False)
    # Set on submission: the hazard this failed item raised (hazards does not import us).
    hazard = models.ForeignKey(
        "hazards.Hazard",
        verbose_name=_("登记的隐患"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspection_answers",
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填写人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("检查结果")
        verbose_name_plural = _("检查结果")
        ordering = ["item__section__order", "item__order", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="uniq_answer_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.item.code} {self.get_result_display()}"

    @property
    def is_failed(self) -> bool:
        return self.result == Result.FAIL


def answer_photo_path(instance, filename: str) -> str:
    return f"inspections/{instance.answer.inspection_id}/{filename}"


class AnswerPhoto(UploadIdentity):
    """A photo of one checklist answer, stored exactly once: `core.uploads.existing_upload`
    is the rule (a repeated upload key returns the first row, an identical file is refused);
    the two constraints below are its last line of defence against concurrent requests."""

    answer = models.ForeignKey(
        Answer, verbose_name=_("检查结果"), on_delete=models.CASCADE, related_name="photos"
    )
    kind = models.CharField(
        _("照片类型"), max_length=10, choices=PhotoKind.choices, default=PhotoKind.FINDING
    )
    file = models.FileField(_("文件"), upload_to=answer_photo_path, max_length=255)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    # Where and when (inspections.photostamp): what the device said when the photo was taken,
    # kept beside the server's upload time; the same words are burned into the stored image,
    # while `sha256` stays the digest of the bytes the device sent (the evidence-once key).
    captured_at = models.DateTimeField(_("拍摄时间(设备)"), null=True, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    gps_accuracy = models.FloatField(_("定位精度(米)"), null=True, blank=True)
    stamp = models.TextField(_("照片水印"), blank=True)

    class Meta:
        verbose_name = _("检查照片")
        verbose_name_plural = _("检查照片")
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["answer", "upload_key"],
                condition=~Q(upload_key=""),
                name="answer_photo_once_per_upload_key",
            ),
            models.UniqueConstraint(
                fields=["answer", "sha256"],
                condition=~Q(sha256=""),
                name="answer_photo_file_once_per_answer",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name


class Amendment(models.Model):
    """A correction to a submitted inspection: who changed what, when and why."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("安全检查"), on_delete=models.CASCADE, related_name="amendments"
    )
    answer = models.ForeignKey(
        Answer,
        verbose_name=_("检查结果"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="amendments",
    )
    field = models.CharField(_("更正内容"), max_length=50)
    old_value = models.TextField(_("原内容"), blank=True)
    new_value = models.TextField(_("新内容"), blank=True)
    reason = models.TextField(_("更正原因"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("更正人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("更正时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("检查更正记录")
        verbose_name_plural = _("检查更正记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.inspection} {self.field}"

    @property
    def field_label(self) -> str:
        return str(AMENDMENT_FIELD_LABELS.get(self.field, self.field))


class OfflineWrite(models.Model):
    """One write of the offline outbox, by its client-generated key: a replayed or duplicated
    sync finds the key here and applies nothing twice (inspections.offline)."""

    class Kind(models.TextChoices):
        ANSWER = "answer", _("检查结果")
        PHOTO = "photo", _("检查照片")
        SUBMIT = "submit", _("提交")

    key = models.CharField(_("幂等键"), max_length=64, unique=True)
    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("安全检查"),
        on_delete=models.CASCADE,
        related_name="offline_writes",
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    answer = models.ForeignKey(
        Answer,
        verbose_name=_("检查结果"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="offline_writes",
    )
    photo = models.ForeignKey(
        AnswerPhoto,
        verbose_name=_("检查照片"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The answer's `updated_at` this write left behind: a later write from the same device
    # that names this key as its predecessor is not a conflict.
    answer_version = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("同步人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    device_time = models.DateTimeField(_("设备时间"), null=True, blank=True)
    applied_at = models.DateTimeField(_("同步时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("离线同步记录")
        verbose_name_plural = _("离线同步记录")
        ordering = ["applied_at", "pk"]

    def __str__(self) -> str:
        return f"{self.inspection_id} {self.kind} {self.key}"
