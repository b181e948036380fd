"""Scoped reads for the registry pages."""

from __future__ import annotations

from .choices import InspectionDayShift
from .models import REGION_SETTING_DEFAULTS, Region

SETTING_NAMES = tuple(REGION_SETTING_DEFAULTS)
# Settings stored as a code: the list shows the label.
CHOICE_SETTINGS = {"inspection_day_shift": InspectionDayShift}


def regions_with_effective_settings(regions) -> list[Region]:
    """Each region with `.effective` = {setting: (value, inherited_from or None)}, computed
    with one extra query for all ancestors instead of one walk per region."""
    regions = list(regions)
    ancestor_ids = {pk for region in regions for pk in region.ancestor_ids}
    by_id = Region.objects.in_bulk(ancestor_ids)
    by_id.update({region.pk: region for region in regions})
    for region in regions:
        chain = [by_id[pk] for pk in reversed(region.ancestor_ids)]
        effective = {}
        for name in SETTING_NAMES:
            value, source = REGION_SETTING_DEFAULTS[name], "default"
            for ancestor in chain:
                raw = getattr(ancestor, name)
                if raw not in (None, ""):
                    value = raw
                    source = None if ancestor.pk == region.pk else ancestor
                    break
            if name in CHOICE_SETTINGS:
                value = CHOICE_SETTINGS[name](value).label
            effective[name] = (value, source)
        region.effective = effective
        region.depth = len(chain) - 1
    return regions
