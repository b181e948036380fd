"""Demo regions, hospitals and users (extended by the hospitals issue)."""

from __future__ import annotations

DEMO_PASSWORD = "Demo-2026-pingan"


def seed(*, stdout, style) -> None:
    stdout.write("hospitals demo: not yet implemented")


def print_logins(*, stdout, style) -> None:
    stdout.write("")
