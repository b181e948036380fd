"""One way to paginate a list page: `paginate(request, rows, ...)`.

Every list view calls it and every list template includes the one partial
`templates/_pagination.html` with the page it returns (`{% include "_pagination.html" %}`,
or `with page=...` when the view names it otherwise). The partial builds its links with
Django's `{% querystring %}`, so the filters, the sort and `per_page` stay in every link.

- A bad page number (`?page=abc`, `?page=0`, `?page=-3`) shows the first page, one past the
  end (`?page=99999`) the last: a list never answers 404 or 500 for its page number.
- `count=` gives the row count when the view already knows it (computed with the list's
  figures, or cached over a large scope): the paginator does not run its own `COUNT(*)`.
- `keyset=` (the hazard list over a province): deep pages are read by key instead of by
  OFFSET. From page `keyset.from_page` on, "next" is a link `?after=<date>,<id>` to the rows
  after the last one shown, an index range scan whatever the depth.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest

DEFAULT_PER_PAGE = 25
PAGE_PARAM = "page"
PER_PAGE_PARAM = "per_page"
KEYSET_PARAM = "after"  # the partial's "next" link in keyset mode; page links drop it


class CountedPaginator(Paginator):
    """A paginator told its count (computed once with the list's figures, or cached): an int,
    or a callable run at most once, when the count is first needed."""

    def __init__(self, *args: Any, count: int | Callable[[], int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        known = self._known_count
        return known() if callable(known) else known


def page_number(value: object) -> int:
    """The page number asked for: 1 for anything that is not a whole number of at least 1."""
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return 1
    return max(number, 1)


def per_page_choice(request: HttpRequest, sizes: Sequence[int]) -> int:
    """`?per_page=` when it is one of `sizes`, else the first of them."""
    try:
        size = int(request.GET.get(PER_PAGE_PARAM, sizes[0]))
    except (TypeError, ValueError):
        return sizes[0]
    return size if size in sizes else sizes[0]


@dataclass(frozen=True)
class Keyset:
    """Newest-first keyset pages over (`field` descending, pk descending): the rows after
    `?after=<field value>,<pk>` of the last row shown. `field` is a date column."""

    field: str = "found_on"
    from_page: int = 10

    def parse(self, value: str | None) -> tuple[dt.date, int] | None:
        """`<date>,<id>`; None if absent or malformed (the list then shows its first page)."""
        day, _sep, pk = (value or "").partition(",")
        try:
            return dt.date.fromisoformat(day), int(pk)
        except ValueError:
            return None

    def token(self, row: Any) -> str:
        return f"{getattr(row, self.field).isoformat()},{row.pk}"

    def rows_after(
        self, queryset: QuerySet[Any], after: tuple[dt.date, int], limit: int
    ) -> list[Any]:
        day, pk = after
        before = Q(**{f"{self.field}__lt": day}) | Q(**{self.field: day, "pk__lt": pk})
        return list(queryset.filter(before).order_by(f"-{self.field}", "-pk")[:limit])


@dataclass
class KeysetPage:
    """The rows after a key, shaped like a `Page` for the partial: no number (it is not known
    without counting the rows before it), always a way back to the first page."""

    object_list: list
    paginator: Paginator
    more: bool
    next_after: str | None = None
    number: None = field(default=None, init=False)

    def __iter__(self) -> Iterator:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_next(self) -> bool:
        return self.more

    def has_previous(self) -> bool:
        return True

    def has_other_pages(self) -> bool:
        return True


def paginate(
    request: HttpRequest,
    object_list: Any,
    *,
    per_page: int | Sequence[int] = DEFAULT_PER_PAGE,
    count: int | Callable[[], int] | None = None,
    keyset: Keyset | None = None,
) -> Page | KeysetPage:
    """The page of `object_list` that `request` asks for (`?page=`, or `?after=` in keyset
    mode), clamped to the pages that exist. `per_page`: a size, or the sizes a person may pick
    with `?per_page=` (the first is the default). The page has `next_after`: the key of the
    "next" link in keyset mode, else None."""
    size = per_page if isinstance(per_page, int) else per_page_choice(request, per_page)
    paginator = (
        Paginator(object_list, size)
        if count is None
        else CountedPaginator(object_list, size, count=count)
    )
    after = keyset.parse(request.GET.get(KEYSET_PARAM)) if keyset else None
    if keyset is not None and after is not None:
        rows = keyset.rows_after(object_list, after, size + 1)
        more = len(rows) > size
        rows = rows[:size]
        return KeysetPage(
            rows, paginator, more=more, next_after=keyset.token(rows[-1]) if more else None
        )
    page = paginator.page(min(page_number(request.GET.get(PAGE_PARAM)), paginator.num_pages))
    next_after = None
    if keyset is not None and page.has_next() and page.number >= keyset.from_page:
        next_after = keyset.token(list(page)[-1])
    page.next_after = next_after  # type: ignore[attr-defined]  # read by _pagination.html
    return page
