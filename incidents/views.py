"""Views: scoped get → form → service → redirect/render. Outsiders get 404 (`visible_to`);
people who see a record but may not record it get 403 (`services.may_record`)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.dates import month_bounds, today
from core.http import XLSX_CONTENT_TYPE, attachment_response, file_response
from core.lists import FilteredList, user_kwargs
from core.pagination import paginate
from core.views_helpers import apply_domain_error
from hospitals.models import Hospital

from . import selectors, services
from .choices import MIN_PATROLS_PER_DAY
from .exports import incidents_workbook, patrols_workbook
from .filters import IncidentFilter, PatrolFilter
from .forms import AttachmentForm, IncidentForm, PatrolForm, PatrolHazardForm, PatrolTargetForm
from .models import Incident, IncidentAttachment, Patrol, PatrolTarget

PAGE_SIZE = 25


def _scope_label(user) -> str:
    if getattr(user, "hospital_id", None):
        return user.hospital.name
    if getattr(user, "region_id", None):
        return user.region.name
    return _("全部")


def _own_hospital(request) -> Hospital:
    """The hospital an officer records for; everyone else may not record (403)."""
    user = request.user
    if not services.may_record(user, getattr(user, "hospital_id", None)):
        raise PermissionDenied
    return user.hospital


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _changes(obj, model) -> list[dict]:
    """The record's history, newest first: who, when, and which fields changed."""
    records = list(obj.history.select_related("history_user")[:21])
    changes = []
    for newer, older in zip(records, records[1:] + [None], strict=False):
        if len(changes) == 20:
            break
        fields = []
        if older is not None and newer.history_type == "~":
            fields = [
                str(model._meta.get_field(change.field).verbose_name)
                for change in newer.diff_against(older).changes
                if change.field != "updated_at"
            ]
        changes.append({"record": newer, "fields": fields})
    return changes


# --- incidents -------------------------------------------------------------------------------
INCIDENTS = FilteredList(
    IncidentFilter,
    lambda request: Incident.objects.visible_to(request.user),
    ordering=("-occurred_at", "-id"),
    page_rows=lambda rows: rows.select_related("hospital", "hospital__region").annotate(
        attachment_count=Count("attachments")
    ),
    per_page=PAGE_SIZE,
    filterset_kwargs=user_kwargs,
)


def incident_list(request):
    context = INCIDENTS.page_context(
        request,
        can_record=services.may_record(request.user, getattr(request.user, "hospital_id", None)),
    )
    return render(request, "incidents/incident_list.html", context)


def incident_export(request):
    content = incidents_workbook(
        INCIDENTS.rows(request), scope=_scope_label(request.user), period=_period_label(request)
    )
    filename = _("治安事件登记台账-%(date)s.xlsx") % {"date": today().isoformat()}
    return attachment_response(content, filename, XLSX_CONTENT_TYPE)


def _period_label(request) -> str:
    start, end = request.GET.get("date_from", ""), request.GET.get("date_to", "")
    if start or end:
        return f"{start or '…'} ~ {end or '…'}"
    return _("全部")


