from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    BUREAU = "bureau", _("卫健局工作人员")
    OFFICER = "officer", _("医院安全管理员")
    ADMIN = "admin", _("管理员")
