"""The audit log for audit administrators: list with filters, one entry, Excel export, the
chain status. Region-scoped (AuditEntry.objects.visible_to); every other role gets 403."""

from __future__ import annotations

import json

from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.dates import today
from core.http import XLSX_CONTENT_TYPE, ascii_filename, attachment_response
from core.pagination import paginate
from core.permissions import role_required
from core.roles import Role

from .exports import audit_workbook
from .forms import AuditFilterForm
from .models import AuditCheckpoint, AuditEntry, AuditVerification

PAGE_SIZES = (50, 100, 200)
# The list shows snapshot columns only (actor name, not the user row): no joins, a constant
# number of queries per page.
LIST_FIELDS = (
    "pk",
    "seq",
    "at",
    "actor_name",
    "username",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "ip",
    "method",
    "path",
    "status",
    "source",
)


def _filtered(request):
    form = AuditFilterForm(request.GET or None)
    return form, form.filter(AuditEntry.objects.visible_to(request.user))


@role_required(Role.AUDITOR)
@require_GET
def entry_list(request):
    form, entries = _filtered(request)
    page = paginate(request, entries.only(*LIST_FIELDS).order_by("-seq"), per_page=PAGE_SIZES)
    return render(
        request,
        "audit/entry_list.html",
        {
            "form": form,
            "page": page,
            "verification": AuditVerification.objects.first(),
            "checkpoint": AuditCheckpoint.objects.first(),
        },
    )


@role_required(Role.AUDITOR)
@require_GET
def entry_detail(request, pk: int):
    entry = get_object_or_404(AuditEntry.objects.visible_to(request.user), pk=pk)
    detail_json = json.dumps(entry.detail, ensure_ascii=False, indent=1) if entry.detail else "—"
    return render(request, "audit/entry_detail.html", {"entry": entry, "detail_json": detail_json})


@role_required(Role.AUDITOR)
@require_GET
def entry_export(request):
    """The filtered log as Excel; the download itself is audited (AuditMiddleware)."""
    _form, entries = _filtered(request)
    user = request.user
    scope = user.region.name if user.region_id else _("全部")
    content = audit_workbook(entries.order_by("seq"), scope=scope, period=today().isoformat())
    filename = _("审计日志-%(date)s.xlsx") % {"date": today().isoformat()}
    fallback = ascii_filename("audit-log", today().strftime("%Y%m%d"), ext=".xlsx")
    return attachment_response(content, filename, XLSX_CONTENT_TYPE, fallback=fallback)
