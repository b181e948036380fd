from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.fields import EncryptedCharField
from core.regions import subtree_q

from .choices import (
    Demonstration,
    HospitalLevel,
    HospitalType,
    InspectionDayShift,
    Ownership,
    RegionLevel,
)
from .validators import normalize_credit_code, validate_credit_code

# Region settings a county inherits from its city (and a city from its province) unless it sets
# its own. Read them with `Region.setting(name)`, never the raw field.
REGION_SETTING_DEFAULTS = {
    "self_inspection_day": 15,
    "linked_inspection_day": 26,
    "hazard_reminder_days": "3,1",
    "overdue_repeat_days": 7,
    "inspection_reminder_days": "1",
    "security_reminder_days": "30,7",
    # Keeping the date is what the seeds' plans say literally; a region opts into moving it.
    "inspection_day_shift": "keep",
}


def within(region: Region | str, prefix: str = "") -> Q:
    """THE region subtree rule: rows in `region` or below it (a region or its materialised path).

    `prefix` is the lookup from the queried model to a Region: "" for regions themselves,
    "region" for anything with a region, "hospital__region" for a hospital's records, etc.
    """
    path = region if isinstance(region, str) else region.path
    return subtree_q(path, f"{prefix}__path" if prefix else "path")


def _is_bureau_side(user) -> bool:
    # getattr: the scoping rules also receive anonymous users, which have no role.
    return bool(getattr(user, "is_bureau_side", False))


def _is_officer(user) -> bool:
    return bool(getattr(user, "is_officer", False))


class RegionQuerySet(models.QuerySet):
    def visible_to(self, user) -> RegionQuerySet:
        """Regions a user may see: their region and everything below it."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        if _is_bureau_side(user) and user.region_id:
            return self.filter(within(user.region))
        if _is_officer(user) and user.hospital_id:
            return self.filter(pk=user.hospital.region_id)
        return self.none()

    def within(self, region: Region) -> RegionQuerySet:
        return self.filter(within(region))


class Region(models.Model):
    name = models.CharField(_("名称"), max_length=100)
    code = models.CharField(
        _("简称代码"),
        max_length=10,
        unique=True,
        help_text=_("用于隐患编号等,如 JJ(晋江)。大写字母或数字。"),
    )
    level = models.CharField(_("层级"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path "/1/5/12/" so "this region and below" is one indexed prefix query.
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")

    self_inspection_day = models.PositiveSmallIntegerField(
        _("自查日(每月几号)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text=_("留空则沿用上级区域设置,默认15号。"),
    )
    linked_inspection_day = models.PositiveSmallIntegerField(
        _("挂钩科室检查日(每月几号)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text=_("留空则沿用上级区域设置,默认26号。"),
    )
    inspection_day_shift = models.CharField(
        _("检查日遇周末或法定节假日"),
        max_length=20,
        blank=True,
        choices=InspectionDayShift.choices,
        help_text=_(
            "按国务院公布的节假日和调休安排判断工作日。留空则沿用上级区域设置,默认保持原日期。"
        ),
    )
    hazard_reminder_days = models.CharField(
        _("隐患到期提前提醒天数"),
        max_length=50,
        blank=True,
        help_text=_("逗号分隔,如 3,1。留空则沿用上级区域设置。"),
    )
    overdue_repeat_days = models.PositiveSmallIntegerField(
        _("逾期重复提醒间隔(天)"), null=True, blank=True
    )
    inspection_reminder_days = models.CharField(_("检查日提前提醒天数"), max_length=50, blank=True)
    security_reminder_days = models.CharField(_("4+N 期限提前提醒天数"), max_length=50, blank=True)
    # Inherited downwards: a region requires SSO when it or any ancestor does (requires_sso).
    sso_required = models.BooleanField(
        _("要求单点登录"),
        default=False,
        help_text=_(
            "勾选后,本区域及下级区域(含其医疗机构)的用户不能再用密码登录,须使用单点登录。"
            "超级管理员和应急账号不受限制。"
        ),
    )

    objects = RegionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("区域")
        verbose_name_plural = _("区域")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # Keeping the path in step with the parent is structural integrity, not business logic.
        old_path = self.path
        super().save(*args, **kwargs)
        new_path = f"{self.parent.path if self.parent_id else '/'}{self.pk}/"
        if new_path != old_path:
            Region.objects.filter(pk=self.pk).update(path=new_path)
            self.path = new_path
            if old_path:
                for child in Region.objects.filter(within(old_path)).exclude(pk=self.pk):
                    Region.objects.filter(pk=child.pk).update(
                        path=new_path + child.path[len(old_path) :]
                    )

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this region itself, read off the materialised path."""
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def ancestors_and_self(self) -> list[Region]:
        """Nearest first: self, parent, grandparent … in one query."""
        ids = self.ancestor_ids
        by_id = Region.objects.in_bulk(ids)
        return [by_id[pk] for pk in reversed(ids) if pk in by_id]

    def setting(self, name: str):
        """A region setting, inherited from the nearest ancestor that sets it, else the default."""
        default = REGION_SETTING_DEFAULTS[name]
        for region in self.ancestors_and_self():
            value = getattr(region, name)
            if value not in (None, ""):
                return value
        return default

    def setting_days(self, name: str) -> list[int]:
        """A comma-separated day-offset setting as sorted ints (largest first)."""
        raw = str(self.setting(name))
        days = {int(part) for part in raw.replace(",", ",").split(",") if part.strip().isdigit()}
        return sorted(days, reverse=True)

    def requires_sso(self) -> bool:
        """Whether this region or one of its ancestors requires single sign-on (one query)."""
        return Region.objects.filter(pk__in=self.ancestor_ids, sso_required=True).exists()

    def contains(self, other: Region) -> bool:
        """Whether `other` is this region or lies below it (the subtree rule, in Python)."""
        return other.path.startswith(self.path)

    def descendants_and_self(self) -> RegionQuerySet:
        return Region.objects.within(self)


