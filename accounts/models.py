from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.fields import EncryptedCharField
from core.roles import DUTY_ROLES, REGION_ROLES, SUPERUSER_GRANTS, user_manager_roles
from hospitals.models import within

from .choices import Role


class UserQuerySet(models.QuerySet):
    def visible_to(self, user) -> UserQuerySet:
        """Users an administrator may manage: those bound to their region or its hospitals."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        if (user.is_bureau_side or user.is_security_admin) and user.region_id:
            return self.filter(
                within(user.region, "region") | within(user.region, "hospital__region")
            )
        return self.filter(pk=user.pk)

    def manageable_by(self, actor) -> UserQuerySet:
        """THE accounts `actor` manages (user pages, API credentials, SSO bindings, 2FA
        resets): the user managers' (core.roles.user_manager_roles) region and below, never a
        superuser's account and never another security or audit administrator's (only the
        superuser manages those: whoever could reset an auditor's password could read the log
        as the auditor). Nobody else manages any account."""
        if not getattr(actor, "is_authenticated", False) or not actor.is_active:
            return self.none()
        if actor.is_superuser:
            return self.all()
        if not actor.can_manage_users:
            return self.none()
        return (
            self.visible_to(actor)
            .exclude(is_superuser=True)
            .exclude(Q(role__in=SUPERUSER_GRANTS) & ~Q(pk=actor.pk))
        )

    def with_role(self, role: str) -> UserQuerySet:
        return self.filter(role=role, is_active=True)


class ScopedUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    role = models.CharField(_("角色"), max_length=10, choices=Role.choices, blank=True)
    region = models.ForeignKey(
        "hospitals.Region",
        verbose_name=_("所属区域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    hospital = models.ForeignKey(
        "hospitals.Hospital",
        verbose_name=_("所属医疗机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    department = models.ForeignKey(
        "hospitals.BureauDepartment",
        verbose_name=_("挂钩科室"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff",
    )
    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = EncryptedCharField(_("手机号"), max_length=20, blank=True)
    # Failed logins since the last successful one, shown to the user when they next log in.
    failed_logins = models.PositiveIntegerField(_("登录失败次数"), default=0, editable=False)
    last_failed_login_at = models.DateTimeField(_("最近登录失败时间"), null=True, editable=False)
    last_failed_login_ip = models.GenericIPAddressField(
        _("最近登录失败地址"), null=True, editable=False
    )

    # Password policy (accounts.passwords): when the password was last set, and whether the
    # user must choose a new one before going on (an administrator set it).
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, editable=False)
    must_change_password = models.BooleanField(_("须修改密码"), default=False, editable=False)

    objects = ScopedUserManager()
    history = HistoricalRecords(
        excluded_fields=[
            "password",
            "password_changed_at",
            "must_change_password",
            "last_login",
            "failed_logins",
            "last_failed_login_at",
            "last_failed_login_ip",
        ]
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role="")
                | Q(
                    role__in=["bureau", "admin", "secadmin", "auditor"],
                    region__isnull=False,
                    hospital__isnull=True,
                )
                | Q(role="officer", hospital__isnull=False),
                name="user_role_binding",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    @property
    def is_bureau(self) -> bool:
        return self.role == Role.BUREAU

    @property
    def is_officer(self) -> bool:
        return self.role == Role.OFFICER

    @property
    def is_region_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_security_admin(self) -> bool:
        """安全管理员: manages the accounts of their region and nothing else."""
        return self.role == Role.SECADMIN

    @property
    def is_audit_admin(self) -> bool:
        """审计管理员: reads the audit log of their region and nothing else."""
        return self.role == Role.AUDITOR

    @property
    def has_separate_duty(self) -> bool:
        """A security or audit administrator: sees no records of the bureau or the hospitals."""
        return self.role in DUTY_ROLES

    @property
    def can_manage_users(self) -> bool:
        return self.is_superuser or self.role in user_manager_roles()

    @property
    def is_bureau_side(self) -> bool:
        """Bureau staff and administrators act for the health bureau."""
        return self.role in (Role.BUREAU, Role.ADMIN)

    def clean(self):
        super().clean()
        errors = {}
        if self.is_superuser and self.role:
            # The superuser is the break-glass system account, not a fourth duty.
            errors["role"] = _("超级用户是系统应急账号,不担任任何角色。")
        if self.role in REGION_ROLES:
            if not self.region_id:
                errors["region"] = _("卫健局工作人员和管理员须指定所属区域。")
            if self.hospital_id:
                errors["hospital"] = _("卫健局工作人员和管理员不绑定医疗机构。")
        if self.is_officer and not self.hospital_id:
            errors["hospital"] = _("医院安全管理员须指定所属医疗机构。")
        if self.department_id and not self.is_bureau:
            errors["department"] = _("只有卫健局工作人员可以属于挂钩科室。")
        if errors:
            raise ValidationError(errors)
