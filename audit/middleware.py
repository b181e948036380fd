"""Two middlewares: what a request leaves in the audit log, and the fence around the security
and audit administrators (they reach their own pages and their own account, nothing else)."""

from __future__ import annotations

import re
from contextvars import ContextVar

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from core.roles import Role

from .choices import Action
from .recorder import audit_enabled, audit_record_safely

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Non-GET URLs whose audit entry comes from elsewhere (login/logout: the auth signals; admin:
# its LogEntry) or that change nothing of the product's data.
NOT_RECORDED = frozenset(
    {"login", "logout", "accounts:session_keepalive", "csp_report", "set_language"}
)
FILENAME = re.compile(r"filename\*?=(?:UTF-8'')?\"?([^\";]+)", re.I)

_current: ContextVar = ContextVar("audit_current_request", default=None)


def current_request():
    """The request being handled in this thread/task (for receivers that get no request)."""
    return _current.get()


def _object_of(match) -> tuple[str, str]:
    """(object type, id) named by the URL: its `pk` (or first `…_pk`/`…id`) keyword argument,
    typed by the URL's namespace (the app)."""
    if match is None or not match.kwargs:
        return "", ""
    kwargs = match.kwargs
    key = next(
        (k for k in ("pk", "id") if k in kwargs),
        next((k for k in kwargs if k.endswith(("_pk", "_id"))), ""),
    )
    if not key:
        return "", ""
    app = match.namespace or match.app_name or ""
    return app, str(kwargs[key])


class AuditMiddleware:
    """One INSERT per audited request, none for the rest: refusals (every 403; a 404 answered
    to a signed-in user for an object URL), exports and downloads (any response with
    `Content-Disposition: attachment`), and every successful non-GET request of a signed-in
    user (a state change; user management counts as an admin action). GET page views are not
    recorded. API requests pass here as well: DRF sets the user on the underlying request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current.set(request)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        if audit_enabled():
            self.record(request, response)
        return response

    def record(self, request, response) -> None:
        user = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated)
        match = getattr(request, "resolver_match", None)
        name = match.view_name if match is not None else ""
        status = response.status_code
        disposition = response.get("Content-Disposition", "")
        detail: dict = {"url_name": name} if name else {}
        if status == 403:
            action = Action.PERMISSION_DENIED
        elif status == 404 and signed_in and match is not None and match.kwargs:
            action = Action.PERMISSION_DENIED
            detail["not_found"] = True
        elif status == 200 and disposition.lower().startswith("attachment"):
            action = Action.EXPORT if "export" in name or "report" in name else Action.DOWNLOAD
            found = FILENAME.search(disposition)
            detail["filename"] = found.group(1) if found else ""
            if request.META.get("QUERY_STRING"):
                detail["query"] = request.META["QUERY_STRING"][:500]
        elif (
            request.method not in SAFE_METHODS
            and signed_in
            and status < 400
            and name not in NOT_RECORDED
            and not (match is not None and match.namespace == "admin")
        ):
            managing_users = name.startswith("accounts:user_")
            action = Action.ADMIN_ACTION if managing_users else Action.STATE_CHANGE
        else:
            return
        if match is not None and match.kwargs:
            detail["kwargs"] = {k: str(v) for k, v in match.kwargs.items()}
        object_type, object_id = _object_of(match)
        audit_record_safely(
            action,
            actor=user if signed_in else None,
            request=request,
            detail=detail,
            status=status,
            object_type=object_type,
            object_id=object_id,
        )


# --- the fence around the separated duties -------------------------------------------------

# Pages every signed-in person needs: signing in and out, their own password, the language.
COMMON_NAMES = frozenset(
    {
        "login",
        "logout",
        "password_change",
        "password_change_done",
        "set_language",
        "javascript-catalog",
        "csp_report",
        "healthz",
        "service_worker",
    }
)
# Namespaces open to both duties: their own account (accounts; the user-management views
# check the role themselves), single sign-on, and Django admin (gated by is_staff).
COMMON_NAMESPACES = frozenset({"accounts", "sso", "admin"})
# The security administrator manages accounts and their API credentials (api_tokens).
OWN_NAMESPACES = {Role.AUDITOR: frozenset({"audit"}), Role.SECADMIN: frozenset({"api_tokens"})}
LANDING_NAMES = frozenset({"home", "my_work"})


def landing_url(user) -> str:
    return "audit:list" if user.is_audit_admin else "accounts:user_list"


class DutyFenceMiddleware:
    """The security and audit administrators see NO records of the bureau or the hospitals
    (等保 8.1.4.2, least privilege): any page outside their own answers 403 before its view
    runs, whatever that view's own checks would say. Their home page is their own list."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_superuser:
            return None
        if user.role not in OWN_NAMESPACES:
            return None
        match = request.resolver_match
        name = match.view_name if match is not None else ""
        namespace = match.namespaces[0] if match is not None and match.namespaces else ""
        if name in COMMON_NAMES or namespace in COMMON_NAMESPACES:
            return None
        if namespace and namespace in OWN_NAMESPACES[user.role]:
            return None
        if name in LANDING_NAMES:
            return redirect(landing_url(user))
        raise PermissionDenied
