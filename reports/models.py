from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.dates import format_as_of
from hospitals.models import Hospital, Region, within

from .choices import ExportStatus, PeriodKind, ReportType
from .periods import Period


class ReportExportQuerySet(models.QuerySet):
    def visible_to(self, user) -> ReportExportQuerySet:
        """Exports a user may see and download: their own requests, and (bureau side) every
        export whose scope lies inside their region; a hospital officer sees exports of their
        own hospital only — never a region-wide workbook that lists other hospitals."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        own = Q(requested_by=user)
        if user.is_bureau_side and user.region_id:
            return self.filter(own | within(user.region, "region"))
        if user.is_officer and user.hospital_id:
            return self.filter(own | Q(hospital_id=user.hospital_id))
        return self.filter(own)


class ReportExport(models.Model):
    """One requested (or scheduled) workbook, built by a Celery task."""

    report_type = models.CharField(_("报表类型"), max_length=30, choices=ReportType.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("区域"), on_delete=models.PROTECT, related_name="report_exports"
    )
    hospital = models.ForeignKey(
        Hospital,
        verbose_name=_("医疗机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="report_exports",
        help_text=_("留空则为整个区域。"),
    )
    period_kind = models.CharField(_("期间类型"), max_length=10, choices=PeriodKind.choices)
    period_key = models.CharField(_("期间"), max_length=30)
    period_start = models.DateField(_("期间开始"))
    period_end = models.DateField(_("期间结束"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="report_exports",
    )
    is_scheduled = models.BooleanField(_("系统定时生成"), default=False)
    as_of = models.DateTimeField(
        _("数据截至"),
        null=True,
        blank=True,
        help_text=_("报表数据统计截至的时刻:期间结束时(24:00),期间未结束时为生成时刻。"),
    )

    status = models.CharField(
        _("状态"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    row_count = models.PositiveIntegerField(_("行数"), null=True, blank=True)
    file = models.FileField(_("文件"), upload_to="reports/%Y/%m/", blank=True, max_length=255)
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    file_size = models.PositiveBigIntegerField(_("文件大小"), null=True, blank=True)
    error = models.TextField(_("失败原因"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)

    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    queued_at = models.DateTimeField(_("入队时间"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = ReportExportQuerySet.as_manager()

    class Meta:
        verbose_name = _("报表导出")
        verbose_name_plural = _("报表导出")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A duplicated beat tick must never build the same scheduled report twice.
            models.UniqueConstraint(
                fields=["report_type", "region", "period_key"],
                condition=Q(is_scheduled=True),
                name="uniq_scheduled_report",
            )
        ]
        indexes = [models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def period(self) -> Period:
        return Period(self.period_kind, self.period_start, self.period_end)

    @property
    def as_of_display(self) -> str:
        """ "2026-10-31 24:00" (empty until the build has started)."""

        return format_as_of(self.as_of) if self.as_of else ""

    @property
    def scope_name(self) -> str:
        return self.hospital.name if self.hospital_id else self.region.name

    @property
    def title(self) -> str:
        return f"{self.period.label}{self.get_report_type_display()}-{self.scope_name}"

    @property
    def is_finished(self) -> bool:
        return self.status in (ExportStatus.READY, ExportStatus.FAILED)

    @property
    def is_downloadable(self) -> bool:
        return self.status == ExportStatus.READY and bool(self.file)

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None


class FigureRun(models.Model):
    """Every hospital's figures for one period computed as of one instant (`as_of`), stored so a
    province dashboard adds up 2,000 rows instead of a million hazards (`reports.snapshots`)."""

    period_key = models.CharField(_("期间"), max_length=40)
    as_of = models.DateTimeField(_("数据截至"))
    computed_at = models.DateTimeField(_("计算时间"), auto_now_add=True)
    complete = models.BooleanField(_("已完成"), default=False)
    duration_ms = models.PositiveIntegerField(_("耗时(毫秒)"), default=0)
    # Moves whenever a line is recomputed or the region tree changes: pages cache what they
    # read from the run under it.
    generation = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("统计快照")
        verbose_name_plural = _("统计快照")
        indexes = [models.Index(fields=["period_key", "-as_of"], name="figure_run_period_idx")]

    def __str__(self) -> str:
        return f"{self.period_key} @ {self.as_of:%Y-%m-%d %H:%M}"


class HospitalFigures(models.Model):
    """One hospital's line of a FigureRun: the fields of `reports.selectors.Figures`, plus the
    per-category and per-month counts the dashboard draws. `dirty` counts the writes to the
    hospital's records since the line was computed; a dirty line is recomputed (as of the run's
    instant) before it is read, so a stored line always equals the live figures of that instant."""

    run = models.ForeignKey(FigureRun, on_delete=models.CASCADE, related_name="lines")
    hospital = models.ForeignKey(Hospital, on_delete=models.CASCADE, related_name="+")
    dirty = models.PositiveIntegerField(default=0)
    found = models.PositiveIntegerField(default=0)
    rectified = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)
    open = models.PositiveIntegerField(default=0)
    major = models.PositiveIntegerField(default=0)
    immediate = models.PositiveIntegerField(default=0)
    major_open = models.PositiveIntegerField(default=0)
    overdue_all = models.PositiveIntegerField(default=0)
    open_all = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    inspections = models.PositiveIntegerField(default=0)
    inspections_due = models.PositiveIntegerField(default=0)
    inspections_done = models.PositiveIntegerField(default=0)
    security_met = models.PositiveIntegerField(default=0)
    security_total = models.PositiveIntegerField(default=0)
    hospitals = models.PositiveIntegerField(default=1)
    # {"fire": [found, open], …} and {"2026-10": [found, closed], …}
    categories = models.JSONField(default=dict)
    months = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("机构统计行")
        verbose_name_plural = _("机构统计行")
        constraints = [
            models.UniqueConstraint(fields=["run", "hospital"], name="uniq_figures_run_hospital")
        ]

    def __str__(self) -> str:
        return f"{self.run} · {self.hospital_id}"


# ---- statutory tables and narrative texts (issue 14 parts 3 and 4) --------------------------


class StatutoryConfirmationQuerySet(models.QuerySet):
    def visible_to(self, user) -> StatutoryConfirmationQuerySet:
        """The confirmations of the hospitals the user sees (an officer: their own hospital)."""
        return self.filter(hospital__in=Hospital.objects.visible_to(user).values("pk"))


class StatutoryConfirmation(models.Model):
    """A hospital's confirmation of its 隐患排查治理情况统计表 for a quarter or a year: who
    confirmed it, when, and the figures it showed then (as of the period's end)."""

    hospital = models.ForeignKey(
        Hospital,
        verbose_name=_("医疗机构"),
        on_delete=models.PROTECT,
        related_name="statutory_confirmations",
    )
    report_type = models.CharField(_("报表类型"), max_length=30, choices=ReportType.choices)
    period_key = models.CharField(_("期间"), max_length=30)
    period_start = models.DateField(_("期间开始"))
    period_end = models.DateField(_("期间结束"))
    figures = models.JSONField(_("确认时的数据"), default=dict)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        on_delete=models.PROTECT,
        related_name="statutory_confirmations",
    )
    confirmed_at = models.DateTimeField(_("确认时间"))

    objects = StatutoryConfirmationQuerySet.as_manager()

    class Meta:
        verbose_name = _("统计表确认")
        verbose_name_plural = _("统计表确认")
        ordering = ["-period_end", "hospital__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["hospital", "report_type", "period_key"], name="uniq_statutory_confirmation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.hospital} {self.period_key} {self.get_report_type_display()}"

    @property
    def period(self) -> Period:
        return Period(
            PeriodKind.QUARTER
            if self.report_type == ReportType.HAZARD_STATS_QUARTER
            else PeriodKind.YEAR,
            self.period_start,
            self.period_end,
        )


