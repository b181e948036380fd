"""The one place where views turn a refused domain operation into what the person sees."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponseBase

from .errors import DomainError, NotAllowed


def apply_domain_error(
    target: BaseForm | HttpRequest, exc: DomainError, *, field: str | None = None
) -> None:
    """Show `exc` to the person: on the form (on `exc.field`, else `field`, when the form has
    that field; otherwise as a non-field error) or, given a request, as an error message.
    `NotAllowed` is not shown but answered 403, as Django's `PermissionDenied` is."""
    if isinstance(exc, NotAllowed):
        raise PermissionDenied(exc.message) from exc
    if isinstance(target, BaseForm):
        name = exc.field or field
        target.add_error(name if name in target.fields else None, exc.message)
    else:
        messages.error(target, exc.message)


class DomainErrorMiddleware:
    """A `NotAllowed` no view caught (e.g. from a service called outside a try) is a 403, the
    way `PermissionDenied` is, and goes through the same 403 page and refusal log."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, NotAllowed):
            raise PermissionDenied(exception.message) from exception
        return None
