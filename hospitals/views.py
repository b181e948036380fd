from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET

from core.dates import today
from core.http import XLSX_CONTENT_TYPE, ascii_filename, attachment_response, scope_code
from core.lists import FilteredList
from core.permissions import role_required
from core.roles import Role
from core.views_helpers import apply_domain_error

from .choices import RegionLevel
from .exports import hospitals_workbook
from .filters import HospitalFilter
from .forms import (
    DepartmentForm,
    HospitalContactsForm,
    HospitalForm,
    HospitalImportForm,
    RegionCreateForm,
    RegionSettingsForm,
)
from .importing import SheetError, error_report_workbook, template_workbook
from .models import BureauDepartment, Hospital, HospitalImport, ImportStatus, Region
from .selectors import SETTING_NAMES, regions_with_effective_settings
from .services import department_save, hospital_import_start, hospital_save, region_save

PAGE_SIZES = (20, 50, 100)


def querystring_without(request, *names: str) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


HOSPITAL_SORT_COLUMNS = [
    ("name", _lazy("机构名称")),
    ("region", _lazy("所属区域")),
    ("level", _lazy("医院等级")),
    ("type", _lazy("机构类型")),
    ("ownership", _lazy("所有制")),
    ("beds", _lazy("实有床位")),
    ("staff", _lazy("在岗医务人员")),
    ("outpatients", _lazy("日均门诊量")),
]


def sort_headers(request, columns) -> list[dict]:
    """Column headers that toggle ?o=key / ?o=-key, keeping the other filters."""
    current = request.GET.get("o", "")
    base = querystring_without(request, "page", "o")
    headers = []
    for key, label in columns:
        direction = "asc" if current == key else "desc" if current == f"-{key}" else ""
        target = f"-{key}" if direction == "asc" else key
        headers.append(
            {
                "key": key,
                "label": label,
                "url": f"?{base}&o={target}" if base else f"?o={target}",
                "direction": direction,
            }
        )
    return headers


HOSPITALS = FilteredList(
    HospitalFilter,
    lambda request: Hospital.objects.visible_to(request.user),
    page_rows=lambda rows: rows.select_related("region", "consortium", "linked_department"),
    per_page=PAGE_SIZES,
)


def hospital_list(request):
    context = HOSPITALS.page_context(
        request, page_sizes=PAGE_SIZES, headers=sort_headers(request, HOSPITAL_SORT_COLUMNS)
    )
    return render(request, "hospitals/hospital_list.html", context)


def hospital_export(request):
    """The filtered list as an Excel workbook (same filters and scope as the page)."""
    user = request.user
    scope = user.hospital.name if user.hospital_id else (user.region.name if user.region_id else "")
    content = hospitals_workbook(HOSPITALS.rows(request), scope=scope or _("全部"))
    filename = _("医疗卫生机构名录-%(date)s.xlsx") % {"date": today().isoformat()}
    code = scope_code(user.hospital if user.hospital_id else user.region) or "all"
    fallback = ascii_filename("hospitals", code, today().strftime("%Y%m%d"), ext=".xlsx")
    return attachment_response(content, filename, XLSX_CONTENT_TYPE, fallback=fallback)


def hospital_detail(request, pk: int):
    hospital = get_object_or_404(
        Hospital.objects.visible_to(request.user).select_related(
            "region", "consortium", "consortium__region", "linked_department"
        ),
        pk=pk,
    )
    records = list(hospital.history.select_related("history_user")[:21])
    changes = []
    for newer, older in zip(records, records[1:] + [None], strict=False):
        if len(changes) == 20:
            break
        changed = []
        if older is not None and newer.history_type == "~":
            delta = newer.diff_against(older)
            changed = [
                str(Hospital._meta.get_field(change.field).verbose_name)
                for change in delta.changes
                if change.field != "updated_at"
            ]
        changes.append({"record": newer, "fields": changed})
    consortium_members = []
    if hospital.consortium_id:
        consortium_members = list(
            Hospital.objects.visible_to(request.user)
            .filter(consortium_id=hospital.consortium_id)
            .exclude(pk=hospital.pk)
            .only("pk", "name", "is_consortium_lead")
        )
    return render(
        request,
        "hospitals/hospital_detail.html",
        {
            "hospital": hospital,
            "officers": hospital.users.order_by("-is_active", "username"),
            "changes": changes,
            "consortium_members": consortium_members,
            "can_edit": request.user.is_superuser or request.user.is_region_admin,
            "can_edit_contacts": request.user.is_officer,
        },
    )


