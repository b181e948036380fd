"""Who receives a reminder: small helpers the apps' reminder rules share.

Kept in notifications (a lower app) and written against accounts/hospitals only.
"""

from __future__ import annotations

from functools import lru_cache

from django.urls import NoReverseMatch

from accounts.choices import Role
from accounts.models import User
from hospitals.models import Region

from .choices import EventKind


def hospital_officers(hospital) -> list:
    return hospital_officers_many([hospital.pk]).get(hospital.pk, [])


def hospital_officers_many(hospital_ids) -> dict[int, list]:
    """`hospital_officers` of many hospitals in one query, keyed by hospital id."""
    found: dict[int, list] = {}
    for user in User.objects.filter(
        role=Role.OFFICER, hospital_id__in=set(hospital_ids), is_active=True
    ):
        found.setdefault(user.hospital_id, []).append(user)
    return found


def hospital_people_named(hospital, name: str) -> list:
    """Active accounts of a hospital whose name matches (the 责任人 typed on a record)."""
    return hospital_people_named_many([(hospital.pk, name)]).get((hospital.pk, _named(name)), [])


def _named(name: str) -> str:
    return (name or "").strip()


def hospital_people_named_many(pairs) -> dict[tuple[int, str], list]:
    """`hospital_people_named` for many (hospital id, name) pairs in one query: a dict keyed by
    (hospital id, stripped name); pairs without anyone are absent."""
    wanted = {(hospital_id, _named(name)) for hospital_id, name in pairs if _named(name)}
    if not wanted:
        return {}
    found: dict[tuple[int, str], list] = {}
    for user in User.objects.filter(
        hospital_id__in={hospital_id for hospital_id, _ in wanted},
        full_name__in={name for _, name in wanted},
        is_active=True,
    ):
        key = (user.hospital_id, user.full_name)
        if key in wanted:
            found.setdefault(key, []).append(user)
    return found


def _nearest_with_role(region, role: str) -> list:
    """Users with `role` bound to the region, else to the nearest ancestor that has any."""
    if region is None:
        return []
    region_ids = region.ancestor_ids
    users = list(User.objects.filter(role=role, is_active=True, region_id__in=region_ids))
    for region_id in reversed(region_ids):
        nearest = [user for user in users if user.region_id == region_id]
        if nearest:
            return nearest
    return []


def region_bureau_staff(region) -> list:
    """Bureau staff of the nearest region (the region itself, then upwards) that has any."""
    return _nearest_with_role(region, Role.BUREAU)


# --- which bureau levels hear about what ---------------------------------------------------
#
# THE RULE. Bureaus are province > city > county. An event goes to bureau staff by its reach:
# - NEAREST (the default): the bureau that acts on it — the hospital's own region if it has
#   bureau staff, else the nearest region above that has. Casework (an item to confirm, a
#   hazard to accept, a half-year report submitted, a reminder) is handled by one bureau;
#   telling every level above would bury the province in county business.
# - a region level ("county", "city", "province"): every bureau from the hospital's region up
#   to and including that level — escalations the level above must see too (a major hazard
#   overdue is supervised by the city; a 4+N deadline missed is named by the city).
# A region above the reach never hears; a region below the hospital's never does either.
NEAREST = "nearest"
LEVEL_ORDER = ("county", "city", "province")
BUREAU_REACH: dict[str, str] = {
    EventKind.HAZARD_MAJOR_OVERDUE: "city",
    EventKind.SECURITY_DEADLINE: NEAREST,
    EventKind.SECURITY_ITEM_REVIEW: NEAREST,
    EventKind.HALF_YEAR_REPORT_DUE: NEAREST,
    EventKind.HALF_YEAR_REPORT_SUBMITTED: NEAREST,
    EventKind.STATUTORY_TABLE_DUE: NEAREST,
}


def bureau_staff_up_to(region, level: str) -> list:
    """Active bureau staff of `region` and of every region above it up to `level`."""
    if region is None:
        return []

    levels = dict(Region.objects.filter(pk__in=region.ancestor_ids).values_list("pk", "level"))
    top = LEVEL_ORDER.index(level) if level in LEVEL_ORDER else len(LEVEL_ORDER) - 1
    region_ids = [
        pk
        for pk in region.ancestor_ids
        if levels.get(pk) not in LEVEL_ORDER or LEVEL_ORDER.index(levels[pk]) <= top
    ]
    return list(
        User.objects.filter(role=Role.BUREAU, is_active=True, region_id__in=region_ids).order_by(
            "pk"
        )
    )


def bureau_recipients(region, *, event: str, reach: str | None = None) -> list:
    """Bureau staff who hear about `event` for something in `region` (a hospital's region),
    by the rule above; `reach` overrides the event's reach."""
    reach = reach or BUREAU_REACH.get(event, NEAREST)
    if reach == NEAREST:
        return region_bureau_staff(region)
    return bureau_staff_up_to(region, reach)


def region_admins(region) -> list:
    return _nearest_with_role(region, Role.ADMIN)


def object_url(obj) -> str:
    try:
        return obj.get_absolute_url()
    except (AttributeError, NoReverseMatch):
        return ""


class RegionSettings:
    """Per-run cache of region settings (each lookup walks the region tree)."""

    def __init__(self):
        self._days = lru_cache(maxsize=None)(self._load_days)
        self._values = lru_cache(maxsize=None)(self._load_value)
        self._regions = {}

    def _load_days(self, region_id: int, name: str) -> tuple[int, ...]:
        return tuple(self._regions[region_id].setting_days(name))

    def _load_value(self, region_id: int, name: str):
        return self._regions[region_id].setting(name)

    def days(self, region, name: str) -> tuple[int, ...]:
        self._regions.setdefault(region.pk, region)
        return self._days(region.pk, name)

    def value(self, region, name: str):
        self._regions.setdefault(region.pk, region)
        return self._values(region.pk, name)
