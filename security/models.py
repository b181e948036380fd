"""4+N plan (per region), per-hospital checklist, guard posts and gear, security facilities,
drills and half-year reports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedCharField
from core.models import StoredFile
from hospitals.choices import HospitalLevel
from hospitals.models import Hospital, Region

from .choices import (
    ITEM_NUMBERS,
    DrillScenario,
    Half,
    ItemAction,
    ItemKind,
    ItemStatus,
    PostArea,
    ReportStatus,
)
from .staffing import GuardRatios

# The county plan of seed 004; a region's plan starts from these.
PLAN_DEFAULTS = {
    "guards_deadline": dt.date(2023, 12, 31),
    "screening_deadline": dt.date(2022, 12, 31),
    "alarm_deadline": dt.date(2022, 12, 31),
    "face_deadline": dt.date(2023, 12, 31),
    "police_room_deadline": dt.date(2022, 12, 31),
    "staff_percent": Decimal("3"),
    "beds_per_guard": 20,
    "outpatient_permille": Decimal("3"),
    "video_retention_days": 90,
}
DEADLINE_FIELDS = {
    ItemKind.GUARDS: "guards_deadline",
    ItemKind.SCREENING: "screening_deadline",
    ItemKind.ALARM: "alarm_deadline",
    ItemKind.FACE: "face_deadline",
    ItemKind.POLICE_ROOM: "police_room_deadline",
}
COVERED_LEVELS = (HospitalLevel.LEVEL_2, HospitalLevel.LEVEL_3)


class PlanQuerySet(models.QuerySet):
    def visible_to(self, user) -> PlanQuerySet:
        """Plans of the regions a user sees, plus the ancestors' plans they inherit."""
        regions = Region.objects.visible_to(user)
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser:
            return self.all()
        own = getattr(user, "region", None) or (
            user.hospital.region if getattr(user, "hospital_id", None) else None
        )
        ancestor_ids = own.ancestor_ids if own else []
        return self.filter(Q(region__in=regions) | Q(region_id__in=ancestor_ids))