class NarrativeQuerySet(models.QuerySet):
    def visible_to(self, user) -> NarrativeQuerySet:
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        if user.is_bureau_side and user.region_id:
            return self.filter(within(user.region, "region"))
        return self.none()


class Narrative(models.Model):
    """The text sections of a 信息周报/月报 or the year-end 专项整治 summary for one scope and
    period: pre-filled from the period's figures, edited by bureau staff, printed by the export."""

    report_type = models.CharField(_("报表类型"), max_length=30, choices=ReportType.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("区域"), on_delete=models.PROTECT, related_name="narratives"
    )
    hospital = models.ForeignKey(
        Hospital,
        verbose_name=_("医疗机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="narratives",
    )
    period_key = models.CharField(_("期间"), max_length=30)
    work_done = models.TextField(_("工作开展情况"), blank=True)
    problems = models.TextField(_("存在问题"), blank=True)
    next_steps = models.TextField(_("下步打算"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    objects = NarrativeQuerySet.as_manager()

    class Meta:
        verbose_name = _("报告文字部分")
        verbose_name_plural = _("报告文字部分")
        constraints = [
            models.UniqueConstraint(
                fields=["report_type", "region", "period_key"],
                condition=Q(hospital__isnull=True),
                name="uniq_narrative_region",
            ),
            models.UniqueConstraint(
                fields=["report_type", "region", "hospital", "period_key"],
                condition=Q(hospital__isnull=False),
                name="uniq_narrative_hospital",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.period_key} {self.get_report_type_display()}"
