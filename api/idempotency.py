"""`Idempotency-Key` for every write: the same key with the same request answers what the first
request answered (and changes nothing again); the same key with another request is refused
(422); a key whose first request is still running answers 409. Records live
API_IDEMPOTENCY_HOURS and are purged on write."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response

from .errors import error_body
from .models import ApiToken, IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
REPLAYED_HEADER = "Idempotency-Replayed"
# Headers of the first answer that the replay repeats.
KEPT_HEADERS = ("Location",)


def request_hash(request) -> str:
    """What makes two requests "the same": method, path, query and the parsed body (files by
    the SHA-256 of their bytes), independent of a multipart boundary or key order."""
    data = request.data
    if hasattr(data, "lists"):
        body = {k: v for k, v in data.lists() if k not in request.FILES}
    else:
        body = data
    files = {}
    for name, uploads in request.FILES.lists():
        digests = []
        for upload in uploads:
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
            digests.append(digest.hexdigest())
        files[name] = digests
    payload = json.dumps(
        [request.method, request.path, sorted(request.GET.lists()), body, files],
        sort_keys=True,
        default=str,
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def upload_key_for(request) -> str:
    """A key for the services' own upload-replay protection, derived from the Idempotency-Key
    (so a retried upload stores its files once even if the first answer was lost)."""
    key = request.headers.get(HEADER, "")
    if not key:
        return ""
    return hashlib.sha256(f"{request.user.pk}:{key}".encode()).hexdigest()[:40]


def _purge() -> None:
    cutoff = timezone.now() - dt.timedelta(hours=settings.API_IDEMPOTENCY_HOURS)
    IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()


def _problem(message, code: str, http_status: int) -> Response:
    return Response(error_body(message, code=code, field=HEADER), status=http_status)


def idempotent(handler):
    """Wrap a write handler of an APIView (after authentication and permission checks)."""

    @functools.wraps(handler)
    def wrapped(view, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return handler(view, request, *args, **kwargs)
        key = key.strip()
        if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable() or not key.isascii():
            return _problem(
                _("Idempotency-Key 须为 1 至 %(max)d 个可打印的 ASCII 字符。")
                % {"max": MAX_KEY_LENGTH},
                "invalid_idempotency_key",
                status.HTTP_400_BAD_REQUEST,
            )
        _purge()
        fingerprint = request_hash(request)
        token = request.auth if isinstance(request.auth, ApiToken) else None
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=request.user,
                    token=token,
                    key=key,
                    method=request.method,
                    path=request.path[:500],
                    request_hash=fingerprint,
                )
        except IntegrityError:
            earlier = IdempotencyRecord.objects.get(user=request.user, key=key)
            if earlier.request_hash != fingerprint:
                return _problem(
                    _("该 Idempotency-Key 已用于另一个不同的请求,请为新的请求使用新的键。"),
                    "idempotency_key_reused",
                    status.HTTP_422_UNPROCESSABLE_ENTITY,
                )
            if earlier.status_code is None:
                return _problem(
                    _("使用该 Idempotency-Key 的请求仍在处理中,请稍后重试。"),
                    "idempotency_in_progress",
                    status.HTTP_409_CONFLICT,
                )
            response = Response(earlier.response_body, status=earlier.status_code)
            for name, value in earlier.response_headers.items():
                response[name] = value
            response[REPLAYED_HEADER] = "true"
            return response
        try:
            response = handler(view, request, *args, **kwargs)
        except Exception as exc:
            try:
                response = view.handle_exception(exc)
            except Exception:
                record.delete()
                raise
        if response.status_code >= 500:
            record.delete()
            return response
        record.status_code = response.status_code
        record.response_body = json.loads(json.dumps(response.data, default=str))
        record.response_headers = {h: response[h] for h in KEPT_HEADERS if h in response}
        record.save(update_fields=["status_code", "response_body", "response_headers"])
        return response

    return wrapped
