"""Choices of the 4+N plan: one source of truth for keys, labels and badge colours."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemKind(models.TextChoices):
    """The standard items. Item 3 has two parts with two deadlines (alarm 2022, face 2023), so it
    is two checklist rows that together make item 3. N items are CUSTOM."""

    GUARDS = "guards", _("配备专职保安员")
    SCREENING = "screening", _("配备安检器材")
    ALARM = "alarm", _("一键报警系统")
    FACE = "face", _("人脸识别系统")
    POLICE_ROOM = "police_room", _("设立警务室和调解室")
    CUSTOM = "custom", _("N 项(自选)")


STANDARD_KINDS = [
    ItemKind.GUARDS,
    ItemKind.SCREENING,
    ItemKind.ALARM,
    ItemKind.FACE,
    ItemKind.POLICE_ROOM,
]

# The number printed before each standard item ("3" has two parts).
ITEM_NUMBERS: dict[str, str] = {
    ItemKind.GUARDS: "1",
    ItemKind.SCREENING: "2",
    ItemKind.ALARM: "3-1",
    ItemKind.FACE: "3-2",
    ItemKind.POLICE_ROOM: "4",
}

# The four plan items as the bureau reports them; item 3 is met when both its parts are met.
PLAN_ITEMS = [
    ("1", _("专职保安员"), [ItemKind.GUARDS]),
    ("2", _("安检器材"), [ItemKind.SCREENING]),
    ("3", _("人脸识别和一键报警"), [ItemKind.ALARM, ItemKind.FACE]),
    ("4", _("警务室和调解室"), [ItemKind.POLICE_ROOM]),
]


class ItemStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("未启动")
    IN_PROGRESS = "in_progress", _("建设中")
    PENDING = "pending", _("待确认")
    MET = "met", _("已达标")


STATUS_COLOURS: dict[str, str] = {
    ItemStatus.NOT_STARTED: "secondary",
    ItemStatus.IN_PROGRESS: "warning",
    ItemStatus.PENDING: "info",
    ItemStatus.MET: "success",
}

STATUS_ICONS: dict[str, str] = {
    ItemStatus.NOT_STARTED: "bi-circle",
    ItemStatus.IN_PROGRESS: "bi-hourglass-split",
    ItemStatus.PENDING: "bi-send-check",
    ItemStatus.MET: "bi-check-circle-fill",
}


class ItemAction(models.TextChoices):
    CREATED = "created", _("创建")
    PROGRESS = "progress", _("更新进度")
    SUBMITTED = "submitted", _("申报达标")
    CONFIRMED = "confirmed", _("确认达标")
    SENT_BACK = "sent_back", _("退回")
    EVIDENCE_ADDED = "evidence_added", _("上传佐证")
    EVIDENCE_REMOVED = "evidence_removed", _("删除佐证")
    EDITED = "edited", _("修改内容")


class PostArea(models.TextChoices):
    GATE = "gate", _("门卫值班室")
    OUTPATIENT = "outpatient", _("门(急)诊")
    INPATIENT = "inpatient", _("住院部")
    WAITING = "waiting", _("候诊区")
    PAYMENT = "payment", _("缴费区")
    PARKING = "parking", _("停车场")
    OTHER = "other", _("其他")


class DrillScenario(models.TextChoices):
    ANTI_TERROR = "anti_terror", _("反恐防暴")
    KNIFE_ATTACK = "knife_attack", _("持刀伤医处置")
    FIRE = "fire", _("消防疏散")
    ELEVATOR = "elevator", _("电梯困人救援")
    PRESSURE_VESSEL = "pressure_vessel", _("压力容器泄漏")
    OTHER = "other", _("其他")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已报送")


class Half(models.IntegerChoices):
    FIRST = 1, _("上半年")
    SECOND = 2, _("下半年")
