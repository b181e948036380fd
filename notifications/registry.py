"""Reminder scans: each app registers its `reminders` module in `AppConfig.ready()`.

`notifications` runs every app's reminder rules (`tasks.run_reminders_now`) but sits below the
apps that own them, so it must not import them: they register here instead. A module (not its
rules) is registered so that the rules are read when the scan runs.
"""

from __future__ import annotations

from types import ModuleType

_modules: dict[str, ModuleType] = {}


def register_reminders(module: ModuleType) -> None:
    """Register a module whose `REMINDER_RULES` (callables taking `today=`) the scan runs.
    Registering the same module again (`ready()` may run twice) changes nothing."""
    _modules.setdefault(module.__name__, module)


def reminder_modules() -> list[ModuleType]:
    """The registered modules, in registration (INSTALLED_APPS) order."""
    return list(_modules.values())
