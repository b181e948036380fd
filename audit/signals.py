"""Logins, logouts, failed logins (Django's auth signals), Django admin actions (LogEntry) and
the system's own changes (Celery tasks that create or change records)."""

from __future__ import annotations

from celery.signals import task_postrun
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

from .choices import Action
from .middleware import current_request
from .recorder import audit_record_safely

ADMIN_FLAGS = {ADDITION: "add", CHANGE: "change", DELETION: "delete"}


@receiver(user_logged_in, dispatch_uid="audit_login")
def _logged_in(sender, request, user, **kwargs):
    audit_record_safely(Action.LOGIN, actor=user, request=request)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _logged_out(sender, request, user, **kwargs):
    audit_record_safely(Action.LOGOUT, actor=user, request=request)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username") or "")
    audit_record_safely(
        Action.LOGIN_FAILED,
        request=request,
        username=username,
        detail={"backend": getattr(sender, "__name__", str(sender))},
    )


@receiver(post_save, sender=LogEntry, dispatch_uid="audit_admin_logentry")
def _admin_action(sender, instance: LogEntry, created: bool, **kwargs):
    if not created:
        return
    audit_record_safely(
        Action.ADMIN_ACTION,
        actor=instance.user,
        object_type=(
            f"{instance.content_type.app_label}.{instance.content_type.model}"
            if instance.content_type_id
            else ""
        ),
        request=current_request(),
        object_id=instance.object_id or "",
        object_repr=instance.object_repr,
        detail={
            "admin": ADMIN_FLAGS.get(instance.action_flag, str(instance.action_flag)),
            "change": instance.get_change_message(),
        },
    )


# --- the system's own changes: Celery tasks that create or change records ------------------
# (The periodic reads and sends — figure refreshes, delivery retries, the chain verification —
# change no record a person owns and would flood the log; the purge records itself.)
SYSTEM_TASKS = frozenset(
    {
        "hospitals.run_import",
        "inspections.generate_assignments",
        "notifications.run_reminders",
        "reports.build_report_export",
        "reports.schedule_periodic_reports",
        "reports.sweep_stale_exports",
    }
)


def _summary(value: object) -> object:
    """A task's arguments or result as JSON-safe, short text."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, dict):
        return {str(k): _summary(v) for k, v in list(value.items())[:20]}
    if isinstance(value, (list, tuple)):
        return [_summary(v) for v in list(value)[:20]]
    return str(value)[:200]


@task_postrun.connect(dispatch_uid="audit_system_task")
def _system_task(
    sender=None, task_id=None, task=None, args=None, kwargs=None, retval=None, state=None, **extra
):
    name = getattr(task, "name", "") or getattr(sender, "name", "")
    if name not in SYSTEM_TASKS:
        return
    audit_record_safely(
        Action.SYSTEM,
        object_type="celery.task",
        object_id=str(task_id or "")[:64],
        object_repr=name,
        detail={
            "task": name,
            "state": state or "",
            "args": _summary(list(args or [])),
            "kwargs": _summary(dict(kwargs or {})),
            "result": _summary(retval),
        },
    )
