"""Files an e-mail delivery carries, rebuilt from their object at every attempt.

A Delivery stores only the name of a builder and the id of the object (the row must survive
retries and worker restarts without holding a file); the app that owns the object registers
the builder in its AppConfig.ready(). Builders must be deterministic for a frozen object (a
submitted report), so a retried e-mail carries the same file as the first attempt.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str


class AttachmentUnavailable(Exception):
    """The object is gone or cannot be rendered: the delivery fails permanently."""


_BUILDERS: dict[str, Callable[[int], Attachment]] = {}


def register(name: str, builder: Callable[[int], Attachment]) -> None:
    _BUILDERS[name] = builder


def is_registered(name: str) -> bool:
    return name in _BUILDERS


def build(name: str, object_id: int | None) -> Attachment:
    builder = _BUILDERS.get(name)
    if builder is None or object_id is None:
        raise AttachmentUnavailable(f"no attachment builder {name!r}")
    return builder(object_id)
