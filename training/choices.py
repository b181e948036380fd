"""Kinds, certificate types and letter levels: one source of truth (seed 001 (七), 三、五(二))."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# 每年开展两次以上全员安全生产培训 (seed 001 (七)).
ALL_STAFF_MIN_PER_YEAR = 2
# A certificate is "due soon" this many days before it lapses; the reminder scan sends once
# when a certificate enters each window and once when it has lapsed.
CERTIFICATE_REMINDER_DAYS = (30, 7)
# A certificate that lapsed longer ago than this is on the list, not a fresh reminder.
CERTIFICATE_LAPSED_LOOKBACK_DAYS = 30


class SessionKind(models.TextChoices):
    ALL_STAFF = "all_staff", _("全员安全生产培训")
    NEW_STAFF = "new_staff", _("新进员工安全培训")
    SPECIAL = "special", _("特种作业人员培训")
    FIRE_FOUR = "fire_four", _("消防安全“四个能力”培训")
    GUIDE = "guide", _("《指南》学习培训")


class FileKind(models.TextChoices):
    PHOTO = "photo", _("培训照片")
    SIGN_IN = "sign_in", _("签到表")


class CertificateType(models.TextChoices):
    POWER = "power", _("配电(电工作业)")
    BOILER = "boiler", _("锅炉")
    PRESSURE = "pressure", _("压力容器")
    ELEVATOR = "elevator", _("电梯")
    FIRE_CONTROL = "fire_control", _("消防控制室")


class LetterLevel(models.TextChoices):
    BUREAU_HOSPITAL = "bureau_hospital", _("卫健局—医院")
    HOSPITAL_DEPARTMENT = "hospital_department", _("医院—科室")
    DEPARTMENT_POST = "department_post", _("科室—岗位")


class CertificateState(models.TextChoices):
    VALID = "valid", _("有效")
    DUE_SOON = "due_soon", _("即将到期")
    LAPSED = "lapsed", _("已过期")


CERTIFICATE_STATE_COLOURS = {
    CertificateState.VALID: "success",
    CertificateState.DUE_SOON: "warning",
    CertificateState.LAPSED: "danger",
}