@role_required(Role.ADMIN)
def hospital_create(request):
    initial = {"region": request.user.region_id} if request.user.region_id else {}
    form = HospitalForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        hospital = hospital_save(hospital=form.save(commit=False), by=request.user)
        messages.success(request, _("已新增医疗机构“%(name)s”。") % {"name": hospital.name})
        return redirect("hospitals:detail", pk=hospital.pk)
    return render(
        request, "hospitals/hospital_form.html", {"form": form, "title": _("新增医疗机构")}
    )


@role_required(Role.ADMIN)
def hospital_edit(request, pk: int):
    hospital = get_object_or_404(Hospital.objects.visible_to(request.user), pk=pk)
    form = HospitalForm(request.POST or None, instance=hospital, user=request.user)
    if request.method == "POST" and form.is_valid():
        hospital_save(hospital=form.save(commit=False), by=request.user)
        messages.success(request, _("已保存“%(name)s”。") % {"name": hospital.name})
        return redirect("hospitals:detail", pk=hospital.pk)
    return render(
        request,
        "hospitals/hospital_form.html",
        {"form": form, "hospital": hospital, "title": _("编辑医疗机构")},
    )


@role_required(Role.OFFICER, Role.ADMIN)
def hospital_contacts(request, pk: int):
    """A hospital's officer updates its security head and contact person."""
    hospital = get_object_or_404(Hospital.objects.visible_to(request.user), pk=pk)
    form = HospitalContactsForm(request.POST or None, instance=hospital)
    if request.method == "POST" and form.is_valid():
        hospital_save(hospital=form.save(commit=False), by=request.user)
        messages.success(request, _("已更新“%(name)s”的联系人信息。") % {"name": hospital.name})
        return redirect("hospitals:detail", pk=hospital.pk)
    return render(
        request,
        "hospitals/hospital_form.html",
        {"form": form, "hospital": hospital, "title": _("更新联系人信息")},
    )


# --- Regions and their settings ---------------------------------------------------------


@role_required(Role.ADMIN)
def region_list(request):
    regions = Region.objects.visible_to(request.user).annotate(
        hospital_count=Count("hospitals", distinct=True),
        department_count=Count("departments", distinct=True),
    )
    regions = regions_with_effective_settings(regions)
    return render(
        request,
        "hospitals/region_list.html",
        {
            "regions": regions,
            "setting_labels": [Region._meta.get_field(name).verbose_name for name in SETTING_NAMES],
            # Counties are the lowest level: an administrator of a county has nothing to add.
            "can_add_region": any(region.level != RegionLevel.COUNTY for region in regions),
        },
    )


@role_required(Role.ADMIN)
def region_create(request):
    form = RegionCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        region = region_save(region=form.save(commit=False), by=request.user)
        messages.success(request, _("已新增区域“%(name)s”。") % {"name": region.name})
        return redirect("hospitals:region_edit", pk=region.pk)
    return render(request, "hospitals/region_form.html", {"form": form, "title": _("新增区域")})


@role_required(Role.ADMIN)
def region_edit(request, pk: int):
    region = get_object_or_404(
        Region.objects.visible_to(request.user).select_related("parent"), pk=pk
    )
    form = RegionSettingsForm(request.POST or None, instance=region)
    if request.method == "POST" and form.is_valid():
        region_save(region=form.save(commit=False), by=request.user)
        messages.success(request, _("已保存区域“%(name)s”的设置。") % {"name": region.name})
        return redirect("hospitals:region_list")
    history = region.history.select_related("history_user")[:10]
    return render(
        request,
        "hospitals/region_form.html",
        {"form": form, "region": region, "history": history, "title": _("区域设置")},
    )