class SecurityPlan(models.Model):
    """A region's 4+N plan. Sub-regions without their own plan follow the nearest ancestor's."""

    # Not columns: set on the plans `security.selectors.PlanIndex` loads (and `default_plan`).
    include_ids: frozenset[int]
    exclude_ids: frozenset[int]
    version: PlanVersion | None

    region = models.OneToOneField(
        Region, verbose_name=_("区域"), on_delete=models.PROTECT, related_name="security_plan"
    )
    name = models.CharField(_("方案名称"), max_length=200, default="平安医院建设“4+N”三年行动计划")
    include_hospitals = models.ManyToManyField(
        Hospital,
        verbose_name=_("另行纳入的机构"),
        blank=True,
        related_name="+",
        help_text=_("默认覆盖二级及以上医院;一级或未定级机构需纳入时在此选择。"),
    )
    exclude_hospitals = models.ManyToManyField(
        Hospital,
        verbose_name=_("不纳入的机构"),
        blank=True,
        related_name="+",
        help_text=_("二级及以上医院中不适用本方案的机构(如已停业、并入其他机构)。"),
    )
    guards_deadline = models.DateField(
        _("1. 专职保安员 达标期限"), default=PLAN_DEFAULTS["guards_deadline"]
    )
    screening_deadline = models.DateField(
        _("2. 安检器材 达标期限"), default=PLAN_DEFAULTS["screening_deadline"]
    )
    alarm_deadline = models.DateField(
        _("3. 一键报警系统 达标期限"), default=PLAN_DEFAULTS["alarm_deadline"]
    )
    face_deadline = models.DateField(
        _("3. 人脸识别系统 达标期限"), default=PLAN_DEFAULTS["face_deadline"]
    )
    police_room_deadline = models.DateField(
        _("4. 警务室和调解室 达标期限"), default=PLAN_DEFAULTS["police_room_deadline"]
    )
    staff_percent = models.DecimalField(
        _("按在岗医务人员配比(%)"),
        max_digits=5,
        decimal_places=2,
        default=PLAN_DEFAULTS["staff_percent"],
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("百分比:默认 3%,即每 100 名在岗医务人员配 3 名保安员。"),
    )
    beds_per_guard = models.PositiveSmallIntegerField(
        _("每名保安员对应床位数"),
        default=PLAN_DEFAULTS["beds_per_guard"],
        validators=[MinValueValidator(1)],
        help_text=_("默认 20,即每 20 张床位配 1 名保安员。"),
    )
    outpatient_permille = models.DecimalField(
        _("按日均门诊量配比(‰)"),
        max_digits=6,
        decimal_places=2,
        default=PLAN_DEFAULTS["outpatient_permille"],
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1000"))],
        help_text=_(
            "千分比(‰),不是百分比:默认 3‰,即日均门诊量每 1000 人次配 3 名保安员"
            "(国卫医发〔2021〕28号)。部分县级方案印作“3%”,属笔误——日均 3000 人次按 3% "
            "将需要 90 名保安员。"
        ),
    )
    video_retention_days = models.PositiveSmallIntegerField(
        _("重点部位视频保存天数下限"),
        default=PLAN_DEFAULTS["video_retention_days"],
        validators=[MinValueValidator(1)],
        help_text=_("默认 90 天;低于此天数的视频系统列为短板。"),
    )
    bureau_contact = models.CharField(_("卫健局联系人"), max_length=50, blank=True)
    bureau_phone = EncryptedCharField(_("卫健局联系电话"), max_length=30, blank=True)
    police_unit = models.CharField(_("公安机关"), max_length=100, blank=True)
    police_contact = models.CharField(_("公安联系人"), max_length=50, blank=True)
    police_phone = EncryptedCharField(_("公安联系电话"), max_length=30, blank=True)
    police_email = models.EmailField(
        _("公安联系邮箱"),
        blank=True,
        help_text=_("医院报送半年进展报告时,系统将报告 PDF 发送到此邮箱;不填则不发送。"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("最后修改人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("最后修改时间"), auto_now=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("4+N 方案")
        verbose_name_plural = _("4+N 方案")
        ordering = ["region__path"]

    def __str__(self) -> str:
        return f"{self.region} · {self.name}" if self.region_id else str(self.name)

    @property
    def ratios(self) -> GuardRatios:
        return GuardRatios(
            staff_percent=Decimal(self.staff_percent),
            beds_per_guard=int(self.beds_per_guard or 0),
            outpatient_permille=Decimal(self.outpatient_permille),
        )

    def deadline_for(self, kind: str) -> dt.date | None:
        name = DEADLINE_FIELDS.get(kind)
        return getattr(self, name) if name else None


# The plan's thresholds and deadlines: what a version fixes from its effective date on.
THRESHOLD_FIELDS = (
    "guards_deadline",
    "screening_deadline",
    "alarm_deadline",
    "face_deadline",
    "police_room_deadline",
    "staff_percent",
    "beds_per_guard",
    "outpatient_permille",
    "video_retention_days",
)
# "In force from the beginning": the effective date of a plan's first version, earlier than any
# period the product reports on.
PLAN_BEGINNING = dt.date(2000, 1, 1)


class PlanVersion(models.Model):
    """The thresholds of a plan from `effective_from` on (e.g. GB/T 31458-2026 from 2026-08-01
    replacing GB/T 31458-2015). A figure as of a date uses the version in force on that date, so
    a new standard never rewrites an earlier period. Versions are added, not edited: changing a
    threshold means a new version from a chosen date."""

    plan = models.ForeignKey(
        SecurityPlan, verbose_name=_("方案"), on_delete=models.CASCADE, related_name="versions"
    )
    effective_from = models.DateField(_("生效日期"))
    standard = models.CharField(
        _("依据"), max_length=100, blank=True, help_text=_("如 GB/T 31458-2026 或文件文号。")
    )
    note = models.CharField(_("变更说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("4+N 方案版本")
        verbose_name_plural = _("4+N 方案版本")
        ordering = ["plan", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "effective_from"], name="uniq_plan_version_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan} · {self.effective_from:%Y-%m-%d}"

    def values(self) -> dict:
        return {name: getattr(self, name) for name in THRESHOLD_FIELDS}


# A version holds exactly the plan's threshold fields (same labels, defaults and validators).
for _name in THRESHOLD_FIELDS:
    PlanVersion.add_to_class(_name, SecurityPlan._meta.get_field(_name).clone())
del _name


def version_in_force(versions: list[PlanVersion], on: dt.date) -> PlanVersion | None:
    """The version of `versions` (sorted by effective date) in force on `on`: the latest that
    started on or before it; before the first one, the first one (nothing older is known)."""
    current = versions[0] if versions else None
    for version in versions:
        if version.effective_from <= on:
            current = version
        else:
            break
    return current


class HospitalScopedQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(hospital__in=Hospital.objects.visible_to(user))


class ChecklistItem(models.Model):
    """One row of a hospital's 4+N checklist: a standard item (deadline from the plan) or an N
    item of its own (target date stored here)."""

    hospital = models.ForeignKey(
        Hospital,
        verbose_name=_("医疗机构"),
        on_delete=models.CASCADE,
        related_name="security_items",
    )
    kind = models.CharField(_("项目类别"), max_length=20, choices=ItemKind.choices)
    name = models.CharField(_("项目名称"), max_length=100, blank=True)
    description = models.TextField(_("建设内容"), blank=True)
    target_date = models.DateField(_("计划完成日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=ItemStatus.choices, default=ItemStatus.NOT_STARTED
    )
    progress_note = models.TextField(_("进展说明"), blank=True)
    met_on = models.DateField(_("达标日期"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    review_note = models.TextField(_("审核意见"), blank=True)
    submitted_at = models.DateTimeField(_("申报时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = HospitalScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("4+N 项目")
        verbose_name_plural = _("4+N 项目")
        ordering = ["hospital", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["hospital", "kind"],
                condition=~Q(kind="custom"),
                name="uniq_standard_item_per_hospital",
            ),
            models.CheckConstraint(
                condition=~Q(kind="custom") | ~Q(name=""), name="custom_item_has_name"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hospital} · {self.display_name}"

    @property
    def is_custom(self) -> bool:
        return self.kind == ItemKind.CUSTOM

    @property
    def number(self) -> str:
        return ITEM_NUMBERS.get(self.kind, "N")

    @property
    def display_name(self) -> str:
        return self.name if self.is_custom else str(ItemKind(self.kind).label)


def evidence_path(instance, filename: str) -> str:
    return f"security/evidence/{instance.item.hospital_id}/{filename}"


class EvidenceQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(item__hospital__in=Hospital.objects.visible_to(user))


class ItemEvidence(StoredFile):
    item = models.ForeignKey(
        ChecklistItem, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(_("文件"), upload_to=evidence_path, max_length=255)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("4+N 佐证材料")
        verbose_name_plural = _("4+N 佐证材料")
        ordering = ["uploaded_at", "id"]
        # Stored once: core.uploads.existing_upload is the rule, these are the last defence.
        constraints = [
            models.UniqueConstraint(
                fields=["item", "upload_key"],
                condition=~Q(upload_key=""),
                name="security_evidence_once_per_upload_key",
            ),
            models.UniqueConstraint(
                fields=["item", "sha256"],
                condition=~Q(sha256=""),
                name="security_evidence_file_once_per_item",
            ),
        ]


class ItemEvent(models.Model):
    """Audit trail of a checklist item: who did what, when, why."""

    item = models.ForeignKey(ChecklistItem, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(_("操作"), max_length=20, choices=ItemAction.choices)
    from_status = models.CharField(max_length=20, choices=ItemStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ItemStatus.choices, blank=True)
    note = models.TextField(_("说明"), blank=True)
    # The 达标日期 a confirmation recorded, so the history can say when an item was met even
    # after it has been sent back (the item's own met_on is cleared then).
    met_on = models.DateField(_("达标日期"), null=True, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("4+N 项目记录")
        verbose_name_plural = _("4+N 项目记录")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.action}"


class SecurityProfile(models.Model):
    """The hospital's answers for items 1–4 that are one value per hospital."""

    hospital = models.OneToOneField(
        Hospital, on_delete=models.CASCADE, related_name="security_profile"
    )
    # Recorded separately: item 1 counts guards holding the 《国家保安员证》, so a guard without
    # it is on the staff but does not close the shortfall.
    certified_guards = models.PositiveIntegerField(
        _("持《国家保安员证》的专职保安员人数"), default=0
    )
    uncertified_guards = models.PositiveIntegerField(
        _("未持证的专职保安员人数"),
        default=0,
        help_text=_("尚未取得《国家保安员证》的专职保安员,不计入达标人数。"),
    )
    monitoring_centre = models.BooleanField(_("已设立安全监控中心"), default=False)
    monitoring_24h = models.BooleanField(_("监控中心24小时专人值守"), default=False)
    face_installed = models.BooleanField(_("已安装人脸识别系统"), default=False)
    face_linked_police = models.BooleanField(_("已与公安“智慧内保”平台联网"), default=False)
    police_room = models.BooleanField(_("已设立警务室"), default=False)
    police_room_staffed = models.BooleanField(_("警务室已配备警力"), default=False)
    police_room_date = models.DateField(_("警务室设立日期"), null=True, blank=True)
    mediation_room = models.BooleanField(_("已设立医疗纠纷调解室"), default=False)
    mediation_room_staffed = models.BooleanField(_("调解室已指定专人"), default=False)
    mediation_room_date = models.DateField(_("调解室设立日期"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = HospitalScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("安保基本情况")
        verbose_name_plural = _("安保基本情况")

    def __str__(self) -> str:
        return str(self.hospital)

    @property
    def full_time_guards(self) -> int:
        """All full-time guards, certified or not."""
        return self.certified_guards + self.uncertified_guards

    @full_time_guards.setter
    def full_time_guards(self, value: int) -> None:
        # Lets older callers write SecurityProfile(full_time_guards=n, certified_guards=m):
        # Django sets fields first, then properties, so certified_guards is already known.
        self.uncertified_guards = max(int(value or 0) - self.certified_guards, 0)


class GuardPost(models.Model):
    hospital = models.ForeignKey(Hospital, on_delete=models.CASCADE, related_name="guard_posts")
    name = models.CharField(_("岗位名称"), max_length=100)
    area = models.CharField(
        _("区域"), max_length=20, choices=PostArea.choices, default=PostArea.GATE
    )
    guards_on_duty = models.PositiveSmallIntegerField(
        _("每班在岗保安员数"), default=1, validators=[MinValueValidator(1)]
    )
    helmets = models.PositiveSmallIntegerField(_("防爆头盔"), default=0)
    shields = models.PositiveSmallIntegerField(_("防护盾牌"), default=0)
    stab_vests = models.PositiveSmallIntegerField(_("防刺背心"), default=0)
    cut_gloves = models.PositiveSmallIntegerField(_("防割手套"), default=0)
    batons = models.PositiveSmallIntegerField(_("橡胶警棍"), default=0)
    flashlights = models.PositiveSmallIntegerField(_("强光电筒"), default=0)
    sprays = models.PositiveSmallIntegerField(_("自卫喷雾剂"), default=0)
    radios = models.PositiveSmallIntegerField(_("对讲机"), default=0)
    forks = models.PositiveSmallIntegerField(_("平安钢叉"), default=0)

    objects = HospitalScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("保安岗位")
        verbose_name_plural = _("保安岗位")
        ordering = ["hospital", "id"]

    def __str__(self) -> str:
        return self.name


class Entrance(models.Model):
    hospital = models.ForeignKey(Hospital, on_delete=models.CASCADE, related_name="entrances")
    name = models.CharField(_("出入口名称"), max_length=100)
    walk_through_gates = models.PositiveSmallIntegerField(_("安检门(台)"), default=0)
    xray_machines = models.PositiveSmallIntegerField(_("X光检测仪(台)"), default=0)
    wands = models.PositiveSmallIntegerField(_("手持安检棒(支)"), default=0)

    objects = HospitalScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("主要出入口")
        verbose_name_plural = _("主要出入口")
        ordering = ["hospital", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def missing(self) -> list[str]:
        labels = []
        if not self.walk_through_gates:
            labels.append(str(_("安检门")))
        if not self.xray_machines:
            labels.append(str(_("X光检测仪")))
        if not self.wands:
            labels.append(str(_("手持安检棒")))
        return labels


class AlarmPoint(models.Model):
    hospital = models.ForeignKey(Hospital, on_delete=models.CASCADE, related_name="alarm_points")
    location = models.CharField(_("安装位置"), max_length=100)
    networked = models.BooleanField(_("已与监控中心联网"), default=False)

    objects = HospitalScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("一键报警点")
        verbose_name_plural = _("一键报警点")
        ordering = ["hospital", "id"]

    def __str__(self) -> str:
        return self.location


class VideoSystem(models.Model):
    hospital = models.ForeignKey(Hospital, on_delete=models.CASCADE, related_name="video_systems")
    name = models.CharField(_("系统/部位"), max_length=100)
    cameras = models.PositiveIntegerField(_("摄像头数量"), default=0)
    retention_days = models.PositiveSmallIntegerField(_("录像保存天数"), default=0)

    objects = HospitalScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("视频监控系统")
        verbose_name_plural = _("视频监控系统")
        ordering = ["hospital", "id"]

    def __str__(self) -> str:
        return self.name


class AlarmDrill(models.Model):
    """One-key alarm drill: seconds from pressing the button to the first responder arriving."""

    hospital = models.ForeignKey(Hospital, on_delete=models.CASCADE, related_name="alarm_drills")
    date = models.DateField(_("演练日期"))
    alarm_point = models.ForeignKey(
        AlarmPoint,
        verbose_name=_("报警点"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="drills",
    )
    response_seconds = models.PositiveIntegerField(
        _("响应时间(秒)"),
        validators=[MinValueValidator(1), MaxValueValidator(3600)],
        help_text=_("从按下报警按钮到第一名处置人员到场的秒数。"),
    )
    notes = models.TextField(_("备注"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = HospitalScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("一键报警演练")
        verbose_name_plural = _("一键报警演练")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.hospital} {self.date}"


class EmergencyDrill(models.Model):
    hospital = models.ForeignKey(
        Hospital, on_delete=models.CASCADE, related_name="emergency_drills"
    )
    date = models.DateField(_("演练日期"))
    scenario = models.CharField(_("演练科目"), max_length=20, choices=DrillScenario.choices)
    title = models.CharField(_("演练名称"), max_length=150, blank=True)
    location = models.CharField(_("演练地点"), max_length=100, blank=True)
    participants = models.PositiveIntegerField(_("参演人数"), default=0)
    police_involved = models.BooleanField(_("公安机关参与"), default=False)
    duration_minutes = models.PositiveIntegerField(_("演练时长(分钟)"), null=True, blank=True)
    response_seconds = models.PositiveIntegerField(
        _("响应时间(秒)"), null=True, blank=True, help_text=_("从发出警情到处置力量到场的秒数。")
    )
    summary = models.TextField(_("演练情况"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = HospitalScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("应急演练")
        verbose_name_plural = _("应急演练")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return self.title or f"{self.get_scenario_display()} {self.date}"


class DrillFinding(models.Model):
    """A problem a drill revealed; it may be raised as a hazard (source: drill)."""

    drill = models.ForeignKey(EmergencyDrill, on_delete=models.CASCADE, related_name="findings")
    description = models.TextField(_("发现问题"))
    hazard = models.ForeignKey(
        "hazards.Hazard",
        verbose_name=_("登记的隐患"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("演练发现问题")
        verbose_name_plural = _("演练发现问题")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description[:50]


class HalfYearReport(models.Model):
    """每半年报送: the hospital's 4+N progress for a half-year, frozen at submission."""

    hospital = models.ForeignKey(
        Hospital,
        verbose_name=_("医疗机构"),
        on_delete=models.CASCADE,
        related_name="security_reports",
    )
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(2020), MaxValueValidator(2100)]
    )
    half = models.PositiveSmallIntegerField(_("半年"), choices=Half.choices)
    status = models.CharField(
        _("状态"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    progress = models.TextField(_("工作进展"), blank=True)
    problems = models.TextField(_("存在问题"), blank=True)
    next_steps = models.TextField(_("下一步计划"), blank=True)
    snapshot = models.JSONField(_("清单快照"), default=dict, blank=True, editable=False)
    addressed_to = models.JSONField(_("报送对象"), default=dict, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报送人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = HospitalScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("4+N 半年进展报告")
        verbose_name_plural = _("4+N 半年进展报告")
        ordering = ["-year", "-half", "hospital"]
        constraints = [
            models.UniqueConstraint(
                fields=["hospital", "year", "half"], name="uniq_half_year_report"
            )
        ]

    def __str__(self) -> str:
        return f"{self.hospital} {self.period_label}"

    @property
    def period_label(self) -> str:
        return f"{self.year}{Half(self.half).label}"

    @property
    def is_submitted(self) -> bool:
        return self.status == ReportStatus.SUBMITTED
