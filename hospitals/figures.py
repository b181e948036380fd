"""Figure caching that depends on the size of a user's scope (see `core.figures`).

Here, not in `core`, because the scope is counted in hospitals: `core` is the bottom layer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import EmptyResultSet

from core.figures import cached_figures

from .models import Hospital

T = TypeVar("T")


def is_large_scope(user) -> bool:
    """Whether the user sees enough institutions for their figures to be worth caching."""
    threshold = getattr(settings, "FIGURES_CACHE_MIN_HOSPITALS", 10)
    if threshold <= 0:
        return True
    known = getattr(user, "_large_scope", None)  # asked once per request (user object)
    if known is None:
        visible = Hospital.objects.visible_to(user).order_by().values("pk")[:threshold]
        known = visible.count() >= threshold
        user._large_scope = known
    return known


def cached_for_scope(
    user, what: str, queryset, version: Callable[[], tuple], compute: Callable[[], T]
) -> T:
    """`compute()` (figures or a row count of `queryset`) every time for a small scope; over a
    large scope once per (`what`, the exact SQL of `queryset` — the user's scope and filters —,
    `version()`). `version` must move whenever a row `queryset` may read changes."""
    if not is_large_scope(user):
        return compute()
    try:
        sql, params = queryset.order_by().query.sql_with_params()
    except EmptyResultSet:  # qs.none(): nothing to count, nothing worth caching
        return compute()
    return cached_figures(f"{what} {sql} {params!r}", version(), compute)
