"""The life of a ReportExport: request → queued → running → ready/failed, retry, stale sweep,
and the scheduled (beat) reports. Builders live in `reports/builders/`."""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from core.errors import DomainError, NotAllowed
from core.excel import build_workbook
from core.http import ascii_filename, scope_code
from hospitals.models import Hospital, Region
from notifications import webhooks
from notifications.choices import EventKind, WebhookEvent
from notifications.services import notify

from .builders import BUILDERS, WorkbookPlan, estimate_rows
from .choices import ExportStatus, PeriodKind, ReportType
from .models import ReportExport
from .periods import Period, as_of_for
from .scope import ReportScope

T = TypeVar("T")

logger = logging.getLogger(__name__)

HEARTBEAT_EVERY_ROWS = 500
HEARTBEAT_EVERY_SECONDS = 10


class ReportError(DomainError):
    """A report cannot be requested or built; the message is translated and shown to users."""


class ExportSuperseded(Exception):
    """The record was taken over (by the stale sweep) while this worker was building it."""


def heartbeat_timeout() -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, "REPORTS_HEARTBEAT_TIMEOUT", 300))


def hard_time_limit() -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, "CELERY_TASK_TIME_LIMIT", 720) + 60)


def max_attempts() -> int:
    return getattr(settings, "REPORTS_MAX_ATTEMPTS", 3)


# ---- types each role may request ----------------------------------------------------------


OFFICER_REPORT_TYPES = (
    ReportType.HAZARD_LEDGER,
    ReportType.INSPECTION_MONTH,
    ReportType.SECURITY_HALF_YEAR,
)


def report_types_for(user: User) -> list[str]:
    if user.is_superuser or user.is_bureau_side:
        return list(ReportType.values)
    if user.is_officer:
        return list(OFFICER_REPORT_TYPES)
    return []


def check_can_request(
    *, user: User, report_type: str, region: Region, hospital: Hospital | None
) -> None:
    """Raise NotAllowed (a 403 in views) unless the scope lies inside what the user may see."""
    if report_type not in report_types_for(user):
        raise NotAllowed
    if not Region.objects.visible_to(user).filter(pk=region.pk).exists():
        raise NotAllowed
    if hospital is not None:
        if not region.contains(hospital.region):
            raise NotAllowed
        if not Hospital.objects.visible_to(user).filter(pk=hospital.pk).exists():
            raise NotAllowed
    elif user.is_officer and not user.is_superuser:
        # An officer's reports always cover their own hospital only.
        raise NotAllowed


# ---- building -----------------------------------------------------------------------------


def report_filename(*, report_type: str, scope: ReportScope) -> str:
    label = ReportType(report_type).label
    name = f"{scope.period.label}{label}-{scope.name}.xlsx"
    return name.replace("/", "-").replace("\\", "-")


# Short ASCII names of the report types for the plain `filename` of downloads.
ASCII_TYPE_NAMES: dict[str, str] = {ReportType.HAZARD_LEDGER: "ledger"}


def report_ascii_filename(
    *,
    report_type: str,
    region: Region | None = None,
    hospital: Hospital | None = None,
    period_key: str = "",
) -> str:
    """The ASCII fallback of `report_filename`: type, scope and period, e.g.
    "ledger_JJ_2026Q3.xlsx" (old clients that ignore filename* read this one)."""

    kind = ASCII_TYPE_NAMES.get(report_type, str(report_type))
    scope = scope_code(hospital) if hospital is not None else scope_code(region)
    period = period_key.replace("-", "").replace("..", "-")
    return ascii_filename(kind, scope, period, ext=".xlsx")


def plan_report(report_type: str, scope: ReportScope) -> WorkbookPlan:
    try:
        builder = BUILDERS[report_type]
    except KeyError:
        raise ReportError(_("未知的报表类型“%(type)s”。") % {"type": report_type})
    return builder(scope)


def _with_heartbeat(rows: Iterable[T], beat: Callable[[], None]) -> Iterator[T]:
    last = time.monotonic()
    for index, row in enumerate(rows, start=1):
        if index % HEARTBEAT_EVERY_ROWS == 0 or time.monotonic() - last > HEARTBEAT_EVERY_SECONDS:
            beat()
            last = time.monotonic()
        yield row


