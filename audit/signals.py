"""Logins, logouts, failed logins (Django's auth signals) and Django admin actions (LogEntry)."""

from __future__ import annotations

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