# --- 挂钩科室 ------------------------------------------------------------------------------


def _departments_visible_to(user):
    return BureauDepartment.objects.visible_to(user)


@role_required(Role.ADMIN)
def department_list(request):
    departments = (
        _departments_visible_to(request.user)
        .select_related("region")
        .prefetch_related("linked_hospitals")
        .annotate(staff_count=Count("staff", distinct=True))
    )
    return render(request, "hospitals/department_list.html", {"departments": departments})


def _department_form(request, department: BureauDepartment | None):
    form = DepartmentForm(request.POST or None, instance=department, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = department_save(
            department=form.save(commit=False),
            hospitals=form.cleaned_data["hospitals"],
            scope=Hospital.objects.visible_to(request.user),
            by=request.user,
        )
        messages.success(request, _("已保存挂钩科室“%(name)s”。") % {"name": saved.name})
        return redirect("hospitals:department_list")
    title = _("编辑挂钩科室") if department else _("新增挂钩科室")
    return render(
        request,
        "hospitals/department_form.html",
        {"form": form, "department": department, "title": title},
    )


@role_required(Role.ADMIN)
def department_create(request):
    return _department_form(request, None)


@role_required(Role.ADMIN)
def department_edit(request, pk: int):
    department = get_object_or_404(_departments_visible_to(request.user), pk=pk)
    return _department_form(request, department)


# --- Excel import --------------------------------------------------------------------------

IMPORT_ERRORS_SHOWN = 200


@role_required(Role.ADMIN)
def hospital_import(request):
    """Upload: refused at once when it is plainly not a sheet we can read, else queued for a
    worker and the user follows it on the import's page."""
    form = HospitalImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = hospital_import_start(upload=form.cleaned_data["file"], by=request.user)
        except SheetError as exc:
            apply_domain_error(form, exc, field="file")
        else:
            return redirect("hospitals:import_detail", pk=job.pk)
    recent = HospitalImport.objects.visible_to(request.user)[:5]
    return render(request, "hospitals/hospital_import.html", {"form": form, "recent": recent})


@role_required(Role.ADMIN)
def hospital_import_detail(request, pk: int):
    job = get_object_or_404(HospitalImport.objects.visible_to(request.user), pk=pk)
    waiting_too_long = (
        job.status == ImportStatus.QUEUED and (timezone.now() - job.created_at).total_seconds() > 60
    )
    return render(
        request,
        "hospitals/hospital_import_detail.html",
        {
            "job": job,
            "errors": job.errors[:IMPORT_ERRORS_SHOWN],
            "errors_truncated": job.error_count > IMPORT_ERRORS_SHOWN,
            "waiting_too_long": waiting_too_long,
            "form": HospitalImportForm(),
        },
    )


@role_required(Role.ADMIN)
def hospital_import_template(request):
    return attachment_response(
        template_workbook(), _("医疗卫生机构导入模板.xlsx"), XLSX_CONTENT_TYPE
    )


@role_required(Role.ADMIN)
def hospital_import_errors(request, pk: int):
    job = get_object_or_404(HospitalImport.objects.visible_to(request.user), pk=pk)
    if not job.errors:
        raise Http404(_("没有可下载的错误报告。"))
    return attachment_response(
        error_report_workbook(job.errors), _("医疗机构导入错误报告.xlsx"), XLSX_CONTENT_TYPE
    )


@require_GET
def hospital_search(request):
    """Institutions the user sees whose name contains `q` (the hospital picker), at most 20."""

    term = (request.GET.get("q") or "").strip()[:50]
    qs = Hospital.objects.visible_to(request.user).order_by("name")
    if term:
        qs = qs.filter(name__icontains=term)
    rows = [{"id": pk, "name": name} for pk, name in qs.values_list("pk", "name")[:20]]
    return JsonResponse({"results": rows})