def build_report_file(
    report_type: str, scope: ReportScope, path: str, *, heartbeat: Callable[[], None] | None = None
) -> int:
    """Write the complete workbook to `path`; returns the number of data rows."""
    plan = plan_report(report_type, scope)
    if heartbeat is not None:
        for sheet in plan.sheets:
            sheet.rows = _with_heartbeat(sheet.rows, heartbeat)
    return build_workbook(
        plan.sheets,
        report_title=plan.title,
        scope=scope.name,
        period=scope.period.label,
        as_of=scope.as_of_text,
        path=path,
    )


def build_report_bytes(report_type: str, scope: ReportScope) -> tuple[bytes, int]:
    """Synchronous build for direct downloads of small scopes (same builder as the task)."""
    fd, path = tempfile.mkstemp(prefix="report-", suffix=".xlsx")
    os.close(fd)
    try:
        rows = build_report_file(report_type, scope, path)
        with open(path, "rb") as handle:
            return handle.read(), rows
    finally:
        os.unlink(path)


def direct_download_allowed(report_type: str, scope: ReportScope) -> bool:
    """Small scopes are built in the request; anything bigger goes through the queue."""
    limit = getattr(settings, "REPORTS_DIRECT_MAX_ROWS", 3000)
    return estimate_rows(report_type, scope) <= limit


def export_scope(export: ReportExport) -> ReportScope:
    """The scope an export is built for, as of its recorded instant (set when its build is
    claimed: the period end, or the claim time for a period still running)."""
    return ReportScope(
        region=export.region, hospital=export.hospital, period=export.period, as_of=export.as_of
    )


# ---- lifecycle ----------------------------------------------------------------------------


def _enqueue(export_id: int) -> None:
    # The one lazy edge of the services ↔ tasks pair: tasks (thin wrappers) import services.
    from .tasks import build_report_export

    transaction.on_commit(lambda: build_report_export.delay(export_id))


def export_request(
    *,
    report_type: str,
    region: Region,
    period: Period,
    by: User,
    hospital: Hospital | None = None,
) -> ReportExport:
    """Record a request and queue its build (after commit)."""
    check_can_request(user=by, report_type=report_type, region=region, hospital=hospital)
    with transaction.atomic():
        export = ReportExport.objects.create(
            report_type=report_type,
            region=region,
            hospital=hospital,
            period_kind=period.kind,
            period_key=period.key,
            period_start=period.start,
            period_end=period.end,
            requested_by=by,
            status=ExportStatus.QUEUED,
            queued_at=timezone.now(),
        )
        _enqueue(export.pk)
    return export


def export_retry(*, export: ReportExport, by: User) -> ReportExport:
    """Queue a failed build again."""
    with transaction.atomic():
        locked = ReportExport.objects.select_for_update().get(pk=export.pk)
        if locked.status != ExportStatus.FAILED:
            raise ReportError(_("只有生成失败的报表可以重试。"))
        locked.status = ExportStatus.QUEUED
        locked.queued_at = timezone.now()
        locked.error = ""
        locked.finished_at = None
        if by is not None and locked.requested_by_id is None and not locked.is_scheduled:
            locked.requested_by = by
        locked.save(update_fields=["status", "queued_at", "error", "finished_at", "requested_by"])
        _enqueue(locked.pk)
    return locked


def _recipients(export: ReportExport) -> list:
    if export.requested_by_id:
        return [export.requested_by]

    # Scheduled reports go to the administrators of the region they cover.
    return list(User.objects.with_role(Role.ADMIN).filter(region=export.region))


def _notify_finished(export: ReportExport) -> None:
    url = reverse("reports:detail", args=[export.pk])
    if export.status == ExportStatus.READY:
        notify(
            event=EventKind.REPORT_READY,
            recipients=_recipients(export),
            title=_("报表已生成:%(title)s") % {"title": export.title},
            body=_("共 %(rows)d 行,可在报表页面下载。") % {"rows": export.row_count or 0},
            url=url,
            obj=export,
            occurrence=str(export.attempts),
        )
        webhooks.emit(
            WebhookEvent.REPORT_READY,
            export,
            data=lambda: _webhook_data(export),
            url=url,
            occurrence=str(export.attempts),
            occurred_at=export.finished_at,
        )
    else:
        notify(
            event=EventKind.REPORT_FAILED,
            recipients=_recipients(export),
            title=_("报表生成失败:%(title)s") % {"title": export.title},
            body=export.error,
            url=url,
            obj=export,
            occurrence=str(export.attempts),
        )


