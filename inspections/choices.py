"""Choices of the inspections app: one source of truth for kinds, states and results."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from hazards.choices import Source


class InspectionKind(models.TextChoices):
    SELF = "self", _("自查")
    LINKED = "linked", _("挂钩科室检查")
    JOINT = "joint", _("联合检查")
    UNANNOUNCED = "unannounced", _("四不两直")
    SPOT_CHECK = "spot_check", _("抽查")
    RECHECK = "recheck", _("复查")
    # 第三方安全生产技术顾问 (seed 000): experts the bureau invites to inspect key units; the
    # firm's name is kept on the inspection (`Inspection.third_party_firm`, required).
    THIRD_PARTY = "third_party", _("第三方安全生产技术顾问检查")


# How a hazard raised by an inspection of each kind was found.
KIND_TO_HAZARD_SOURCE: dict[str, Source] = {
    InspectionKind.SELF: Source.SELF_INSPECTION,
    InspectionKind.LINKED: Source.LINKED_DEPARTMENT,
    InspectionKind.JOINT: Source.JOINT,
    InspectionKind.UNANNOUNCED: Source.UNANNOUNCED,
    InspectionKind.SPOT_CHECK: Source.SPOT_CHECK,
    InspectionKind.RECHECK: Source.RECHECK,
    InspectionKind.THIRD_PARTY: Source.THIRD_PARTY,
}

# Kinds the bureau side may carry out ad hoc in its region.
BUREAU_AD_HOC_KINDS = (
    InspectionKind.JOINT,
    InspectionKind.UNANNOUNCED,
    InspectionKind.SPOT_CHECK,
    InspectionKind.RECHECK,
    InspectionKind.THIRD_PARTY,
)


class AssignmentKind(models.TextChoices):
    """The two monthly inspection days."""

    SELF = "self", _("医院自查日")
    LINKED = "linked", _("挂钩科室检查日")


ASSIGNMENT_TO_INSPECTION_KIND: dict[str, InspectionKind] = {
    AssignmentKind.SELF: InspectionKind.SELF,
    AssignmentKind.LINKED: InspectionKind.LINKED,
}


class AssignmentState(models.TextChoices):
    """Derived from dates and submissions in a query, never stored."""

    OPEN = "open", _("待检查")
    DONE = "done", _("已完成")
    MISSED = "missed", _("已错过")


ASSIGNMENT_STATE_BADGES = {
    AssignmentState.OPEN: "bg-primary",
    AssignmentState.DONE: "bg-success",
    AssignmentState.MISSED: "bg-danger",
}


class InspectionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")


class Result(models.TextChoices):
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")
    NOT_APPLICABLE = "na", _("不适用")


RESULT_BADGES = {
    Result.PASS: "bg-success",
    Result.FAIL: "bg-danger",
    Result.NOT_APPLICABLE: "bg-secondary",
    "": "bg-light text-dark border",
}


class PhotoKind(models.TextChoices):
    FINDING = "finding", _("检查照片")
    AFTER = "after", _("整改后照片")


class InspectionAction(models.TextChoices):
    """What a user may do to an inspection; `services.allowed_actions` says which apply."""

    RECORD = "record", _("填写")
    SUBMIT = "submit", _("提交")
    DELETE = "delete", _("删除草稿")
    AMEND = "amend", _("更正")


# Labels of the fields an amendment may change (the Amendment.field column).
AMENDMENT_FIELD_LABELS = {
    "result": _("检查结果"),
    "note": _("检查情况"),
    "summary": _("检查小结"),
    "location": _("检查部位/区域"),
    "participants": _("检查人员"),
    "third_party_firm": _("第三方机构名称"),
}
