from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.dates import today
from core.figures import cached_for, is_large_scope
from core.http import XLSX_CONTENT_TYPE, attachment_response, file_response
from hospitals.models import Region

from .choices import STATUS_BADGES, ExportStatus, PeriodKind, ReportType
from .dashboard import bureau_dashboard, cacheable, officer_dashboard
from .forms import DEFAULT_PERIOD_KIND, ReportRequestForm
from .models import ReportExport
from .periods import Period, PeriodError
from .scope import ReportScope
from .services import (
    ReportError,
    build_report_bytes,
    direct_download_allowed,
    export_request,
    export_retry,
    report_ascii_filename,
    report_filename,
    report_types_for,
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
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("报表已加入生成队列,完成后会通知您。"))
                return redirect("reports:detail", pk=export.pk)
    page = Paginator(_exports_for(request), 20).get_page(request.GET.get("page"))
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
    from .services import check_can_request

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
        messages.error(request, str(exc))
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
    now = today()
    options = [
        Period.containing(PeriodKind.MONTH, now),
        Period.containing(PeriodKind.MONTH, now).previous(),
        Period.containing(PeriodKind.QUARTER, now),
        Period.containing(PeriodKind.QUARTER, now).previous(),
        Period.containing(PeriodKind.HALF_YEAR, now),
        Period.containing(PeriodKind.YEAR, now),
        Period.containing(PeriodKind.YEAR, now).previous(),
    ]
    choices = [(p.key, p.label) for p in options]
    if current.key not in {key for key, _label in choices}:
        choices.insert(0, (current.key, current.label))
    return choices


LEAGUE_PAGE_SIZE = 50


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
        # A province's figures take seconds to add up: computed at most every few minutes and
        # shown with the instant they are as of (the page states it).
        context = cached_for(
            f"dashboard {region.pk} {period.key} {get_language()}",  # labels are translated
            getattr(settings, "DASHBOARD_CACHE_SECONDS", 300),
            lambda: cacheable(bureau_dashboard(scope)),
        )
    else:
        context = bureau_dashboard(scope)
    context = {
        **context,
        "league_page": Paginator(context["league_hospitals"], LEAGUE_PAGE_SIZE).get_page(
            request.GET.get("hpage")
        ),
        "scope": scope,
        "region": region,
        "period": period,
        "regions": regions,
        "period_options": _period_options(period),
    }
    return render(request, "reports/bureau_home.html", context)
