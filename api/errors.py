"""Every error of the API is JSON of one shape, in the language the client asked for:

    {"detail": "<translated message>", "code": "<machine code>", "field": "<field or null>",
     "errors": {"<field>": ["<message>", ...]}}   # errors: only for invalid input

Domain refusals (core.errors.DomainError) are answered here exactly as the pages show them:
NotAllowed (and the hazard services' permission refusal) is 403, any other refusal 400.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from core.errors import DomainError, NotAllowed
from hazards.services import HazardPermissionError

NON_FIELD = "__all__"


def _messages(value) -> list[str]:
    if isinstance(value, dict):
        return [m for v in value.values() for m in _messages(v)]
    if isinstance(value, list | tuple):
        return [m for v in value for m in _messages(v)]
    return [str(value)]


def error_body(detail, *, code: str, field: str | None = None, errors=None) -> dict:
    body = {"detail": str(detail), "code": code, "field": field}
    if errors:
        body["errors"] = errors
    return body


def validation_response(errors: dict[str, list[str]]) -> Response:
    """400 for invalid input: the first message as `detail`, every message under `errors`."""
    errors = {(name or NON_FIELD): [str(m) for m in msgs] for name, msgs in errors.items()}
    field, messages = next(iter(errors.items()))
    return Response(
        error_body(
            messages[0] if messages else _("输入有误。"),
            code="invalid",
            field=None if field == NON_FIELD else field,
            errors=errors,
        ),
        status=status.HTTP_400_BAD_REQUEST,
    )


def form_errors(form) -> dict[str, list[str]]:
    return {name: [str(m) for m in msgs] for name, msgs in form.errors.items()}


def _drf_errors(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {str(k): _messages(v) for k, v in detail.items()}
    return {NON_FIELD: _messages(detail)}


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        set_rollback()
        forbidden = isinstance(exc, NotAllowed | HazardPermissionError)
        return Response(
            error_body(
                exc.message, code="not_allowed" if forbidden else "refused", field=exc.field
            ),
            status=status.HTTP_403_FORBIDDEN if forbidden else status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, DjangoValidationError):
        set_rollback()
        if hasattr(exc, "error_dict"):
            return validation_response(exc.message_dict)
        return validation_response({NON_FIELD: exc.messages})
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(*(exc.args[:1] or ()))
    if not isinstance(exc, exceptions.APIException):
        return None  # a bug: Django's 500 handling, logged as such
    set_rollback()
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    if isinstance(exc, exceptions.ValidationError):
        response = validation_response(_drf_errors(exc.detail))
    else:
        detail = exc.detail
        code = getattr(detail, "code", None) or exc.default_code
        response = Response(
            error_body(_messages(detail)[0], code=str(code)), status=exc.status_code
        )
    for name, value in headers.items():
        response[name] = value
    return response
