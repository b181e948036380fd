from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("县/区")


class HospitalLevel(models.TextChoices):
    LEVEL_1 = "1", _("一级")
    LEVEL_2 = "2", _("二级")
    LEVEL_3 = "3", _("三级")
    UNRATED = "0", _("未定级")


class HospitalType(models.TextChoices):
    GENERAL = "general", _("综合医院")
    TCM = "tcm", _("中医医院")
    MATERNAL_CHILD = "maternal_child", _("妇幼保健院")
    SPECIALIST = "specialist", _("专科医院")
    COMMUNITY = "community", _("社区卫生服务中心")
    TOWNSHIP = "township", _("乡镇卫生院")


class Ownership(models.TextChoices):
    PUBLIC = "public", _("公立")
    PRIVATE = "private", _("民营")


class Demonstration(models.TextChoices):
    NONE = "", _("否")
    CITY = "city", _("市级示范单位")
    SYSTEM = "system", _("系统示范单位")


class InspectionDayShift(models.TextChoices):
    """What happens when the 15th / 26th falls on a weekend or a statutory holiday."""

    KEEP = "keep", _("保持原日期")
    NEXT_WORKDAY = "next_workday", _("顺延至下一个工作日")