def _webhook_data(export: ReportExport) -> dict:
    """The `report.ready` payload: ids, scope, period and size (machine values)."""
    hospital = export.hospital
    return {
        "report": {
            "id": export.pk,
            "type": export.report_type,
            "title": export.title,
            "period": export.period_key,
            "as_of": export.as_of,
            "row_count": export.row_count,
            "file_size": export.file_size,
        },
        "region": {"id": export.region_id, "code": export.region.code},
        "hospital": {"id": hospital.pk, "name": hospital.name} if hospital else None,
        "status": export.status,
    }


def readable_error(exc: BaseException) -> str:
    if isinstance(exc, ReportError):
        return str(exc)
    if isinstance(exc, SoftTimeLimitExceeded):
        return _("报表生成超时(超过 %(minutes)d 分钟)。请缩小区域或期间后重试。") % {
            "minutes": settings.CELERY_TASK_SOFT_TIME_LIMIT // 60
        }
    if isinstance(exc, OSError):
        return _("保存报表文件失败(%(error)s)。请稍后重试;如仍失败请联系系统管理员。") % {
            "error": exc.strerror or exc.__class__.__name__
        }
    return _("生成报表时发生内部错误(%(error)s)。请重试;如仍失败请联系系统管理员。") % {
        "error": exc.__class__.__name__
    }