class RegionOwnedQuerySet(models.QuerySet):
    """Departments and consortia: visible when their region is."""

    def visible_to(self, user):
        return self.filter(region__in=Region.objects.visible_to(user))


class BureauDepartment(models.Model):
    """挂钩科室: a bureau department that inspects its linked institutions on the 26th."""

    region = models.ForeignKey(
        Region, verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="departments"
    )
    name = models.CharField(_("科室名称"), max_length=100)

    objects = RegionOwnedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("挂钩科室")
        verbose_name_plural = _("挂钩科室")
        ordering = ["region__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="uniq_department_per_region")
        ]

    def __str__(self) -> str:
        return self.name


class MedicalConsortium(models.Model):
    """医共体."""

    region = models.ForeignKey(
        Region, verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="consortia"
    )
    name = models.CharField(_("医共体名称"), max_length=100, unique=True)

    objects = RegionOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("医共体")
        verbose_name_plural = _("医共体")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class HospitalQuerySet(models.QuerySet):
    def visible_to(self, user) -> HospitalQuerySet:
        """THE scoping rule: bureau staff and administrators see their region and below;
        a hospital officer sees only their own hospital; anyone else sees nothing."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        if _is_bureau_side(user) and user.region_id:
            return self.filter(within(user.region, "region"))
        if _is_officer(user) and user.hospital_id:
            return self.filter(pk=user.hospital_id)
        return self.none()

    def active(self) -> HospitalQuerySet:
        return self.filter(is_active=True)

    def in_region(self, region: Region) -> HospitalQuerySet:
        return self.filter(within(region, "region"))


class Hospital(models.Model):
    name = models.CharField(_("机构名称"), max_length=200)
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    level = models.CharField(_("医院等级"), max_length=2, choices=HospitalLevel.choices)
    type = models.CharField(_("机构类型"), max_length=20, choices=HospitalType.choices)
    ownership = models.CharField(_("所有制"), max_length=10, choices=Ownership.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="hospitals"
    )
    address = models.CharField(_("地址"), max_length=255, blank=True)
    beds_authorized = models.PositiveIntegerField(_("编制床位"), default=0)
    beds_actual = models.PositiveIntegerField(_("实有床位"), default=0)
    on_duty_staff = models.PositiveIntegerField(_("在岗医务人员数"), default=0)
    daily_outpatients = models.PositiveIntegerField(_("日均门诊量"), default=0)
    consortium = models.ForeignKey(
        MedicalConsortium,
        verbose_name=_("所属医共体"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    is_consortium_lead = models.BooleanField(_("医共体牵头单位"), default=False)
    demonstration = models.CharField(
        _("示范单位"), max_length=10, choices=Demonstration.choices, blank=True, default=""
    )
    linked_department = models.ForeignKey(
        BureauDepartment,
        verbose_name=_("挂钩科室"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="linked_hospitals",
    )
    legal_representative = models.CharField(
        _("安全生产第一责任人(法定代表人)"), max_length=50, blank=True
    )
    actual_controller = models.CharField(
        _("实际控制人"), max_length=50, blank=True, help_text=_("民营机构必填。")
    )
    security_head = models.CharField(_("保卫科负责人"), max_length=50, blank=True)
    security_head_phone = EncryptedCharField(_("保卫科负责人电话"), max_length=30, blank=True)
    contact_person = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = EncryptedCharField(_("联系电话"), max_length=30, blank=True)
    is_active = models.BooleanField(_("在用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = HospitalQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("医疗卫生机构")
        verbose_name_plural = _("医疗卫生机构")
        ordering = ["region__path", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_consortium_lead=False) | Q(consortium__isnull=False),
                name="consortium_lead_needs_consortium",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        self.credit_code = normalize_credit_code(self.credit_code)
        errors = {}
        if self.ownership == Ownership.PRIVATE and not self.actual_controller.strip():
            errors["actual_controller"] = _("民营机构须填写实际控制人。")
        if self.is_consortium_lead and not self.consortium_id:
            errors["is_consortium_lead"] = _("牵头单位须先选择所属医共体。")
        if errors:
            raise ValidationError(errors)

    @property
    def is_level_two_or_above(self) -> bool:
        return self.level in (HospitalLevel.LEVEL_2, HospitalLevel.LEVEL_3)


def hospitals_visible_to(user) -> HospitalQuerySet:
    return Hospital.objects.visible_to(user)


def regions_visible_to(user) -> RegionQuerySet:
    return Region.objects.visible_to(user)


__all__ = [
    "BureauDepartment",
    "Hospital",
    "MedicalConsortium",
    "Region",
    "hospitals_visible_to",
    "regions_visible_to",
]


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("导入中")
    SUCCEEDED = "succeeded", _("导入成功")
    FAILED = "failed", _("导入失败")


class HospitalImportQuerySet(models.QuerySet):
    def visible_to(self, user) -> HospitalImportQuerySet:
        """An import is its uploader's (a superuser sees every one)."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(created_by=user)


def import_upload_to(instance, filename: str) -> str:
    return f"imports/{filename}"


class HospitalImport(models.Model):
    """One Excel import of the registry, run by a Celery worker (hospitals.run_import) so the
    web request returns at once; the page polls it for progress and the result."""

    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("导入人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    file = models.FileField(upload_to=import_upload_to, max_length=255, blank=True)
    original_name = models.CharField(_("文件名"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    rows_read = models.PositiveIntegerField(_("已读取行数"), default=0)
    created_count = models.PositiveIntegerField(_("新增机构数"), default=0)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)
    errors = models.JSONField(_("错误清单"), default=list, blank=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = HospitalImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("医疗机构导入")
        verbose_name_plural = _("医疗机构导入")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.SUCCEEDED, ImportStatus.FAILED)
