"""THE region subtree rule at the bottom layer: a materialised path and everything below it.

`hospitals.models.within(region, prefix)` is the form the apps use (it follows the lookups to a
Region); `subtree_q` serves what cannot import hospitals (the audit log keeps a snapshot of the
actor's region path in its own column).
"""

from __future__ import annotations

from django.db.models import Q


def subtree_q(path: str, field: str = "path") -> Q:
    """Rows whose materialised path `field` is `path` or below it."""
    return Q(**{f"{field}__startswith": path})
