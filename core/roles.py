"""The roles a user can hold: the vocabulary `core.permissions` checks.

Here, at the bottom layer, so that `hospitals` (whose scoping rules and pages depend on the
role) need not import `accounts`, which sits above it (the user points at regions and
hospitals). `accounts.choices.Role` is this same class.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    BUREAU = "bureau", _("卫健局工作人员")
    OFFICER = "officer", _("医院安全管理员")
    ADMIN = "admin", _("管理员")
