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
    # 第三方安全生产技术顾问 (seed 000): counted apart from the bureau's own inspections.
    THIRD_PARTY = "third_party", _("第三方技术顾问检查")
    OTHER = "other", _("其他")


# Sources where the bureau is the side that found the hazard, whoever typed it in.
BUREAU_SOURCES = frozenset(
    {
        Source.LINKED_DEPARTMENT,
        Source.JOINT,
        Source.UNANNOUNCED,
        Source.SPOT_CHECK,
        Source.RECHECK,
        Source.SUPERVISION,
    }
)


class Status(models.TextChoices):
    PENDING = "pending", _("待整改")
    IN_PROGRESS = "in_progress", _("整改中")
    PENDING_ACCEPTANCE = "pending_acceptance", _("待验收")
    CLOSED = "closed", _("已销号")


OPEN_STATUSES = (Status.PENDING, Status.IN_PROGRESS, Status.PENDING_ACCEPTANCE)

STATUS_BADGES = {
    Status.PENDING: "secondary",
    Status.IN_PROGRESS: "primary",
    Status.PENDING_ACCEPTANCE: "warning",
    Status.CLOSED: "success",
}


class RectificationMode(models.TextChoices):
    IMMEDIATE = "immediate", _("立查立改")
    DEADLINE = "deadline", _("限时整改")


class FoundSide(models.TextChoices):
    """The side that found the hazard; it accepts (验收) the rectification."""

    HOSPITAL = "hospital", _("医院自查发现")
    BUREAU = "bureau", _("卫健局检查发现")


class SupervisionLevel(models.TextChoices):
    """分级挂牌督办."""

    PROVINCE = "province", _("省级挂牌督办")
    CITY = "city", _("市级挂牌督办")
    COUNTY = "county", _("县级挂牌督办")


# 挂牌督办 level → the rank of the lowest region level whose bureau may act on the listed hazard
# (county 0, city 1, province 2), and each region level's rank. Used by
# services.bureau_authority_region (one hazard) and selectors.todo_for (a list).
LISTING_RANK: dict[str, int] = {
    SupervisionLevel.COUNTY: 0,
    SupervisionLevel.CITY: 1,
    SupervisionLevel.PROVINCE: 2,
}
REGION_LEVEL_RANK = {"county": 0, "city": 1, "province": 2}


def listing_levels_decided_at(region_level: str) -> list[str]:
    """The 挂牌督办 levels a bureau of `region_level` decides on (besides unlisted hazards)."""
    rank = REGION_LEVEL_RANK.get(region_level, -1)
    return [level for level, wanted in LISTING_RANK.items() if wanted <= rank]


class Suspension(models.TextChoices):
    NONE = "", _("无")
    SUSPEND_BUSINESS = "suspend_business", _("停业整改")
    SUSPEND_USE = "suspend_use", _("停用整改")


class EvidenceStage(models.TextChoices):
    BEFORE = "before", _("整改前")
    AFTER = "after", _("整改后")
    RECHECK = "recheck", _("复查")
    DOCUMENT = "document", _("方案/文书")


class EventType(models.TextChoices):
    RAISED = "raised", _("登记隐患")
    FIXED_ON_THE_SPOT = "fixed_on_the_spot", _("立查立改销号")
    STARTED = "started", _("开始整改")
    PROGRESS = "progress", _("记录整改进度")
    UPDATED = "updated", _("修改整改信息")
    EXPLAINED = "explained", _("提交逾期书面说明")
    SUBMITTED = "submitted", _("提交验收")
    RECHECKED = "rechecked", _("复查")
    ACCEPTED = "accepted", _("验收通过并销号")
    REJECTED = "rejected", _("验收不通过")
    DEADLINE_SET = "deadline_set", _("设定整改期限")
    EXTENSION_REQUESTED = "extension_requested", _("申请延期")
    EXTENSION_APPROVED = "extension_approved", _("同意延期")
    EXTENSION_REFUSED = "extension_refused", _("不同意延期")
    EVIDENCE_ADDED = "evidence_added", _("上传佐证材料")
    REGRADED = "regraded", _("调整隐患等级")
    LISTED = "listed", _("挂牌督办")
    DELISTED = "delisted", _("撤销挂牌督办")
    SUSPENSION_ORDERED = "suspension_ordered", _("责令停业/停用整改")
    RESUMPTION_APPLIED = "resumption_applied", _("申请解除停业/停用整改")
    RESUMPTION_REFUSED = "resumption_refused", _("不同意解除停业/停用整改")
    SUSPENSION_LIFTED = "suspension_lifted", _("解除停业/停用整改")


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已同意")
    REFUSED = "refused", _("不同意")
