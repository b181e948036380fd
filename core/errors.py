"""The one base class of refused domain operations.

Every service raises a subclass of `DomainError` when it refuses an action: the message is
translated and safe to show to the person who asked; `field` optionally names the form field
the refusal is about. Views handle all of them in one place,
`core.views_helpers.apply_domain_error`. A refusal the person should meet as a plain 403
(no right to the action at all, as opposed to "not now" or "not like this") is `NotAllowed`.
"""

from __future__ import annotations

from django.utils.translation import gettext as _


class DomainError(Exception):
    """A refused domain operation; `message` is translated, `field` is optional."""

    def __init__(self, message: object = None, *, field: str | None = None) -> None:
        text = "" if message is None else str(message)
        super().__init__(text)
        self.message = text
        self.field = field

    def __str__(self) -> str:
        return self.message


class NotAllowed(DomainError):
    """The actor has no right to this action at all: views answer 403."""

    def __init__(self, message: object = None, *, field: str | None = None) -> None:
        super().__init__(message if message is not None else _("您无权执行该操作。"), field=field)
