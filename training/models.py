"""Training sessions and their files, special-operation certificates, each hospital's yearly
bases (new staff, special posts), and safety responsibility letters with their signed scans.

Training and letters share one app: both are a hospital's yearly people-side safety records,
scoped the same way (`hospital__in=Hospital.objects.visible_to(user)`), kept by the same
officer, read by the same bureau, and stored through the same evidence-once upload rule.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import StoredFile
from hospitals.models import Hospital

from .choices import CertificateType, FileKind, LetterLevel, SessionKind


class HospitalScopedQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(hospital__in=Hospital.objects.visible_to(user))


class TrainingSession(models.Model):
    hospital = models.ForeignKey(
        Hospital, verbose_name=_("医疗机构"), on_delete=models.CASCADE, related_name="+"
    )
    held_on = models.DateField(_("培训日期"))
    kind = models.CharField(_("培训类别"), max_length=20, choices=SessionKind.choices)
    title = models.CharField(_("培训主题"), max_length=200)
    trainer = models.CharField(_("授课人"), max_length=100)
    hours = models.DecimalField(
        _("学时"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(0.5), MaxValueValidator(99)],
    )
    attendee_count = models.PositiveIntegerField(
        _("参训人数"),
        help_text=_("新进员工培训填参训的新进员工人数,计入新进员工培训率。"),
    )
    attendees = models.TextField(_("参训人员名单"), blank=True, help_text=_("每行一人。"))
    note = models.TextField(_("备注"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = HospitalScopedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("安全教育培训")
        verbose_name_plural = _("安全教育培训")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["hospital", "held_on"], name="training_session_hosp_day")]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"

    @property
    def attendee_names(self) -> list[str]:
        return [line.strip() for line in self.attendees.splitlines() if line.strip()]


def session_file_path(instance, filename: str) -> str:
    return f"training/sessions/{instance.session.hospital_id}/{filename}"


class SessionFileQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(session__hospital__in=Hospital.objects.visible_to(user))


class SessionFile(StoredFile):
    """A photo of a session or its scanned sign-in sheet, stored once per session."""

    session = models.ForeignKey(
        TrainingSession, verbose_name=_("培训"), on_delete=models.CASCADE, related_name="files"
    )
    kind = models.CharField(_("类别"), max_length=10, choices=FileKind.choices)
    file = models.FileField(_("文件"), upload_to=session_file_path, max_length=255)

    objects = SessionFileQuerySet.as_manager()

    class Meta:
        verbose_name = _("培训材料")
        verbose_name_plural = _("培训材料")
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "upload_key"],
                condition=~Q(upload_key=""),
                name="training_file_once_per_upload_key",
            ),
            models.UniqueConstraint(
                fields=["session", "sha256"],
                condition=~Q(sha256=""),
                name="training_file_once_per_session",
            ),
        ]


class Certificate(models.Model):
    """A special-operation certificate (特种作业/特种设备作业人员证) held by a hospital's staff."""

    hospital = models.ForeignKey(
        Hospital, verbose_name=_("医疗机构"), on_delete=models.CASCADE, related_name="+"
    )
    holder = models.CharField(_("持证人"), max_length=50)
    cert_type = models.CharField(_("作业类别"), max_length=20, choices=CertificateType.choices)
    number = models.CharField(_("证书编号"), max_length=50)
    valid_until = models.DateField(_("有效期至"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = HospitalScopedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("特种作业人员证书")
        verbose_name_plural = _("特种作业人员证书")
        ordering = ["valid_until", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["hospital", "cert_type", "number"], name="training_certificate_unique"
            )
        ]
        indexes = [models.Index(fields=["valid_until"], name="training_cert_valid_until")]

    def __str__(self) -> str:
        return f"{self.holder} {self.get_cert_type_display()} {self.number}"


class TrainingYear(models.Model):
    """The denominators of a hospital's yearly rates: how many staff joined this year (新进员工
    培训率) and how many special-operation posts need a certificate holder (持证上岗率)."""

    hospital = models.ForeignKey(
        Hospital, verbose_name=_("医疗机构"), on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    new_staff = models.PositiveIntegerField(_("本年新进员工人数"), default=0)
    special_posts = models.PositiveIntegerField(
        _("特种作业岗位数"),
        default=0,
        help_text=_("配电、锅炉、压力容器、电梯、消防控制室等须持证上岗的岗位(人)数。"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = HospitalScopedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("年度培训基数")
        verbose_name_plural = _("年度培训基数")
        ordering = ["-year", "hospital_id"]
        constraints = [
            models.UniqueConstraint(fields=["hospital", "year"], name="training_year_unique")
        ]

    def __str__(self) -> str:
        return f"{self.hospital_id} {self.year}"


class ResponsibilityLetter(models.Model):
    """One 安全生产责任书 signed for a year at one of three levels."""

    hospital = models.ForeignKey(
        Hospital, verbose_name=_("医疗机构"), on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    level = models.CharField(_("签订层级"), max_length=20, choices=LetterLevel.choices)
    party_a = models.CharField(_("甲方(责任下达方)"), max_length=100)
    party_b = models.CharField(
        _("乙方(责任承担方)"), max_length=100, help_text=_("医院、科室或岗位名称及责任人。")
    )
    signed_on = models.DateField(_("签订日期"))
    note = models.TextField(_("备注"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = HospitalScopedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("安全生产责任书")
        verbose_name_plural = _("安全生产责任书")
        ordering = ["-year", "level", "pk"]
        constraints = [
            # The bureau signs one letter with each hospital a year.
            models.UniqueConstraint(
                fields=["hospital", "year"],
                condition=Q(level=LetterLevel.BUREAU_HOSPITAL),
                name="training_one_bureau_letter_a_year",
            )
        ]
        indexes = [models.Index(fields=["year", "level"], name="training_letter_year_level")]

    def __str__(self) -> str:
        return f"{self.year} {self.get_level_display()} {self.party_b}"


def letter_scan_path(instance, filename: str) -> str:
    return f"training/letters/{instance.letter.hospital_id}/{filename}"


class LetterScanQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(letter__hospital__in=Hospital.objects.visible_to(user))


class LetterScan(StoredFile):
    letter = models.ForeignKey(
        ResponsibilityLetter,
        verbose_name=_("责任书"),
        on_delete=models.CASCADE,
        related_name="scans",
    )
    file = models.FileField(_("文件"), upload_to=letter_scan_path, max_length=255)

    objects = LetterScanQuerySet.as_manager()

    class Meta:
        verbose_name = _("责任书签字扫描件")
        verbose_name_plural = _("责任书签字扫描件")
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["letter", "upload_key"],
                condition=~Q(upload_key=""),
                name="training_scan_once_per_upload_key",
            ),
            models.UniqueConstraint(
                fields=["letter", "sha256"],
                condition=~Q(sha256=""),
                name="training_scan_once_per_letter",
            ),
        ]