def export_build(export_id: int) -> ReportExport | None:
    """Claim a queued export, build it to a temporary file, then move the complete file into
    storage and mark it ready. A crash at any point leaves no file attached to the record."""
    now = timezone.now()
    claimed = ReportExport.objects.filter(pk=export_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING,
        started_at=now,
        heartbeat_at=now,
        finished_at=None,
        error="",
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return None  # already running, finished, or gone: a redelivered message is a no-op
    export = ReportExport.objects.select_related("region", "hospital", "requested_by").get(
        pk=export_id
    )
    # The instant the figures are as of: the period end once it is over (so a rebuild gives the
    # same numbers), else the claim time. Recorded on the row and printed in the workbook.
    export.as_of = as_of_for(export.period, now=now)
    ReportExport.objects.filter(pk=export_id).update(as_of=export.as_of)
    mine = ReportExport.objects.filter(
        pk=export_id, status=ExportStatus.RUNNING, attempts=export.attempts
    )

    def heartbeat() -> None:
        if not mine.update(heartbeat_at=timezone.now()):
            raise ExportSuperseded

    scope = export_scope(export)
    filename = report_filename(report_type=export.report_type, scope=scope)
    fd, tmp_path = tempfile.mkstemp(prefix=f"report-{export_id}-", suffix=".xlsx.part")
    os.close(fd)
    stored_name = ""
    try:
        rows = build_report_file(export.report_type, scope, tmp_path, heartbeat=heartbeat)
        heartbeat()
        size = os.path.getsize(tmp_path)
        with open(tmp_path, "rb") as handle:
            target = export.file.field.generate_filename(
                export, f"{export.pk}-{uuid.uuid4().hex[:12]}.xlsx"
            )
            stored_name = export.file.storage.save(target, File(handle))
        # The record turns ready and its requester is told in one transaction.
        with transaction.atomic():
            finished = mine.update(
                status=ExportStatus.READY,
                file=stored_name,
                filename=filename,
                file_size=size,
                row_count=rows,
                finished_at=timezone.now(),
            )
            if not finished:
                raise ExportSuperseded
            export.refresh_from_db()
            _notify_finished(export)
    except ExportSuperseded:
        if stored_name:
            export.file.storage.delete(stored_name)
        logger.warning("report export %s was taken over by the stale sweep", export_id)
        return None
    except Exception as exc:
        if stored_name:
            export.file.storage.delete(stored_name)
        logger.exception("report export %s failed", export_id)
        with transaction.atomic():
            if mine.update(
                status=ExportStatus.FAILED, error=readable_error(exc), finished_at=timezone.now()
            ):
                export.refresh_from_db()
                _notify_finished(export)
    finally:
        if os.path.exists(tmp_path):
            os.unlink(tmp_path)
    export.refresh_from_db()
    return export


def exports_sweep_stale(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Never "running" forever: a build whose worker died (no heartbeat for longer than the
    timeout, or running past the hard time limit) is queued again, or failed after the
    last attempt. Queued builds whose message was lost are sent again."""
    now = now or timezone.now()
    stale = ReportExport.objects.filter(status=ExportStatus.RUNNING).filter(
        Q(heartbeat_at__lt=now - heartbeat_timeout())
        | Q(heartbeat_at__isnull=True, started_at__lt=now - heartbeat_timeout())
        | Q(started_at__lt=now - hard_time_limit())
    )
    counts = {"requeued": 0, "failed": 0, "resent": 0}
    for export in stale.select_related("region", "hospital", "requested_by"):
        same = ReportExport.objects.filter(
            pk=export.pk, status=ExportStatus.RUNNING, attempts=export.attempts
        )
        with transaction.atomic():
            if export.attempts < max_attempts():
                if same.update(status=ExportStatus.QUEUED, queued_at=now, heartbeat_at=None):
                    counts["requeued"] += 1
                    _enqueue(export.pk)
            else:
                error = _(
                    "报表生成进程意外中断,已尝试 %(attempts)d 次仍未完成。请缩小范围后重试。"
                ) % {"attempts": export.attempts}
                if same.update(status=ExportStatus.FAILED, error=error, finished_at=now):
                    counts["failed"] += 1
                    export.status, export.error = ExportStatus.FAILED, error
                    _notify_finished(export)
    lost = ReportExport.objects.filter(
        status=ExportStatus.QUEUED, queued_at__lt=now - heartbeat_timeout()
    ).values_list("pk", flat=True)
    for pk in lost:
        with transaction.atomic():
            if ReportExport.objects.filter(pk=pk, status=ExportStatus.QUEUED).update(queued_at=now):
                counts["resent"] += 1
                _enqueue(pk)
    counts["leftovers"] = remove_partial_files(now=now)
    return counts


PARTIAL_FILE = re.compile(r"^report-(\d+)-.*\.xlsx\.part$")


def remove_partial_files(*, now: dt.datetime, directory: str | None = None) -> int:
    """Delete the half-written `report-<id>-*.xlsx.part` files a killed build leaves in this
    machine's temp folder: those of exports no longer running, and any older than the hard
    time limit (no live build is). Returns how many were removed."""
    directory = directory or tempfile.gettempdir()
    try:
        # {file name: export id}
        names = {
            name: int(match[1])
            for name in os.listdir(directory)
            if (match := PARTIAL_FILE.match(name))
        }
    except OSError:
        return 0
    if not names:
        return 0
    running = set(
        ReportExport.objects.filter(status=ExportStatus.RUNNING).values_list("pk", flat=True)
    )
    oldest_live = (now - hard_time_limit()).timestamp()
    removed = 0
    for name, export_id in names.items():
        path = os.path.join(directory, name)
        try:
            if export_id not in running or os.path.getmtime(path) < oldest_live:
                os.unlink(path)
                removed += 1
        except OSError:  # gone meanwhile
            continue
    return removed


# ---- scheduled reports ---------------------------------------------------------------------

# (report type, period kind) built for every region once the period has ended.
SCHEDULED_REPORTS = (
    (ReportType.QUARTERLY, PeriodKind.QUARTER),
    (ReportType.INSPECTION_MONTH, PeriodKind.MONTH),
    (ReportType.PROGRESS, PeriodKind.MONTH),
    (ReportType.PROGRESS, PeriodKind.WEEK),  # 信息周报, on Mondays
    (ReportType.SECURITY_HALF_YEAR, PeriodKind.HALF_YEAR),
    # 隐患排查治理情况统计表 (16号令): region tables; each hospital confirms its own (statutory.py)
    (ReportType.HAZARD_STATS_QUARTER, PeriodKind.QUARTER),
    (ReportType.HAZARD_STATS_YEAR, PeriodKind.YEAR),
)


def schedule_periodic_reports(*, today: dt.date) -> list[ReportExport]:
    """Make sure the last completed month / quarter / half year has its scheduled reports for
    every region. Runs daily; on the 1st it creates the new ones, on other days it is a no-op
    (the partial unique constraint makes a duplicated tick harmless)."""
    created = []
    for report_type, kind in SCHEDULED_REPORTS:
        # The period that ended most recently. On its 1st the new one appears; on later days
        # a missing one (beat was down on the 1st) is created late rather than never.
        period = Period.containing(kind, today).previous()
        existing = set(
            ReportExport.objects.filter(
                is_scheduled=True, report_type=report_type, period_key=period.key
            ).values_list("region_id", flat=True)
        )
        for region in Region.objects.exclude(pk__in=existing).order_by("path"):
            try:
                with transaction.atomic():
                    export = ReportExport.objects.create(
                        report_type=report_type,
                        region=region,
                        period_kind=period.kind,
                        period_key=period.key,
                        period_start=period.start,
                        period_end=period.end,
                        is_scheduled=True,
                        status=ExportStatus.QUEUED,
                        queued_at=timezone.now(),
                    )
                    _enqueue(export.pk)
            except IntegrityError:
                continue  # another beat tick created it first
            created.append(export)
    return created
