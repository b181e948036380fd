"""User management actions taken by administrators. Each records who did it (simple_history)."""

from __future__ import annotations

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError, NotAllowed
from core.roles import SUPERUSER_GRANTS

from .models import User


class UserManagementError(DomainError):
    """A user-management action that is not allowed; the message is shown to the actor."""


def _stamp(user: User, by: User) -> None:
    user._history_user = by  # type: ignore[attr-defined]  # simple_history's hook, untyped


def _check_manager(*, user: User, by: User) -> None:
    """Only the user managers (core.roles.user_manager_roles) manage accounts; the security
    and audit administrator accounts are the superuser's to manage (separation of duties)."""
    if not by.can_manage_users:
        raise NotAllowed(_("只有安全管理员可以管理账号。"))
    if by.is_superuser:
        return
    if user.is_superuser:
        raise NotAllowed(_("超级用户账号不能在此管理。"))
    if user.role in SUPERUSER_GRANTS and user.pk != by.pk:
        raise NotAllowed(_("安全管理员和审计管理员账号只能由超级用户管理。"))


@transaction.atomic
def user_save(*, user: User, by: User, password: str | None = None) -> User:
    """Create (with an initial password) or update a user after full validation. A password
    set by an administrator must be changed by its user at the next login. Nobody changes
    their own role, and only the superuser grants the security or audit duty."""
    _check_manager(user=user, by=by)
    if user.pk:
        stored_role = User.objects.filter(pk=user.pk).values_list("role", flat=True).first()
        if user.pk == by.pk and stored_role != user.role:
            raise UserManagementError(_("不能更改自己的角色。"), field="role")
        if stored_role in SUPERUSER_GRANTS and user.pk != by.pk and not by.is_superuser:
            raise NotAllowed(_("安全管理员和审计管理员账号只能由超级用户管理。"))
    if user.is_superuser and not by.is_superuser:
        raise NotAllowed(_("超级用户账号不能在此管理。"))
    if password is not None:
        user.set_password(password)
        user.must_change_password = user.pk != by.pk
    user.full_clean()
    _stamp(user, by)
    user.save()
    return user


@transaction.atomic
def user_set_active(*, user: User, active: bool, by: User) -> User:
    _check_manager(user=user, by=by)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.pk == by.pk and not active:
        raise UserManagementError(_("不能停用自己的账号。"))
    if user.is_active != active:
        user.is_active = active
        _stamp(user, by)
        user.save(update_fields=["is_active"])
    return user


@transaction.atomic
def user_set_password(*, user: User, password: str, by: User) -> User:
    """The password has already passed the validators (AdminSetPasswordForm). A new password
    also lifts a lockout caused by failed logins; the user must change it at the next login
    (only they should know their password)."""
    _check_manager(user=user, by=by)
    user = User.objects.select_for_update().get(pk=user.pk)
    user.set_password(password)
    user.must_change_password = user.pk != by.pk
    _stamp(user, by)
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    user_unlock(user=user, by=by)
    return user


def user_is_locked_out(user: User) -> bool:
    """Whether django-axes currently blocks this username after repeated failed logins."""

    cutoff = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(
        username=user.username,
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        attempt_time__gte=cutoff,
    ).exists()


def user_unlock(*, user: User, by: User) -> int:
    """Clear failed-login records for the username (an administrator vouches for the user)."""
    _check_manager(user=user, by=by)

    return reset(username=user.username)


@transaction.atomic
def user_change_own_password(*, user: User, password: str) -> User:
    """The user chose a new password themselves (validated by the change form)."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    locked.set_password(password)
    locked.must_change_password = False
    locked.save(update_fields=["password", "password_changed_at", "must_change_password"])
    user.password = locked.password
    user.password_changed_at = locked.password_changed_at
    user.must_change_password = False
    return user
