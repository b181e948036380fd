from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.dates import today
from core.http import XLSX_CONTENT_TYPE, attachment_response, file_response
from core.pagination import paginate
from core.views_helpers import apply_domain_error
from hospitals.figures import is_large_scope
from hospitals.models import Hospital, Region

from .choices import (
    NARRATIVE_REPORT_TYPES,
    STATUS_BADGES,
    STATUTORY_REPORT_TYPES,
    ExportStatus,
    PeriodKind,
    ReportType,
)
from .dashboard import bureau_dashboard, officer_dashboard
from .forms import DEFAULT_PERIOD_KIND, NarrativeForm, ReportRequestForm
from .models import ReportExport
from .mywork import my_work as select_my_work
from .narratives import NarrativeError, narrative_for, narrative_save
from .periods import Period, PeriodError
from .scope import ReportScope
from .services import (
    ReportError,
    build_report_bytes,
    check_can_request,
    direct_download_allowed,
    export_request,
    export_retry,
    report_ascii_filename,
    report_filename,
    report_types_for,
)
from .snapshots import dashboard_periods, run_for
from .statutory import (
    StatutoryError,
    confirmation_rows,
    confirmed_count,
    due_date,
    hospitals_to_confirm,
    latest_periods,
    period_kind_of,
    statutory_confirm,
    statutory_figures_by_hospital,
)


def _require_reports(user):
    if not report_types_for(user):
        raise PermissionDenied


def _exports_for(request):
    exports = ReportExport.objects.visible_to(request.user).select_related(
        "region", "hospital", "requested_by"
    )
    status = request.GET.get("status")
    if status in ExportStatus.values:
        exports = exports.filter(status=status)
    report_type = request.GET.get("type")
    if report_type in ReportType.values:
        exports = exports.filter(report_type=report_type)
    if request.GET.get("mine"):
        exports = exports.filter(requested_by=request.user)
    return exports


