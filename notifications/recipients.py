"""Who receives a reminder: small helpers the apps' reminder rules share.

Kept in notifications (a lower app) and written against accounts/hospitals only.
"""

from __future__ import annotations

from functools import lru_cache

from django.urls import NoReverseMatch

from accounts.choices import Role
from accounts.models import User


def hospital_officers(hospital) -> list:
    return list(User.objects.filter(role=Role.OFFICER, hospital=hospital, is_active=True))


def hospital_people_named(hospital, name: str) -> list:
    """Active accounts of a hospital whose name matches (the 责任人 typed on a record)."""
    name = (name or "").strip()
    if not name:
        return []
    return list(User.objects.filter(hospital=hospital, full_name=name, is_active=True))


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
    return _nearest_with_role(region, Role.BUREAU)


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
