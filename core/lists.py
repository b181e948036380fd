"""A list page and its Excel export over the same rows, written once per list.

A `FilteredList` names the scoped queryset of a list (`Model.objects.visible_to(user)` and
what the page shows of each row) and the django-filter FilterSet that narrows it. The page
view asks it for `page_context(request)` (the filter form and the page, paginated by
`core.pagination.paginate`), the export view for `rows(request)` (every filtered row, in the
same order): the filters of the page and of its workbook cannot drift apart.

    SESSIONS = FilteredList(SessionFilter, lambda request: TrainingSession.objects
                            .visible_to(request.user).select_related("hospital"))

    def session_list(request):
        return render(request, "training/sessions.html", SESSIONS.page_context(request))

    def session_export(request):
        content = exports.workbook(exports.session_sheet(SESSIONS.rows(request).iterator()))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django_filters import FilterSet

from .pagination import DEFAULT_PER_PAGE, paginate


def _request_kwargs(request: HttpRequest) -> dict[str, Any]:
    return {"request": request}


def user_kwargs(request: HttpRequest) -> dict[str, Any]:
    """For FilterSets that take the user (`IncidentFilter(..., user=request.user)`)."""
    return {"user": request.user}


@dataclass(frozen=True)
class FilteredList:
    """`queryset(request)`: the rows the person may see; `filterset_class` narrows them with
    the request's GET (an empty GET is unbound: every row). `ordering`: the order of the page
    and of the export. `page_rows`: what the page reads with each row (`select_related`,
    annotations), applied after the filters. `per_page`: the page size, or the sizes a person
    may pick with `?per_page=` (see `core.pagination.paginate`)."""

    filterset_class: type[FilterSet]
    queryset: Callable[[HttpRequest], QuerySet]
    ordering: Sequence[str] = ()
    page_rows: Callable[[QuerySet], QuerySet] | None = None
    per_page: int | Sequence[int] = DEFAULT_PER_PAGE
    filterset_kwargs: Callable[[HttpRequest], dict[str, Any]] = field(default=_request_kwargs)

    def filter(self, request: HttpRequest) -> FilterSet:
        return self.filterset_class(
            request.GET or None, queryset=self.queryset(request), **self.filterset_kwargs(request)
        )

    def _ordered(self, filterset: FilterSet) -> QuerySet:
        return filterset.qs.order_by(*self.ordering) if self.ordering else filterset.qs

    def rows(self, request: HttpRequest) -> QuerySet:
        """Every filtered row, in the page's order: what the export writes."""
        return self._ordered(self.filter(request))

    def page_context(self, request: HttpRequest, **extra: Any) -> dict[str, Any]:
        """`filter` (the form) and `page` (for `_pagination.html`), plus `extra`."""
        filterset = self.filter(request)
        rows = self._ordered(filterset)
        if self.page_rows is not None:
            rows = self.page_rows(rows)
        page = paginate(request, rows, per_page=self.per_page)
        return {"filter": filterset, "page": page, **extra}