def export_list(request):
    """The reports page: request form on top, the exports the user can see below."""
    _require_reports(request.user)
    form = ReportRequestForm(user=request.user)
    if request.method == "POST":
        form = ReportRequestForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            scope = ReportScope(
                region=data["region"], hospital=data.get("hospital"), period=data["period"]
            )
            if "direct" in request.POST:
                return _direct_download(request, data["report_type"], scope, form)
            try:
                export = export_request(
                    report_type=data["report_type"],
                    region=scope.region,
                    hospital=scope.hospital,
                    period=scope.period,
                    by=request.user,
                )
            except ReportError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("报表已加入生成队列,完成后会通知您。"))
                return redirect("reports:detail", pk=export.pk)
    page = paginate(request, _exports_for(request), per_page=20)
    return render(
        request,
        "reports/export_list.html",
        {
            "form": form,
            "page": page,
            "exports": page.object_list,
            "status_choices": ExportStatus.choices,
            "type_choices": ReportType.choices,
            "badges": STATUS_BADGES,
            "has_running": any(not e.is_finished for e in page.object_list),
            "default_period_kinds": {str(k): str(v) for k, v in DEFAULT_PERIOD_KIND.items()},
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _direct_download(request, report_type, scope, form):
    if not direct_download_allowed(report_type, scope):
        messages.warning(
            request, _("该范围数据量较大,不能直接下载。已为您改为后台生成,完成后会通知您。")
        )
        export = export_request(
            report_type=report_type,
            region=scope.region,
            hospital=scope.hospital,
            period=scope.period,
            by=request.user,
        )
        return redirect("reports:detail", pk=export.pk)

    check_can_request(
        user=request.user, report_type=report_type, region=scope.region, hospital=scope.hospital
    )
    content, _rows = build_report_bytes(report_type, scope)
    fallback = report_ascii_filename(
        report_type=report_type,
        region=scope.region,
        hospital=scope.hospital,
        period_key=scope.period.key,
    )
    return attachment_response(
        content,
        report_filename(report_type=report_type, scope=scope),
        XLSX_CONTENT_TYPE,
        fallback=fallback,
    )


def _get_export(request, pk):
    return get_object_or_404(
        ReportExport.objects.visible_to(request.user).select_related(
            "region", "hospital", "requested_by"
        ),
        pk=pk,
    )


def export_detail(request, pk):
    export = _get_export(request, pk)
    return render(
        request,
        "reports/export_detail.html",
        {"export": export, "badge": STATUS_BADGES.get(export.status, "secondary")},
    )


def export_status(request, pk):
    """Polled by the detail page while the build runs."""
    export = _get_export(request, pk)
    return JsonResponse(
        {
            "status": export.status,
            "status_display": export.get_status_display(),
            "finished": export.is_finished,
            "row_count": export.row_count,
            "download_url": reverse("reports:download", args=[export.pk])
            if export.is_downloadable
            else "",
        }
    )


def export_download(request, pk):
    export = _get_export(request, pk)
    if not export.is_downloadable:
        raise Http404(_("报表尚未生成。"))
    try:
        handle = export.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("报表文件已不存在,请重新生成。"))
    fallback = report_ascii_filename(
        report_type=export.report_type,
        region=export.region,
        hospital=export.hospital,
        period_key=export.period_key,
    )
    return file_response(
        handle, export.filename or "report.xlsx", XLSX_CONTENT_TYPE, fallback=fallback
    )


@require_POST
def export_retry_view(request, pk):
    export = _get_export(request, pk)
    if not export.is_scheduled and export.requested_by_id not in (None, request.user.pk):
        if not (request.user.is_superuser or request.user.is_bureau_side):
            raise PermissionDenied
    try:
        export_retry(export=export, by=request.user)
    except ReportError as exc:
        apply_domain_error(request, exc)
    else:
        messages.success(request, _("已重新加入生成队列。"))
    return redirect("reports:detail", pk=export.pk)


# ---- home pages ----------------------------------------------------------------------------


def _dashboard_period(request) -> Period:
    key = request.GET.get("period") or ""
    if key:
        try:
            return Period.parse(key)
        except PeriodError as exc:
            messages.error(request, str(exc))
    return Period.containing(PeriodKind.YEAR, today())


def _period_options(current: Period) -> list[tuple[str, str]]:
    choices = [(p.key, p.label) for p in dashboard_periods()]
    if current.key not in {key for key, _label in choices}:
        choices.insert(0, (current.key, current.label))
    return choices


LEAGUE_PAGE_SIZE = 50
STATUTORY_PAGE_SIZE = 50


def dashboard(request):
    """The home page: each role's dashboard."""
    user = request.user
    if user.is_officer and user.hospital_id and not user.is_superuser:
        context = officer_dashboard(user)
        return render(request, "reports/officer_home.html", context)
    if not (user.is_superuser or user.is_bureau_side):
        return render(request, "core/home.html")
    regions = Region.objects.visible_to(user).order_by("path")
    region = None
    if request.GET.get("region", "").isdigit():
        region = regions.filter(pk=request.GET["region"]).first()
    if region is None:
        region = user.region if user.region_id else regions.filter(parent__isnull=True).first()
    if region is None:
        return render(request, "core/home.html")
    period = _dashboard_period(request)
    scope = ReportScope(region=region, period=period)
    if is_large_scope(user):
        # A province's figures take seconds to add up from the hazards: read from the stored
        # run of the period instead, as of the run's instant (the page states it).
        run = run_for(period)
        scope = ReportScope(region=region, period=period, as_of=run.as_of)
        context = bureau_dashboard(scope, run=run)
    else:
        context = bureau_dashboard(scope)
    context = {
        **context,
        "league_page": paginate(request, context["league_hospitals"], per_page=LEAGUE_PAGE_SIZE),
        "scope": scope,
        "region": region,
        "period": period,
        "regions": regions,
        "period_options": _period_options(period),
    }
    return render(request, "reports/bureau_home.html", context)


def my_work(request):
    """我的工作: the first page after login for every role — what this person must do now."""

    work = select_my_work(request.user)
    return render(request, "reports/my_work.html", {"work": work, "today": today()})


# ---- statutory tables (隐患排查治理情况统计表) and narrative texts ---------------------------------


def _statutory_choice(request) -> tuple[str, Period]:
    """The table type and period asked for (default: the latest ended quarter)."""

    report_type = request.GET.get("type") or ReportType.HAZARD_STATS_QUARTER
    if report_type not in STATUTORY_REPORT_TYPES:
        raise Http404
    key = request.GET.get("period") or ""
    period = latest_periods(report_type, today(), count=1)[0]
    if key:
        try:
            period = Period.parse(key)
        except PeriodError:
            raise Http404
        if period.kind != period_kind_of(report_type):
            raise Http404
    return report_type, period


def _statutory_period(report_type: str, key: str) -> Period:
    if report_type not in STATUTORY_REPORT_TYPES:
        raise Http404
    try:
        period = Period.parse(key)
    except PeriodError:
        raise Http404
    if period.kind != period_kind_of(report_type):
        raise Http404
    return period


@require_GET
def statutory_list(request):
    """The statutory tables of a period: each hospital's figures, due date and confirmation;
    an officer sees (and confirms) their own hospital's only."""

    user = request.user
    if not (user.is_superuser or user.is_bureau_side or (user.is_officer and user.hospital_id)):
        raise PermissionDenied
    report_type, period = _statutory_choice(request)
    regions = Region.objects.visible_to(user).order_by("path")
    region = None
    if request.GET.get("region", "").isdigit():
        region = get_object_or_404(regions, pk=request.GET["region"])
    if user.is_officer and not user.is_superuser:
        hospitals = Hospital.objects.filter(pk=user.hospital_id)
        region = user.hospital.region
        scope = ReportScope(region=region, hospital=user.hospital, period=period)
    else:
        region = region or (user.region if user.region_id else regions.first())
        if region is None:
            raise Http404
        hospitals = Hospital.objects.in_region(region)
        scope = ReportScope(region=region, period=period)
    page = paginate(request, hospitals_to_confirm(hospitals), per_page=STATUTORY_PAGE_SIZE)
    rows = confirmation_rows(
        hospitals=list(page), report_type=report_type, period=period, user=user
    )
    figures = statutory_figures_by_hospital(scope)
    for row in rows:
        row.figures = figures.get(row.hospital.pk)
    periods = {
        kind: latest_periods(
            kind, today(), count=8 if kind == ReportType.HAZARD_STATS_QUARTER else 3
        )
        for kind in STATUTORY_REPORT_TYPES
    }
    return render(
        request,
        "reports/statutory_list.html",
        {
            "rows": rows,
            "page": page,
            "report_type": report_type,
            "report_label": ReportType(report_type).label,
            "period": period,
            "due": due_date(report_type, period),
            "region": region,
            "regions": regions if not user.is_officer else [],
            "confirmed": confirmed_count(
                hospitals=hospitals, report_type=report_type, period=period
            ),
            "period_options": [
                (kind, ReportType(kind).label, p.key, p.label)
                for kind in STATUTORY_REPORT_TYPES
                for p in periods[kind]
            ],
            "as_of": scope.as_of_text,
            "is_officer": user.is_officer and not user.is_superuser,
        },
    )


@require_GET
def statutory_download(request, report_type: str, period_key: str):
    """A hospital's table (`?hospital=`) or a region's (`?region=`), built now as of the
    period's instant; the same builder as the scheduled region tables."""
    period = _statutory_period(report_type, period_key)
    user = request.user
    hospital_id, region_id = request.GET.get("hospital", ""), request.GET.get("region", "")
    if hospital_id.isdigit():
        hospital = get_object_or_404(
            Hospital.objects.visible_to(user).select_related("region"), pk=hospital_id
        )
        scope = ReportScope(region=hospital.region, hospital=hospital, period=period)
    elif region_id.isdigit():
        if not (user.is_superuser or user.is_bureau_side):
            raise PermissionDenied
        region = get_object_or_404(Region.objects.visible_to(user), pk=region_id)
        scope = ReportScope(region=region, period=period)
    else:
        raise Http404
    content, _rows = build_report_bytes(report_type, scope)
    return attachment_response(
        content, report_filename(report_type=report_type, scope=scope), XLSX_CONTENT_TYPE
    )


@require_POST
def statutory_confirm_view(request, report_type: str, period_key: str, hospital_pk: int):
    period = _statutory_period(report_type, period_key)
    hospital = get_object_or_404(Hospital.objects.visible_to(request.user), pk=hospital_pk)
    try:
        statutory_confirm(
            hospital=hospital, report_type=report_type, period=period, by=request.user
        )
    except StatutoryError as exc:
        apply_domain_error(request, exc)
    else:
        messages.success(
            request,
            _("已确认%(period)s%(label)s。")
            % {"period": period.label, "label": ReportType(report_type).label},
        )
    return redirect(reverse("reports:statutory") + f"?type={report_type}&period={period.key}")


def _narrative_choice(request) -> tuple[str, Period, Region]:
    report_type = request.GET.get("type") or ReportType.PROGRESS
    if report_type not in NARRATIVE_REPORT_TYPES:
        raise Http404
    now = today()
    if report_type == ReportType.CAMPAIGN_SUMMARY:
        default = Period.containing(PeriodKind.YEAR, now)
    else:
        default = Period.containing(PeriodKind.MONTH, now).previous()
    period = default
    if request.GET.get("period"):
        try:
            period = Period.parse(request.GET["period"])
        except PeriodError:
            raise Http404
    if report_type == ReportType.PROGRESS and period.kind not in (
        PeriodKind.WEEK,
        PeriodKind.MONTH,
    ):
        raise Http404
    if report_type == ReportType.CAMPAIGN_SUMMARY and period.kind != PeriodKind.YEAR:
        raise Http404
    if period.start > now:
        raise Http404
    regions = Region.objects.visible_to(request.user)
    if request.GET.get("region", "").isdigit():
        region = get_object_or_404(regions, pk=request.GET["region"])
    else:
        region = request.user.region if request.user.region_id else regions.order_by("path").first()
        if region is None:
            raise Http404
    return report_type, period, region


def narrative_edit(request):
    """Bureau staff edit the 工作开展情况 / 存在问题 / 下步打算 of a report before export: the
    saved text, else the text pre-filled from the period's figures."""

    user = request.user
    if not (user.is_superuser or user.is_bureau_side):
        raise PermissionDenied
    report_type, period, region = _narrative_choice(request)
    scope = ReportScope(region=region, period=period)
    text = narrative_for(report_type, scope)
    form = NarrativeForm(
        initial={
            "work_done": text.work_done,
            "problems": text.problems,
            "next_steps": text.next_steps,
        }
    )
    query = f"?type={report_type}&period={period.key}&region={region.pk}"
    if request.method == "POST":
        form = NarrativeForm(request.POST)
        if form.is_valid():
            try:
                narrative_save(
                    report_type=report_type,
                    region=region,
                    period=period,
                    by=user,
                    **form.cleaned_data,
                )
            except NarrativeError as exc:
                apply_domain_error(form, exc)
            else:
                if "export" in request.POST:
                    export = export_request(
                        report_type=report_type, region=region, period=period, by=user
                    )
                    messages.success(request, _("文字已保存,报表已加入生成队列。"))
                    return redirect("reports:detail", pk=export.pk)
                messages.success(request, _("文字已保存,导出报表时将使用保存的文字。"))
                return redirect(reverse("reports:narrative") + query)
    now = today()
    options = [
        (ReportType.PROGRESS, Period.containing(PeriodKind.WEEK, now).previous()),
        (ReportType.PROGRESS, Period.containing(PeriodKind.MONTH, now).previous()),
        (ReportType.PROGRESS, Period.containing(PeriodKind.MONTH, now)),
        (ReportType.CAMPAIGN_SUMMARY, Period.containing(PeriodKind.YEAR, now)),
    ]
    return render(
        request,
        "reports/narrative_form.html",
        {
            "form": form,
            "report_type": report_type,
            "report_label": ReportType(report_type).label,
            "period": period,
            "region": region,
            "regions": Region.objects.visible_to(user).order_by("path"),
            "saved": text.saved,
            "query": query,
            "as_of": scope.as_of_text,
            "options": [(kind, ReportType(kind).label, p.key, p.label) for kind, p in options],
        },
        status=400 if form.is_bound and form.errors else 200,
    )
