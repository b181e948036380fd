"""Figures over a large scope, cached until the rows they read change.

A province user's hazard list or dashboard aggregates a million rows: ~0.5 s of PostgreSQL
per request. The result is the same until a row it reads changes, so it is cached under a key
made of what was asked (the exact SQL, hence the user's scope and filters) and a *version* of
the data that moves with every change (the newest event and history ids, and today's date —
overdue moves at midnight). Nothing is stale: a change gives a new key. Small scopes (a county,
a hospital) are computed every time; they cost a few milliseconds.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache

T = TypeVar("T")


def cached_figures(what: str, version: tuple[object, ...], compute: Callable[[], T]) -> T:
    """`compute()` once per (what, version); `what` must identify the question completely."""
    digest = hashlib.sha256(repr((what, version)).encode()).hexdigest()
    key = f"figures:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, getattr(settings, "FIGURES_CACHE_SECONDS", 6 * 3600))
    return value


def cached_for(what: str, seconds: int, compute: Callable[[], T]) -> T:
    """`compute()` at most once every `seconds` per `what`: for pages that state the instant
    their figures are as of (a dashboard computed at 10:02 says "截至 10:02")."""
    return cached_figures(what, (int(time.time()) // max(seconds, 1),), compute)
