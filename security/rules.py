"""The computed side of the 4+N standard items: what the hospital's own records say is still
short. One home for the rule "item X is not met while …"; the item page, the overview, the
workbooks and the confirmation service all read it from here.

Pure functions over a `HospitalFacts` (loaded in bulk by `security.selectors.hospital_facts_for`),
so a region of any size costs a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .choices import ItemKind
from .staffing import GuardRequirement, PostEquipment, equipment_totals


@dataclass
class GuardSituation:
    """Item 1 in figures. The plan asks for guards holding the 《国家保安员证》: the shortfall
    compares the requirement with the CERTIFIED guards; uncertified guards are on the staff
    (shown) but close no gap."""

    requirement: GuardRequirement
    certified: int
    uncertified: int = 0

    @property
    def actual(self) -> int:
        """Every full-time guard, certified or not."""
        return self.certified + self.uncertified

    @property
    def shortfall(self) -> int:
        return max(self.requirement.required - self.certified, 0)

    # The old name of the same figure, kept for callers in other apps.
    certified_shortfall = shortfall


@dataclass
class HospitalFacts:
    """What a hospital has recorded for items 1–4 (profile, posts, entrances, alarm points,
    video systems) and the plan's video minimum."""

    guards: GuardSituation
    posts: list[PostEquipment] = field(default_factory=list)
    entrances: list = field(default_factory=list)
    alarm_points: list = field(default_factory=list)
    videos: list = field(default_factory=list)
    retention_minimum: int = 0
    profile: object | None = None

    @property
    def equipment_totals(self):
        return equipment_totals(self.posts)

    @property
    def equipment_short(self):
        return [line for line in self.equipment_totals if line.shortfall]

    @property
    def entrances_short(self) -> list:
        return [e for e in self.entrances if e.missing]

    @property
    def alarm_points_offline(self) -> list:
        return [p for p in self.alarm_points if not p.networked]

    @property
    def videos_short(self) -> list:
        return [v for v in self.videos if v.retention_days < self.retention_minimum]


def _flag(profile, name: str) -> bool:
    return bool(profile is not None and getattr(profile, name))


def shortfalls(kind: str, facts: HospitalFacts | None) -> list[str]:
    """Why the records say a standard item is NOT met (translated sentences); [] when the
    records show nothing short or the item is not computable (N items)."""
    if facts is None or kind == ItemKind.CUSTOM:
        return []
    reasons: list[str] = []
    profile = facts.profile
    if kind == ItemKind.GUARDS:
        guards = facts.guards
        if guards.shortfall:
            reasons.append(
                _(
                    "持《国家保安员证》的专职保安员 %(certified)s 人,按标准应配 %(required)s 人,"
                    "缺 %(short)s 人(未持证的 %(uncertified)s 人不计入)。"
                )
                % {
                    "certified": guards.certified,
                    "required": guards.requirement.required,
                    "short": guards.shortfall,
                    "uncertified": guards.uncertified,
                }
            )
        short = facts.equipment_short
        if short:
            reasons.append(
                _("保安岗位防卫器械不足:%(lines)s。")
                % {"lines": "、".join(f"{line.label} {line.shortfall}" for line in short)}
            )
    elif kind == ItemKind.SCREENING:
        if not facts.entrances:
            reasons.append(_("尚未登记主要出入口及其安检器材。"))
        elif facts.entrances_short:
            reasons.append(
                _("%(n)s 个主要出入口缺安检器材:%(names)s。")
                % {
                    "n": len(facts.entrances_short),
                    "names": "、".join(e.name for e in facts.entrances_short),
                }
            )
    elif kind == ItemKind.ALARM:
        if not _flag(profile, "monitoring_centre"):
            reasons.append(_("尚未设立安全监控中心。"))
        if not facts.alarm_points:
            reasons.append(_("尚未登记一键报警点。"))
        elif facts.alarm_points_offline:
            reasons.append(
                _("%(n)s 个一键报警点未与监控中心联网。") % {"n": len(facts.alarm_points_offline)}
            )
    elif kind == ItemKind.FACE:
        if not _flag(profile, "face_installed"):
            reasons.append(_("尚未安装人脸识别系统。"))
        elif not _flag(profile, "face_linked_police"):
            reasons.append(_("人脸识别系统尚未与公安“智慧内保”平台联网。"))
        if facts.videos_short:
            reasons.append(
                _("%(n)s 套视频系统录像保存不足 %(days)s 天。")
                % {"n": len(facts.videos_short), "days": facts.retention_minimum}
            )
    elif kind == ItemKind.POLICE_ROOM:
        if not _flag(profile, "police_room"):
            reasons.append(_("尚未设立警务室。"))
        elif not _flag(profile, "police_room_staffed"):
            reasons.append(_("警务室尚未配备警力。"))
        if not _flag(profile, "mediation_room"):
            reasons.append(_("尚未设立医疗纠纷调解室。"))
        elif not _flag(profile, "mediation_room_staffed"):
            reasons.append(_("调解室尚未指定专人。"))
    return reasons
