from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import today
from core.models import UploadIdentity
from hospitals.models import Hospital

from .choices import (
    OPEN_STATUSES,
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


def open_q() -> Q:
    """Not closed out yet. The one definition of "open" (lists, reminders, reports)."""
    return Q(status__in=OPEN_STATUSES)


def overdue_q(on: dt.date) -> Q:
    """Open and past the deadline as of `on`: overdue is a query, never a stored flag."""
    return open_q() & Q(deadline__lt=on)


def unexplained_overdue_q(on: dt.date) -> Q:
    """逾期未说明: overdue, still with the hospital (待整改/整改中, where it can explain), and no
    written explanation for the current deadline (the query form of has_current_explanation)."""
    explained = ~Q(overdue_explanation="") & Q(explained_for_deadline=F("deadline"))
    return overdue_q(on) & Q(status__in=(Status.PENDING, Status.IN_PROGRESS)) & ~explained


class HazardQuerySet(models.QuerySet):
    def visible_to(self, user) -> HazardQuerySet:
        """Hazards of the hospitals the user may see (THE hospital scoping rule)."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(hospital__in=Hospital.objects.visible_to(user).values("pk"))

    def open(self) -> HazardQuerySet:
        return self.filter(open_q())

    def closed(self) -> HazardQuerySet:
        return self.filter(status=Status.CLOSED)

    def overdue(self, on: dt.date | None = None) -> HazardQuerySet:
        return self.filter(overdue_q(on or today()))

    def with_list_relations(self) -> HazardQuerySet:
        return self.select_related("hospital", "hospital__region", "found_by")


class ReminderRhythm(models.Model):
    """The reminder settings (days before the deadline, overdue repeat interval) that a
    hospital's open hazards were last scheduled with. The reminder scan compares it with the
    settings its region has now — edited, inherited from a re-parented region, or the hospital
    moved — and reschedules that hospital's hazards when they differ."""

    hospital = models.OneToOneField(
        Hospital, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    rhythm = models.CharField(max_length=200)

    def __str__(self) -> str:
        return f"{self.hospital_id}: {self.rhythm}"


class RegionYearCounter(models.Model):
    """The last hazard number handed out per region and year (row-locked while allocating)."""

    region = models.ForeignKey("hospitals.Region", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="uniq_hazard_counter")
        ]

    def __str__(self) -> str:
        return f"{self.region_id}-{self.year}: {self.last}"


# Fields of a 重大隐患 that must be filled before it can be submitted for acceptance.
MAJOR_DOSSIER_FIELDS = (
    "present_state_and_cause",
    "danger_analysis",
    "plan_goal",
    "plan_methods",
    "plan_funds_materials",
    "plan_organisation",
    "plan_time_limit",
    "plan_safety_emergency",
    "supervision_level",
    "supervision_notice_no",
)


class Hazard(models.Model):
    code = models.CharField(_("隐患编号"), max_length=40, unique=True, editable=False)
    hospital = models.ForeignKey(
        Hospital, verbose_name=_("医疗机构"), on_delete=models.PROTECT, related_name="hazards"
    )
    source = models.CharField(_("发现途径"), max_length=30, choices=Source.choices)
    source_label = models.CharField(_("来源说明"), max_length=200, blank=True)
    source_url = models.CharField(_("来源链接"), max_length=500, blank=True)
    found_side = models.CharField(
        _("发现方"), max_length=10, choices=FoundSide.choices, editable=False
    )
    category = models.CharField(_("隐患类别"), max_length=30, choices=Category.choices)
    risk_level = models.CharField(_("隐患等级"), max_length=10, choices=RiskLevel.choices)
    location = models.CharField(_("部位"), max_length=200)
    description = models.TextField(_("隐患描述"))
    found_on = models.DateField(_("排查时间"))
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("排查人"),
        on_delete=models.PROTECT,
        related_name="hazards_found",
    )
    mode = models.CharField(
        _("整改方式"),
        max_length=10,
        choices=RectificationMode.choices,
        default=RectificationMode.DEADLINE,
    )
    deadline = models.DateField(_("整改期限"), null=True, blank=True)
    responsible_department = models.CharField(_("责任科室"), max_length=100, blank=True)
    responsible_person = models.CharField(_("责任人"), max_length=50, blank=True)
    rectification_measures = models.TextField(_("整改措施"), blank=True)
    funds = models.DecimalField(
        _("整改资金(元)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    interim_measures = models.TextField(
        _("临时安全防范措施"),
        blank=True,
        help_text=_("不能立即整改的,整改期间必须采取的安全防范措施。"),
    )
    progress = models.TextField(_("整改进度"), blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PENDING, editable=False
    )

    overdue_explanation = models.TextField(_("逾期书面说明"), blank=True, editable=False)
    explained_for_deadline = models.DateField(null=True, blank=True, editable=False)

    # 重大隐患: 一患一档.
    present_state_and_cause = models.TextField(_("隐患现状及产生原因"), blank=True)
    danger_analysis = models.TextField(_("危害程度和整改难易程度分析"), blank=True)
    plan_goal = models.TextField(_("治理的目标和任务"), blank=True)
    plan_methods = models.TextField(_("采取的方法和措施"), blank=True)
    plan_funds_materials = models.TextField(_("经费和物资的落实"), blank=True)
    plan_organisation = models.TextField(_("负责治理的机构和人员"), blank=True)
    plan_time_limit = models.TextField(_("治理的时限和要求"), blank=True)
    plan_safety_emergency = models.TextField(_("安全措施和应急预案"), blank=True)
    supervision_level = models.CharField(
        _("挂牌督办级别"), max_length=10, choices=SupervisionLevel.choices, blank=True
    )
    supervision_notice_no = models.CharField(_("督办文号"), max_length=100, blank=True)
    suspension = models.CharField(
        _("停业/停用整改"), max_length=20, choices=Suspension.choices, blank=True, default=""
    )
    suspension_scope = models.CharField(_("停业/停用范围"), max_length=200, blank=True)
    suspension_notice_no = models.CharField(_("停业/停用整改通知文号"), max_length=100, blank=True)
    # The hospital's pending application to resume (16号令 art. 18); cleared when decided.
    resumption_applied_at = models.DateTimeField(
        _("申请恢复时间"), null=True, blank=True, editable=False
    )
    resumption_application = models.TextField(_("恢复申请"), blank=True, editable=False)

    submitted_at = models.DateTimeField(_("提交验收时间"), null=True, blank=True, editable=False)
    rechecked_at = models.DateTimeField(_("复查时间"), null=True, blank=True, editable=False)
    rechecked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("复查人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    recheck_note = models.TextField(_("复查意见"), blank=True, editable=False)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True, editable=False)
    closed_on = models.DateField(_("销号日期"), null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("验收人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # The first day the daily reminder scan has something to send for this hazard (None once
    # closed). Kept by hazards.reminders — the services call it when the deadline or status
    # changes, the scan advances it after sending — so the scan reads only what is due today.
    next_reminder_on = models.DateField(null=True, blank=True, editable=False)

    objects = HazardQuerySet.as_manager()
    # A scheduling cursor, not part of the record: no history row when the scan advances it.
    history = HistoricalRecords(excluded_fields=["updated_at", "next_reminder_on"])

    class Meta:
        verbose_name = _("隐患")
        verbose_name_plural = _("隐患")
        ordering = ["-found_on", "-pk"]
        indexes = [
            models.Index(
                fields=["deadline"],
                name="hazard_open_deadline",
                condition=~Q(status="closed"),
            ),
            models.Index(fields=["hospital", "status"]),
            # The reminder scan's "due by today": open hazards only, so closed ones cost nothing.
            models.Index(
                fields=["next_reminder_on"],
                name="hazard_next_reminder",
                condition=Q(next_reminder_on__isnull=False),
            ),
            models.Index(fields=["found_on"]),
            models.Index(fields=["closed_on"]),
            # The list's order, carrying the scope and common filters: the newest page of a
            # large scope is an index-only scan that stops after a page.
            models.Index(
                fields=["-found_on", "-id"],
                include=["hospital", "status", "category"],
                name="hazard_list_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.location}"

    def get_absolute_url(self) -> str:
        return reverse("hazards:detail", args=[self.pk])

    @property
    def is_major(self) -> bool:
        return self.risk_level == RiskLevel.MAJOR

    @property
    def is_open(self) -> bool:
        return self.status != Status.CLOSED

    def is_overdue(self, on: dt.date | None = None) -> bool:
        return bool(self.is_open and self.deadline and self.deadline < (on or today()))

    def days_overdue(self, on: dt.date | None = None) -> int:
        if not self.is_overdue(on):
            return 0
        return ((on or today()) - self.deadline).days

    def days_left(self, on: dt.date | None = None) -> int | None:
        if not self.is_open or not self.deadline:
            return None
        return (self.deadline - (on or today())).days

    @property
    def has_current_explanation(self) -> bool:
        return bool(
            self.overdue_explanation.strip() and self.explained_for_deadline == self.deadline
        )

    def missing_dossier_fields(self) -> list[str]:
        """Verbose names of the 重大隐患 dossier fields still empty (empty list when complete)."""
        if not self.is_major:
            return []
        return [
            str(self._meta.get_field(name).verbose_name)
            for name in MAJOR_DOSSIER_FIELDS
            if not str(getattr(self, name) or "").strip()
        ]

    @property
    def recheck_is_current(self) -> bool:
        """A re-check recorded after the latest submission for acceptance."""
        return bool(
            self.rechecked_at and self.submitted_at and self.rechecked_at >= self.submitted_at
        )


class HazardEvent(models.Model):
    """Every change of a hazard is a row: the audit trail and the activity feed."""

    hazard = models.ForeignKey(
        Hazard, verbose_name=_("隐患"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("事件"), max_length=30, choices=EventType.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    from_status = models.CharField(_("原状态"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, choices=Status.choices, blank=True)
    note = models.TextField(_("说明"), blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    # The value a field had BEFORE this event changed it (null/blank: this event did not change
    # it). Figures "as of" a past instant read the deadline and risk level in force then from
    # the earliest such event after that instant; the hazard row holds today's value.
    previous_deadline = models.DateField(_("原整改期限"), null=True, blank=True)
    previous_risk_level = models.CharField(
        _("原隐患等级"), max_length=10, choices=RiskLevel.choices, blank=True
    )

    class Meta:
        verbose_name = _("隐患处理记录")
        verbose_name_plural = _("隐患处理记录")
        ordering = ["at", "pk"]
        indexes = [
            # "Changed after T" (figures as of a past instant) reads events by time.
            models.Index(fields=["at"], name="hazard_event_at"),
        ]

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.kind}"


def evidence_upload_to(instance: HazardEvidence, filename: str) -> str:
    # `filename` is already a random name chosen by core.uploads; the client's never is.
    stamp = today()
    return f"hazards/{instance.hazard.hospital_id}/{stamp:%Y/%m}/{filename}"


class HazardEvidence(UploadIdentity):
    hazard = models.ForeignKey(
        Hazard, verbose_name=_("隐患"), on_delete=models.CASCADE, related_name="evidence"
    )
    stage = models.CharField(_("类型"), max_length=10, choices=EvidenceStage.choices)
    file = models.FileField(_("文件"), upload_to=evidence_upload_to, max_length=255)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("大小"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["hazard", "upload_key"],
                condition=~Q(upload_key=""),
                name="hazard_evidence_once_per_upload_key",
            ),
            models.UniqueConstraint(
                fields=["hazard", "stage", "sha256"],
                condition=~Q(sha256=""),
                name="hazard_evidence_file_once_per_stage",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("hazards:evidence", args=[self.hazard_id, self.pk])

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class ExtensionRequest(models.Model):
    """延期申请: the hospital asks, the bureau approves or refuses."""

    hazard = models.ForeignKey(
        Hazard, verbose_name=_("隐患"), on_delete=models.CASCADE, related_name="extensions"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    current_deadline = models.DateField(_("原整改期限"), null=True, blank=True)
    requested_deadline = models.DateField(_("申请延至"))
    reason = models.TextField(_("延期理由"))
    status = models.CharField(
        _("审批状态"),
        max_length=10,
        choices=ExtensionStatus.choices,
        default=ExtensionStatus.PENDING,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["hazard"],
                condition=Q(status="pending"),
                name="one_pending_extension_per_hazard",
            )
        ]

    def __str__(self) -> str:
        return f"{self.hazard_id} → {self.requested_deadline}"
