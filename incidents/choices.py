"""Choices of the incidents app: one source of truth for incident kinds and the patrol rule."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# Seed 003: "规定保安每天进行三次以上巡查,并在发热门诊高峰期增加巡查次数". A module constant
# rather than a region setting: the rule is the same everywhere the seeds speak of it. A day
# with fewer patrols than this is a day that fell short (`selectors.patrol_short_days`).
MIN_PATROLS_PER_DAY = 3


class IncidentKind(models.TextChoices):
    TOUT = "tout", _("医托")
    VIOLENCE = "violence", _("医闹/暴力伤医")
    THEFT = "theft", _("盗窃")
    FIRE = "fire", _("火情")
    ELEVATOR = "elevator", _("电梯困人")
    OTHER = "other", _("其他")


INCIDENT_KIND_BADGES = {
    IncidentKind.TOUT: "bg-warning text-dark",
    IncidentKind.VIOLENCE: "bg-danger",
    IncidentKind.THEFT: "bg-secondary",
    IncidentKind.FIRE: "bg-danger",
    IncidentKind.ELEVATOR: "bg-info text-dark",
    IncidentKind.OTHER: "bg-light text-dark border",
}
