"""How much demo `seed_demo` builds: the full demo for `make run`, a small one for tests.

Every size keeps the whole organisation (regions, hospitals, departments, users: cheap, and
what logins and scopes are shown with); a smaller size keeps a shorter history (months of
inspection days, days of patrols) and gives trainings, patrols and incidents to a few hospitals. The demo builders read `demo_size()`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoSize:
    name: str
    inspection_months: int  # months of inspection days behind today, the current one included
    patrol_days: int  # days of security patrols behind today
    # Hospitals (the first by id: the city's and 晋江's) given trainings, patrols and incidents;
    # None: every hospital.
    history_hospitals: int | None = None


SIZES = {
    "full": DemoSize("full", inspection_months=12, patrol_days=42),
    "small": DemoSize("small", inspection_months=2, patrol_days=14, history_hospitals=8),
}

_current = SIZES["full"]


def demo_size() -> DemoSize:
    return _current


def set_demo_size(name: str) -> DemoSize:
    """Make `name` the size the demo builders use from now on; returns the previous one."""
    global _current
    previous, _current = _current, SIZES[name]
    return previous