def incident_new(request):
    hospital = _own_hospital(request)
    form = IncidentForm(
        request.POST or None,
        request.FILES or None,
        with_files=True,
        submit_label=_("登记"),
        initial={"occurred_at": timezone.localtime().replace(second=0, microsecond=0)},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        attachments = data.pop("attachments", [])
        upload_key = data.pop("upload_key", "")
        try:
            incident = services.incident_create(
                hospital=hospital,
                by=request.user,
                attachments=attachments,
                upload_key=upload_key,
                **data,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        except services.IncidentError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("治安事件已登记。"))
            return redirect("incidents:incident_detail", pk=incident.pk)
    return render(
        request,
        "incidents/form.html",
        {"form": form, "title": _("登记治安事件"), "back": "incidents:incident_list"},
    )


def _visible_incident(request, pk: int) -> Incident:
    return get_object_or_404(
        Incident.objects.visible_to(request.user).select_related(
            "hospital", "hospital__region", "created_by"
        ),
        pk=pk,
    )


def incident_detail(request, pk: int):
    incident = _visible_incident(request, pk)
    can_record = services.may_record(request.user, incident.hospital_id)
    return render(
        request,
        "incidents/incident_detail.html",
        {
            "incident": incident,
            "attachments": list(incident.attachments.all()),
            "changes": _changes(incident, Incident),
            "can_record": can_record,
            "attach_form": AttachmentForm() if can_record else None,
        },
    )


def incident_edit(request, pk: int):
    incident = _visible_incident(request, pk)
    if not services.may_record(request.user, incident.hospital_id):
        raise PermissionDenied
    initial = {name: getattr(incident, name) for name in services.INCIDENT_FIELDS}
    form = IncidentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.incident_update(incident=incident, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        except services.IncidentError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("修改已保存并记入历史。"))
            return redirect("incidents:incident_detail", pk=incident.pk)
    return render(
        request,
        "incidents/form.html",
        {
            "form": form,
            "title": _("修改治安事件"),
            "object": incident,
            "back": "incidents:incident_detail",
        },
    )


@require_POST
def incident_attach(request, pk: int):
    incident = _visible_incident(request, pk)
    if not services.may_record(request.user, incident.hospital_id):
        raise PermissionDenied
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        stored = 0
        key = form.cleaned_data["upload_key"]
        for index, upload in enumerate(form.cleaned_data["files"]):
            try:
                _row, created = services.incident_attach(
                    incident=incident,
                    by=request.user,
                    upload=upload,
                    upload_key=f"{key[:56]}-{index}" if key else "",
                )
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                stored += int(created)
        if stored:
            messages.success(request, _("已上传 %(n)d 个附件。") % {"n": stored})
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("incidents:incident_detail", pk=incident.pk)


def attachment_download(request, pk: int):
    attachment = get_object_or_404(IncidentAttachment.objects.visible_to(request.user), pk=pk)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404(_("文件不存在或已被删除。"))
    return file_response(
        handle, attachment.original_name, attachment.content_type, inline=attachment.is_image
    )


# --- patrols ---------------------------------------------------------------------------------
PATROLS = FilteredList(
    PatrolFilter,
    lambda request: Patrol.objects.visible_to(request.user),
    ordering=("-patrolled_on", "-started_at", "-id"),
    page_rows=lambda rows: rows.select_related("hospital", "hospital__region").annotate(
        hazard_count=Count("hazards")
    ),
    per_page=PAGE_SIZE,
    filterset_kwargs=user_kwargs,
)


def patrol_list(request):
    context = PATROLS.page_context(
        request,
        can_record=services.may_record(request.user, getattr(request.user, "hospital_id", None)),
        target=MIN_PATROLS_PER_DAY,
    )
    return render(request, "incidents/patrol_list.html", context)


def patrol_export(request):
    content = patrols_workbook(
        PATROLS.rows(request), scope=_scope_label(request.user), period=_period_label(request)
    )
    filename = _("安保巡查记录台账-%(date)s.xlsx") % {"date": today().isoformat()}
    return attachment_response(content, filename, XLSX_CONTENT_TYPE)


def patrol_new(request):
    hospital = _own_hospital(request)
    now = timezone.localtime()
    form = PatrolForm(
        request.POST or None,
        submit_label=_("登记"),
        initial={
            "patrolled_on": today(),
            "started_at": now.time().replace(second=0, microsecond=0),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            patrol = services.patrol_create(hospital=hospital, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        except services.IncidentError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("巡查记录已登记。"))
            return redirect("incidents:patrol_detail", pk=patrol.pk)
    return render(
        request,
        "incidents/form.html",
        {"form": form, "title": _("登记安保巡查"), "back": "incidents:patrol_list"},
    )


def _visible_patrol(request, pk: int) -> Patrol:
    return get_object_or_404(
        Patrol.objects.visible_to(request.user).select_related(
            "hospital", "hospital__region", "created_by"
        ),
        pk=pk,
    )


def patrol_detail(request, pk: int, hazard_form=None):
    patrol = _visible_patrol(request, pk)
    can_record = services.may_record(request.user, patrol.hospital_id)
    if can_record and hazard_form is None:
        hazard_form = PatrolHazardForm(initial={"description": patrol.findings})
    return render(
        request,
        "incidents/patrol_detail.html",
        {
            "patrol": patrol,
            "hazards": list(patrol.hazards.order_by("pk")),
            "changes": _changes(patrol, Patrol),
            "can_record": can_record,
            "hazard_form": hazard_form if can_record else None,
        },
    )


def patrol_edit(request, pk: int):
    patrol = _visible_patrol(request, pk)
    if not services.may_record(request.user, patrol.hospital_id):
        raise PermissionDenied
    initial = {name: getattr(patrol, name) for name in services.PATROL_FIELDS}
    form = PatrolForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.patrol_update(patrol=patrol, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        except services.IncidentError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("修改已保存并记入历史。"))
            return redirect("incidents:patrol_detail", pk=patrol.pk)
    return render(
        request,
        "incidents/form.html",
        {
            "form": form,
            "title": _("修改巡查记录"),
            "object": patrol,
            "back": "incidents:patrol_detail",
        },
    )


@require_POST
def patrol_raise(request, pk: int):
    patrol = _visible_patrol(request, pk)
    if not services.may_record(request.user, patrol.hospital_id):
        raise PermissionDenied
    form = PatrolHazardForm(request.POST)
    if form.is_valid():
        try:
            hazard = services.patrol_raise_hazard(
                patrol=patrol, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        except services.IncidentError as exc:
            apply_domain_error(request, exc)
        else:
            messages.success(request, _("已登记隐患 %(code)s。") % {"code": hazard.code})
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("incidents:patrol_detail", pk=patrol.pk)


def _parse_month(value: str | None) -> tuple[int, int]:
    current = today()
    if value:
        try:
            year, month = (int(part) for part in value.split("-"))
            if 2000 <= year <= 2100 and 1 <= month <= 12:
                return year, month
        except ValueError:
            pass
    return current.year, current.month


def short_days(request):
    """The days of a month each visible hospital fell short of the patrol rule."""
    year, month = _parse_month(request.GET.get("month"))
    start, end = month_bounds(year, month)
    hospitals = Hospital.objects.visible_to(request.user)
    rows = selectors.patrol_short_days(hospitals=hospitals, start=start, end=end)
    only_short = request.GET.get("all") != "1"
    shown = [row for row in rows if row.short] if only_short else rows
    page = paginate(request, shown, per_page=PAGE_SIZE)
    previous = dt.date(year, month, 1) - dt.timedelta(days=1)
    following = end + dt.timedelta(days=1)
    return render(
        request,
        "incidents/short_days.html",
        {
            "page": page,
            "month": f"{year}-{month:02d}",
            "previous": f"{previous:%Y-%m}",
            "following": f"{following:%Y-%m}" if following <= today() else "",
            "judged_through": selectors.last_judged_day(end),
            "start": start,
            "target": MIN_PATROLS_PER_DAY,
            "hospitals": len(rows),
            "short_hospitals": sum(1 for row in rows if row.short),
            "short_days": sum(row.short_count for row in rows),
            "only_short": only_short,
        },
    )


def patrol_targets(request):
    """Raised daily patrol targets (fever-clinic peaks): everyone reads those in view, an
    officer adds their own hospital's."""
    user = request.user
    can_record = services.may_record(user, getattr(user, "hospital_id", None))
    if request.method == "POST" and not can_record:
        raise PermissionDenied
    form = PatrolTargetForm(request.POST or None) if can_record else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            services.patrol_target_set(hospital=user.hospital, by=user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("巡查目标已保存。"))
            return redirect("incidents:patrol_targets")
    targets = (
        PatrolTarget.objects.visible_to(user)
        .select_related("hospital", "created_by")
        .order_by("-starts_on", "-id")
    )
    page = paginate(request, targets, per_page=PAGE_SIZE)
    return render(
        request,
        "incidents/patrol_targets.html",
        {"page": page, "form": form, "minimum": MIN_PATROLS_PER_DAY},
    )
