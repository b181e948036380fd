"""THE entry point for recording into the audit log: `audit_record(action, *, actor, ...)`.

Who (actor id + name snapshot, or the username attempted), what (action, detail), which object
(content type label, pk, repr), when, source address (core.http.client_ip: the real one behind
the trusted proxies), user agent, request method and path, web/api/admin/system.
"""

from __future__ import annotations

import ipaddress
import logging

from django.conf import settings
from django.contrib.auth import get_user_model

from core.http import client_ip

from . import chain
from .choices import Source
from .models import AuditEntry

logger = logging.getLogger("safehospital.audit")

UA_MAX = 300
PATH_MAX = 500


def audit_enabled() -> bool:
    return bool(getattr(settings, "AUDIT_LOG_ENABLED", True))


def _scope_path(actor=None, username: str = "") -> str:
    """The region path the person is bound to (their region, or their hospital's region):
    what the audit administrators' scope reads. One query, memoised on the user object."""
    if actor is not None:
        cached = getattr(actor, "_audit_scope_path", None)
        if cached is not None:
            return cached
        lookup = {"pk": actor.pk}
    elif username:
        lookup = {"username": username}
    else:
        return ""
    row = (
        get_user_model()
        .objects.filter(**lookup)
        .values_list("region__path", "hospital__region__path")
        .first()
    )
    path = (row[0] or row[1] or "") if row else ""
    if actor is not None:
        actor._audit_scope_path = path
    return path


def _ip(request) -> str | None:
    address = client_ip(request) if request is not None else ""
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


def _source(request) -> str:
    if request is None:
        return Source.SYSTEM
    path = request.path_info or ""
    if path.startswith("/api/"):
        return Source.API
    if path.startswith("/admin/"):
        return Source.ADMIN
    return Source.WEB


def _object(obj) -> tuple[str, str, str]:
    if obj is None:
        return "", "", ""
    meta = getattr(obj, "_meta", None)
    label = meta.label_lower if meta is not None else type(obj).__name__
    return label, str(getattr(obj, "pk", "") or ""), str(obj)[:300]


def audit_record(
    action: str,
    *,
    actor=None,
    obj=None,
    request=None,
    detail: dict | None = None,
    username: str = "",
    status: int | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEntry | None:
    """Append one entry to the audit log (nothing when AUDIT_LOG_ENABLED is off). `actor` is
    the signed-in user (None: anonymous or the system); `obj` a model instance, or name it
    with object_type/object_id/object_repr."""
    if not audit_enabled():
        return None
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    label, pk, text = _object(obj)
    fields = {
        "actor_id": actor.pk if actor is not None else None,
        "actor_name": (getattr(actor, "display_name", "") or str(actor))[:200] if actor else "",
        "username": (actor.get_username() if actor is not None else username)[:150],
        "action": action,
        "object_type": (object_type or label)[:100],
        "object_id": str(object_id or pk)[:64],
        "object_repr": (object_repr or text)[:300],
        "detail": detail or {},
        "ip": _ip(request),
        "user_agent": (request.META.get("HTTP_USER_AGENT", "") if request else "")[:UA_MAX],
        "method": (request.method or "")[:10] if request is not None else "",
        "path": (request.get_full_path() if request is not None else "")[:PATH_MAX],
        "source": _source(request),
        "status": status,
        "scope_path": _scope_path(actor, username)[:255],
    }
    return chain.append(**fields)


def audit_record_safely(action: str, **kwargs) -> AuditEntry | None:
    """For the middleware and signal receivers: a failed audit write is logged as an error
    (operators alert on it) rather than turning a done request into an error page."""
    try:
        return audit_record(action, **kwargs)
    except Exception:
        logger.exception("audit write failed action=%s", action)
        return None
