"""Choices shared by hazards and the apps that raise hazards (inspections, security)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    """The seven checklist domains of seed 001, plus other. Checklist sections map onto these."""

    FIRE = "fire", _("消防安全")
    LOGISTICS = "logistics", _("后勤安全")
    HAZMAT = "hazmat", _("危化品安全")
    SPECIAL_EQUIPMENT = "special_equipment", _("特种设备安全")
    MEDICAL = "medical", _("医疗安全")
    SECURITY = "security", _("安保队伍力量")
    TRAINING = "training", _("安全教育培训")
    OTHER = "other", _("其他")


class RiskLevel(models.TextChoices):
    GENERAL = "general", _("一般隐患")
    MAJOR = "major", _("重大隐患")


class Source(models.TextChoices):
    """How a hazard was found. Together with who raised it, this decides who accepts it."""

    SELF_INSPECTION = "self_inspection", _("医院自查")
    LINKED_DEPARTMENT = "linked_department", _("挂钩科室检查")
    JOINT = "joint", _("联合检查")
    UNANNOUNCED = "unannounced", _("四不两直检查")
    SPOT_CHECK = "spot_check", _("抽查")
    RECHECK = "recheck", _("复查")
    SUPERVISION = "supervision", _("督查")
    REPORT = "report", _("举报/报告")
    DRILL = "drill", _("应急演练发现")
    OTHER = "other", _("其他")
