"""The roles a user can hold: the vocabulary `core.permissions` checks.

Here, at the bottom layer, so that `hospitals` (whose scoping rules and pages depend on the
role) need not import `accounts`, which sits above it (the user points at regions and
hospitals). `accounts.choices.Role` is this same class.

Three administrator duties are kept apart (等保 8.1.4.2, separation of duties): `admin` is the
system administrator (regions, hospitals, checklists, deadlines, reports), `secadmin` manages
accounts and their roles, `auditor` only reads the audit log. A user holds exactly one role
(one field), so nobody holds two duties. With `ADMIN_DUTIES_SEPARATED` off (small
deployments), the system administrator manages accounts as well.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    BUREAU = "bureau", _("卫健局工作人员")
    OFFICER = "officer", _("医院安全管理员")
    ADMIN = "admin", _("管理员")
    SECADMIN = "secadmin", _("安全管理员(账号与权限)")
    AUDITOR = "auditor", _("审计管理员")


# Roles bound to a region (and to no hospital).
REGION_ROLES = (Role.BUREAU, Role.ADMIN, Role.SECADMIN, Role.AUDITOR)
# The two duties that see no records of the bureau or the hospitals at all.
DUTY_ROLES = (Role.SECADMIN, Role.AUDITOR)
# The roles only a superuser (the break-glass system account) may grant: a security
# administrator who could make auditors could audit himself.
SUPERUSER_GRANTS = (Role.SECADMIN, Role.AUDITOR)


def user_manager_roles() -> tuple[str, ...]:
    """The roles allowed to manage accounts: the security administrator, and the system
    administrator too when the duties are not separated (ADMIN_DUTIES_SEPARATED=0)."""
    if getattr(settings, "ADMIN_DUTIES_SEPARATED", True):
        return (Role.SECADMIN,)
    return (Role.SECADMIN, Role.ADMIN)
