"""Thin Celery tasks: the nightly chain verification and the retention purge."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.translation import gettext as _

from core.roles import Role

from . import chain
from .choices import Action
from .recorder import audit_record

logger = logging.getLogger("safehospital.audit")


def notify_broken_chain(report: chain.ChainReport) -> int:
    """Tell the audit administrators (by e-mail; the error is logged for the operators too)."""
    logger.error("audit chain broken at seq=%s: %s", report.broken_seq, report.message)
    recipients = list(
        get_user_model()
        .objects.filter(role=Role.AUDITOR, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not recipients:
        return 0
    return send_mail(
        _("【平安医院】审计日志完整性校验失败"),
        _("审计链校验发现异常:%(message)s 请登录系统查看审计日志并核查数据库操作记录。")
        % {"message": report.message},
        None,
        recipients,
        fail_silently=True,
    )


@shared_task(name="audit.verify_chain", soft_time_limit=1800, time_limit=1900)
def verify_chain() -> bool:
    report = chain.verify_and_record()
    if not report.ok:
        notify_broken_chain(report)
    return report.ok


@shared_task(name="audit.purge_expired", soft_time_limit=1800, time_limit=1900)
def purge_expired() -> int:
    cutoff = timezone.now() - dt.timedelta(days=settings.AUDIT_RETENTION_DAYS)
    purged = chain.purge(older_than=cutoff)
    if purged:
        # The purge itself is on the record (a system entry: the top-level auditors read it).
        audit_record(
            Action.SYSTEM,
            object_type="audit.auditentry",
            object_repr="retention purge",
            detail={"purged": purged, "cutoff": cutoff.isoformat()},
        )
    return purged
