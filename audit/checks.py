"""System checks for the audit settings (run by `manage.py check` and at start-up)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Warning, register

MIN_RETENTION_DAYS = 180  # 网络安全法 art. 21: network logs kept no less than six months


@register()
def audit_settings(app_configs, **kwargs):
    problems = []
    days = getattr(settings, "AUDIT_RETENTION_DAYS", MIN_RETENTION_DAYS)
    if not isinstance(days, int) or days < MIN_RETENTION_DAYS:
        problems.append(
            Error(
                f"AUDIT_RETENTION_DAYS={days!r}: the audit log must be kept at least "
                f"{MIN_RETENTION_DAYS} days (网络安全法 art. 21: six months).",
                id="audit.E001",
            )
        )
    middleware = getattr(settings, "MIDDLEWARE", [])
    if getattr(settings, "AUDIT_LOG_ENABLED", True):
        if "audit.middleware.AuditMiddleware" not in middleware:
            problems.append(
                Error("audit.middleware.AuditMiddleware is not installed.", id="audit.E002")
            )
    elif not settings.DEBUG:
        problems.append(
            Warning(
                "AUDIT_LOG_ENABLED is off: logins, refusals, exports and changes are not "
                "audited (等保 8.1.4.3 requires it).",
                id="audit.W001",
            )
        )
    if "audit.middleware.DutyFenceMiddleware" not in middleware:
        problems.append(
            Error("audit.middleware.DutyFenceMiddleware is not installed.", id="audit.E003")
        )
    if not getattr(settings, "ADMIN_DUTIES_SEPARATED", True) and not settings.DEBUG:
        problems.append(
            Warning(
                "ADMIN_DUTIES_SEPARATED is off: the system administrator also manages "
                "accounts (等保 8.1.4.2 asks for separated duties).",
                id="audit.W002",
            )
        )
    return problems
