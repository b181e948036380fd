"""The regions' "single sign-on required" rule for password logins."""

from __future__ import annotations

from django.conf import settings

from hospitals.models import Region

from .conf import enabled_providers


def user_home_region(user) -> Region | None:
    """The region a user belongs to: their own (bureau side) or their hospital's (officers)."""
    if getattr(user, "region_id", None):
        return user.region
    if getattr(user, "hospital_id", None):
        return user.hospital.region
    return None


def password_login_refused(user) -> bool:
    """Whether `user` must use single sign-on instead of a password.

    Never for superusers or the break-glass usernames (SSO_BREAK_GLASS_USERS), never while
    SSO_REQUIREMENT_SUSPENDED is on, and never when no provider is configured at all (the
    requirement would lock everybody out with no way in)."""
    if user.is_superuser or user.get_username() in settings.SSO_BREAK_GLASS_USERS:
        return False
    if settings.SSO_REQUIREMENT_SUSPENDED or not enabled_providers():
        return False
    region = user_home_region(user)
    return bool(region and region.requires_sso())
