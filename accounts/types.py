"""`accounts.models.User` is a `core.types.Actor`: the apps below `accounts` (core, hospitals)
type their actor parameters with the protocol, and mypy proves here (scripts/typecheck.sh) that
the concrete user fits it, so a renamed or retyped role predicate fails the type check."""

from __future__ import annotations

from core.types import Actor

from .models import User


def as_actor(user: User) -> Actor:
    return user
