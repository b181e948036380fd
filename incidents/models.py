"""The incident register (治安事件登记) and the security patrol log (安保巡查记录), seed 003."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import StoredFile
from hospitals.models import Hospital

from .choices import INCIDENT_KIND_BADGES, IncidentKind


class HospitalScopedQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Officers their own hospital; bureau staff and administrators their region and
        below (`Hospital.objects.visible_to`, THE scoping rule)."""
        return self.filter(hospital__in=Hospital.objects.visible_to(user))


class Incident(models.Model):
    hospital = models.ForeignKey(
        Hospital, verbose_name=_("医疗机构"), on_delete=models.PROTECT, related_name="incidents"
    )
    kind = models.CharField(_("事件类型"), max_length=20, choices=IncidentKind.choices)
    occurred_at = models.DateTimeField(_("发生时间"))
    location = models.CharField(_("发生地点"), max_length=200)
    description = models.TextField(_("事件经过"))
    handled_by = models.CharField(_("处置人员"), max_length=200)
    police_involved = models.BooleanField(_("是否报警/公安介入"), default=False)
    police_case_number = models.CharField(_("警情号"), max_length=50, blank=True)
    outcome = models.TextField(_("处置结果"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = HospitalScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("治安事件")
        verbose_name_plural = _("治安事件")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["hospital", "occurred_at"], name="incident_hospital_when"),
            models.Index(fields=["-occurred_at", "-id"], name="incident_list_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(police_involved=True) | Q(police_case_number=""),
                name="incident_case_number_needs_police",
            )
        ]

    def __str__(self) -> str:
        return f"{self.hospital} {self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"

    @property
    def badge(self) -> str:
        return INCIDENT_KIND_BADGES.get(self.kind, "bg-secondary")


def attachment_path(instance, filename: str) -> str:
    return f"incidents/{instance.incident.hospital_id}/{filename}"


class AttachmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(incident__hospital__in=Hospital.objects.visible_to(user))


class IncidentAttachment(StoredFile):
    """A photo or PDF (report, statement) of an incident, cleaned by core/uploads.py and
    stored once (`existing_upload`)."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("治安事件"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=255)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("事件附件")
        verbose_name_plural = _("事件附件")
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "upload_key"],
                condition=~Q(upload_key=""),
                name="incident_attachment_once_per_upload_key",
            ),
            models.UniqueConstraint(
                fields=["incident", "sha256"],
                condition=~Q(sha256=""),
                name="incident_attachment_file_once",
            ),
        ]


class Patrol(models.Model):
    """One security patrol (安保巡查). The day it counts for is `patrolled_on`, the local date
    the patroller wrote down, so "patrols a day" is a plain GROUP BY with no time-zone cut."""

    hospital = models.ForeignKey(
        Hospital, verbose_name=_("医疗机构"), on_delete=models.PROTECT, related_name="patrols"
    )
    patrolled_on = models.DateField(_("巡查日期"))
    started_at = models.TimeField(_("开始时间"))
    route = models.CharField(_("巡查路线/区域"), max_length=300)
    patroller = models.CharField(_("巡查人员"), max_length=100)
    findings = models.TextField(_("发现问题"), blank=True, help_text=_("未发现问题可留空。"))
    hazards = models.ManyToManyField(
        "hazards.Hazard", verbose_name=_("登记的隐患"), blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = HospitalScopedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["hazards"])

    class Meta:
        verbose_name = _("安保巡查")
        verbose_name_plural = _("安保巡查")
        ordering = ["-patrolled_on", "-started_at", "-id"]
        indexes = [
            models.Index(fields=["hospital", "patrolled_on"], name="patrol_hospital_day"),
            models.Index(fields=["-patrolled_on", "-started_at", "-id"], name="patrol_list_order"),
        ]

    def __str__(self) -> str:
        return f"{self.hospital} {self.patrolled_on:%Y-%m-%d} {self.started_at:%H:%M}"


class PatrolTarget(models.Model):
    """A raised daily patrol target for a period (seed 003: "在发热门诊高峰期增加巡查次数"):
    from `starts_on` to `ends_on` (open-ended when empty) the hospital must log at least
    `daily_target` patrols a day instead of MIN_PATROLS_PER_DAY. Kept as periods, not one
    field, so a past month is judged by the targets in force then."""

    hospital = models.ForeignKey(
        Hospital,
        verbose_name=_("医疗机构"),
        on_delete=models.PROTECT,
        related_name="patrol_targets",
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(
        _("结束日期"), null=True, blank=True, help_text=_("留空表示持续有效。")
    )
    daily_target = models.PositiveSmallIntegerField(
        _("每日巡查次数"), validators=[MinValueValidator(1), MaxValueValidator(48)]
    )
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("设置人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("设置时间"), auto_now_add=True)

    objects = HospitalScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("巡查目标")
        verbose_name_plural = _("巡查目标")
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["hospital", "starts_on"], name="patrol_target_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="patrol_target_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.hospital} {self.starts_on:%Y-%m-%d} {self.daily_target}"
