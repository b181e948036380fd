"""Demo builders: each app registers its own in `AppConfig.ready()`; `seed_demo` runs them.

`hospitals` owns the `seed_demo` orchestration but sits below the apps whose demo data it
loads, so it must not import them: they register here instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class DemoBuilder(Protocol):
    def __call__(self, *, stdout, style) -> None: ...


# Stages run in this order; builders of one stage run in registration (INSTALLED_APPS) order.
RECORDS = 0  # regions, hospitals, users, then each app's own records
FAN_OUT = 1  # builders that read every app's records (reminders sent, reports built)
LAST = 2  # what is printed at the end (the demo logins)

_builders: dict[str, tuple[int, DemoBuilder]] = {}


def register_demo_builder(name: str, seed: DemoBuilder, *, stage: int = RECORDS) -> None:
    """Register (or replace: `ready()` may run twice) the demo builder called `name`."""
    _builders[name] = (stage, seed)


def demo_builders() -> list[tuple[str, Callable[..., None]]]:
    """(name, builder) in the order `seed_demo` runs them."""
    ordered = sorted(_builders.items(), key=lambda item: item[1][0])  # stable within a stage
    return [(name, seed) for name, (_stage, seed) in ordered]
