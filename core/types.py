"""Types shared by the layers: what a lower app may know about the person acting.

`core` and `hospitals` sit below `accounts` (the user points at regions and hospitals), so they
cannot name `accounts.models.User`, not even for the type checker: import-linter counts
`if TYPE_CHECKING:` imports too, and the layering contract stays whole. Their services and
selectors take an `Actor` instead: the part of the user they read. `accounts.models.User`
satisfies it structurally (mypy checks that wherever a `User` is passed); apps from `accounts`
up annotate with the concrete `User`.
"""

from __future__ import annotations

from typing import Protocol


class Actor(Protocol):
    """The person a service acts for or a selector reads for (a logged-in `User`)."""

    @property
    def pk(self) -> int: ...

    @property
    def username(self) -> str: ...

    @property
    def role(self) -> str: ...

    @property
    def region_id(self) -> int | None: ...

    @property
    def hospital_id(self) -> int | None: ...

    @property
    def is_active(self) -> bool: ...

    @property
    def is_superuser(self) -> bool: ...

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def is_bureau(self) -> bool: ...

    @property
    def is_officer(self) -> bool: ...

    @property
    def is_region_admin(self) -> bool: ...

    @property
    def is_bureau_side(self) -> bool: ...

    @property
    def display_name(self) -> str: ...
