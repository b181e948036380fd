"""4+N pages. Thin: scoped fetch → form → service → redirect/render."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from accounts.choices import Role
from core.dates import today
from core.http import (
    XLSX_CONTENT_TYPE,
    ascii_filename,
    attachment_response,
    file_response,
    scope_code,
)
from core.pagination import paginate
from core.permissions import role_required
from core.views_helpers import apply_domain_error
from hospitals.figures import is_large_scope
from hospitals.models import Hospital, Region

from . import selectors, services
from .choices import STANDARD_KINDS, STATUS_COLOURS, DrillScenario, ItemStatus, ReportStatus
from .exports import overview_workbook
from .forms import (
    AlarmDrillForm,
    AlarmPointForm,
    ConfirmForm,
    CustomItemForm,
    EmergencyDrillForm,
    EntranceForm,
    EvidenceForm,
    FacilitiesForm,
    FindingForm,
    GuardPostForm,
    GuardsForm,
    OverviewFilterForm,
    PlanForm,
    PlanVersionForm,
    ProgressForm,
    RaiseHazardForm,
    ReportForm,
    SendBackForm,
    SubmitForm,
    VideoSystemForm,
)
from .models import (
    THRESHOLD_FIELDS,
    AlarmDrill,
    AlarmPoint,
    ChecklistItem,
    DrillFinding,
    EmergencyDrill,
    Entrance,
    GuardPost,
    HalfYearReport,
    ItemEvidence,
    SecurityPlan,
    SecurityProfile,
    VideoSystem,
)
from .report_pdf import half_year_report_pdf, report_filename
from .services import SecurityError

BUREAU_SIDE = (Role.BUREAU, Role.ADMIN)


def _hospital(request, pk) -> Hospital:
    return get_object_or_404(
        Hospital.objects.visible_to(request.user).select_related("region"), pk=pk
    )


def _require_edit(request, hospital):
    if not services.can_edit_hospital(request.user, hospital):
        raise PermissionDenied


def _error(request, exc):
    if isinstance(exc, SecurityError):
        apply_domain_error(request, exc)
    else:
        messages.error(request, str(exc))


def _hospital_context(request, hospital, tab):
    index = selectors.PlanIndex.load()
    return {
        "hospital": hospital,
        "plan": index.for_hospital(hospital),
        "tab": tab,
        "covered": index.covers(hospital),
        "can_edit": services.can_edit_hospital(request.user, hospital),
        "can_review": services.can_review(request.user, hospital),
        "today": today(),
    }


# --- entry points -----------------------------------------------------------------------------


def index(request):
    """The officer's first page is their own hospital; the bureau's is the region overview."""
    user = request.user
    if user.is_officer and user.hospital_id:
        return redirect("security:hospital", pk=user.hospital_id)
    if user.is_superuser or user.is_bureau_side:
        return redirect("security:overview")
    raise PermissionDenied


OVERVIEW_PAGE_SIZE = 50


def _overview_export(request, hospitals, form, year, half, *, q, attention, sort):
    """The Excel download: every hospital's full row (a download, not a page)."""

    data = selectors.region_overview(hospitals, period=(year, half))
    table = selectors.FiguresTable(selectors.hospital_figures(r) for r in data.rows)
    data.rows = [data.rows[i] for i in table.select(q=q, attention=attention, sort=sort)]
    kept = {id(row) for row in data.rows}
    data.overdue = [pair for pair in data.overdue if id(pair[0]) in kept]
    scope = (
        form.cleaned_data["region"].name
        if form.is_valid() and form.cleaned_data["region"]
        else (request.user.region.name if request.user.region_id else _("全部"))
    )
    content = overview_workbook(
        data, scope=scope, period=_("截至 %(date)s") % {"date": today().isoformat()}
    )
    region = form.cleaned_data["region"] if form.is_valid() else None
    code = scope_code(region or (request.user.region if request.user.region_id else None))
    return attachment_response(
        content,
        f"4+N建设进展_{scope}_{today().isoformat()}.xlsx",
        XLSX_CONTENT_TYPE,
        fallback=ascii_filename(
            "security_4n", code or "all", today().strftime("%Y%m%d"), ext=".xlsx"
        ),
    )


@role_required(*BUREAU_SIDE)
def overview(request):
    """Summarised by sub-region first (the shown region's children, each a drill-down link),
    then one page of hospitals (filtered and sorted on their figures): full rows are built
    only for the page shown. A large scope's summary is cached until a record it reads
    changes (selectors.cached_overview_summary); the page states the instant it is as of."""

    regions = Region.objects.visible_to(request.user)
    form = OverviewFilterForm(request.GET or None, regions=regions)
    hospitals = Hospital.objects.visible_to(request.user)
    year, half = selectors.half_year_of(today())
    attention = ""
    q = ""
    sort = ""
    # The region whose sub-regions are summarised: the one chosen, else the user's scope.
    region = (
        request.user.region if request.user.region_id and not request.user.is_superuser else None
    )
    if form.is_valid():
        sort = form.cleaned_data["sort"]
        if form.cleaned_data["region"]:
            region = form.cleaned_data["region"]
            hospitals = hospitals.in_region(region)
        if form.cleaned_data["period"]:
            year, half = (int(x) for x in form.cleaned_data["period"].split("-"))
        attention = form.cleaned_data["attention"]
        q = form.cleaned_data["q"].strip()
    if request.GET.get("export") == "xlsx":
        return _overview_export(
            request, hospitals, form, year, half, q=q, attention=attention, sort=sort
        )

    def compute():
        return selectors.overview_summary(hospitals, period=(year, half))

    if is_large_scope(request.user):
        summary = selectors.cached_overview_summary(
            # The exact scope (its SQL), the half-year, the day (overdue moves at midnight)
            # and the language (labels are translated).
            f"{hospitals.query} {year}-{half} {today().isoformat()} {get_language()}",
            hospitals,
            period=(year, half),
            seconds=getattr(settings, "DASHBOARD_CACHE_SECONDS", 300),
        )
    else:
        summary = compute()
    children = (
        regions.filter(parent=region) if region is not None else regions.filter(parent__isnull=True)
    ).order_by("path")
    subregions = selectors.figures_by_subregion(summary.figures, region, list(children))
    shown = summary.figures.select(q=q, attention=attention, sort=sort)
    page = paginate(request, shown, per_page=OVERVIEW_PAGE_SIZE)
    page.object_list = selectors.rows_for(
        summary.figures.pks(page.object_list), period=(year, half)
    )
    drill = request.GET.copy()
    for key in ("page", "region"):
        drill.pop(key, None)
    period_label = (_("%(year)d年上半年") if half == 1 else _("%(year)d年下半年")) % {"year": year}
    return render(
        request,
        "security/overview.html",
        {
            "data": summary,
            "region": region,
            "subregions": subregions if any(line.region != region for line in subregions) else [],
            "up": region.parent
            if region is not None
            and region.parent_id
            and region.pk != request.user.region_id
            and regions.filter(pk=region.parent_id).exists()
            else None,
            "drill_query": drill.urlencode(),
            "page": page,
            "form": form,
            "period_label": period_label,
            "alarm_stats": selectors.alarm_drill_stats(hospitals),
            "pending": summary.pending,
            "period_due": selectors.report_due_date(year, half),
            "today": today(),
            "status_colours": STATUS_COLOURS,
            "statuses": ItemStatus,
        },
    )


def hospital_page(request, pk):
    hospital = _hospital(request, pk)
    ctx = _hospital_context(request, hospital, "checklist")
    items = ChecklistItem.objects.filter(hospital=hospital).order_by("id")
    if ctx["covered"] and items.exclude(kind="custom").count() < len(STANDARD_KINDS):
        # The standard rows are structure, not data: create them on first view by anyone.
        services.checklist_ensure(hospital=hospital)
    items = list(
        ChecklistItem.objects.filter(hospital=hospital).order_by("id").prefetch_related("evidence")
    )
    # The same computation as the overview (selectors.hospital_facts_for), one hospital.
    facts = selectors.hospital_facts(hospital)
    standard, custom = selectors.checklist_states(hospital, items, ctx["plan"], facts=facts)
    year, half = selectors.half_year_of(today())
    ctx.update(
        standard=standard,
        custom=custom,
        cells=selectors.plan_item_cells(standard),
        guards=facts.guards,
        facilities=facts,
        equipment_short=facts.equipment_short,
        overdue=[s for s in standard + custom if s.is_overdue],
        met_count=sum(1 for s in standard + custom if s.is_achieved),
        total_count=len(standard) + len(custom),
        current_report=HalfYearReport.objects.filter(
            hospital=hospital, year=year, half=half
        ).first(),
        report_period=(_("%(year)d年上半年") if half == 1 else _("%(year)d年下半年"))
        % {"year": year},
        report_due=selectors.report_due_date(year, half),
        custom_form=CustomItemForm(),
        latest_alarm_drill=AlarmDrill.objects.filter(hospital=hospital)
        .order_by("-date", "-id")
        .first(),
        latest_drill=EmergencyDrill.objects.filter(hospital=hospital)
        .order_by("-date", "-id")
        .first(),
    )
    return render(request, "security/hospital.html", ctx)


# --- checklist items --------------------------------------------------------------------------


def _item(request, pk) -> ChecklistItem:
    return get_object_or_404(
        ChecklistItem.objects.visible_to(request.user).select_related(
            "hospital__region", "confirmed_by"
        ),
        pk=pk,
    )


def item_detail(request, pk):
    item = _item(request, pk)
    hospital = item.hospital
    ctx = _hospital_context(request, hospital, "checklist")
    facts = selectors.hospital_facts(hospital)
    standard, custom = selectors.checklist_states(hospital, [item], ctx["plan"], facts=facts)
    state = custom[0] if item.is_custom else next(s for s in standard if s.kind == item.kind)
    if not item.is_custom:
        ctx.update(guards=facts.guards, facilities=facts, equipment_short=facts.equipment_short)
    allowed = services.allowed_actions(request.user, item, shortfalls=state.shortfalls)
    ctx.update(
        item=item,
        state=state,
        allowed=allowed,
        # Why the two 已达标 steps are not offered (shown instead of the button).
        refusals={
            action: services.item_refusal(request.user, item, action, shortfalls=state.shortfalls)
            for action in ("submit", "confirm")
            if action not in allowed
        },
        evidence=list(item.evidence.select_related("uploaded_by")),
        events=list(item.events.select_related("actor")[:50]),
        # Several forms share field names (note …) on one page: each gets its own ids, so
        # every label points at its own field.
        progress_form=ProgressForm(initial={"status": item.status}, auto_id="id_progress_%s"),
        submit_form=SubmitForm(auto_id="id_submit_%s"),
        confirm_form=ConfirmForm(auto_id="id_confirm_%s"),
        send_back_form=SendBackForm(auto_id="id_send_back_%s"),
        evidence_form=EvidenceForm(auto_id="id_evidence_%s"),
        edit_form=CustomItemForm(
            initial={
                "name": item.name,
                "description": item.description,
                "target_date": item.target_date,
            },
            auto_id="id_edit_%s",
        )
        if item.is_custom
        else None,
        statuses=ItemStatus,
    )
    return render(request, "security/item.html", ctx)


def _item_action(request, pk, form_class, call, success):
    item = _item(request, pk)  # another hospital's item is 404 whatever the method
    if request.method != "POST":
        return redirect("security:item", pk=item.pk)
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}:{error}" if label else error)
        return redirect("security:item", pk=item.pk)
    try:
        call(item, form.cleaned_data)
    except SecurityError as exc:
        _error(request, exc)
    else:
        messages.success(request, success)
    return redirect("security:item", pk=item.pk)


def item_progress(request, pk):
    return _item_action(
        request,
        pk,
        ProgressForm,
        lambda item, d: services.item_update_progress(
            item=item, status=d["status"], note=d["note"], by=request.user
        ),
        _("进度已更新。"),
    )


def item_submit(request, pk):
    return _item_action(
        request,
        pk,
        SubmitForm,
        lambda item, d: services.item_submit(item=item, note=d["note"], by=request.user),
        _("已申报达标,等待卫健局确认。"),
    )


def item_confirm(request, pk):
    return _item_action(
        request,
        pk,
        ConfirmForm,
        lambda item, d: services.item_confirm(
            item=item, met_on=d["met_on"], note=d["note"], by=request.user
        ),
        _("已确认达标。"),
    )


def item_send_back(request, pk):
    return _item_action(
        request,
        pk,
        SendBackForm,
        lambda item, d: services.item_send_back(item=item, note=d["note"], by=request.user),
        _("已退回医院。"),
    )


def item_evidence(request, pk):
    return _item_action(
        request,
        pk,
        EvidenceForm,
        lambda item, d: services.evidence_add(
            item=item, uploads=d["files"], upload_key=d["upload_key"], by=request.user
        ),
        _("佐证材料已上传。"),
    )


def item_edit(request, pk):
    return _item_action(
        request,
        pk,
        CustomItemForm,
        lambda item, d: services.custom_item_update(item=item, by=request.user, **d),
        _("N 项已修改。"),
    )


@require_POST
def item_delete(request, pk):
    item = _item(request, pk)
    hospital_id = item.hospital_id
    try:
        services.custom_item_delete(item=item, by=request.user)
    except SecurityError as exc:
        _error(request, exc)
        return redirect("security:item", pk=item.pk)
    messages.success(request, _("N 项已删除。"))
    return redirect("security:hospital", pk=hospital_id)


def custom_item_new(request, pk):
    hospital = _hospital(request, pk)
    _require_edit(request, hospital)
    form = CustomItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.custom_item_create(
                hospital=hospital, by=request.user, **form.cleaned_data
            )
        except SecurityError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("已新增 N 项“%(name)s”。") % {"name": item.name})
            return redirect("security:hospital", pk=hospital.pk)
    ctx = _hospital_context(request, hospital, "checklist")
    ctx.update(
        form=form, title=_("新增 N 项"), back=reverse("security:hospital", args=[hospital.pk])
    )
    return render(request, "security/form.html", ctx)


def evidence_download(request, pk):
    evidence = get_object_or_404(
        ItemEvidence.objects.visible_to(request.user).select_related("item"), pk=pk
    )
    try:
        handle = evidence.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404(_("文件不存在或已被删除。"))
    return file_response(
        handle, evidence.original_name, evidence.content_type, inline=evidence.is_image
    )


@require_POST
def evidence_delete(request, pk):
    evidence = get_object_or_404(
        ItemEvidence.objects.visible_to(request.user).select_related("item__hospital"), pk=pk
    )
    item_id = evidence.item_id
    try:
        services.evidence_remove(evidence=evidence, by=request.user)
    except SecurityError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("佐证材料已删除。"))
    return redirect("security:item", pk=item_id)


# --- item 1: guards and posts -----------------------------------------------------------------


def guards_page(request, pk):
    hospital = _hospital(request, pk)
    ctx = _hospital_context(request, hospital, "guards")
    profile = SecurityProfile.objects.filter(hospital=hospital).first()
    if request.method == "POST":
        _require_edit(request, hospital)
        form = GuardsForm(request.POST, instance=profile or SecurityProfile(hospital=hospital))
        if form.is_valid():
            try:
                services.profile_update(
                    hospital=hospital,
                    values={k: form.cleaned_data[k] for k in GuardsForm.Meta.fields},
                    by=request.user,
                )
            except (SecurityError, ValidationError) as exc:
                _error(request, exc)
            else:
                messages.success(request, _("保安员人数已保存。"))
                return redirect("security:guards", pk=hospital.pk)
    else:
        form = GuardsForm(instance=profile)
    post_rows, totals = selectors.equipment_situation(hospital)
    ctx.update(
        form=form,
        guards=selectors.guard_situation(hospital, ctx["plan"], profile),
        beds=selectors.hospital_beds(hospital),
        post_rows=post_rows,
        totals=totals,
        equipment_short_total=sum(line.shortfall for line in totals),
    )
    return render(request, "security/guards.html", ctx)


# --- items 2–4: facilities --------------------------------------------------------------------


def facilities_page(request, pk):
    hospital = _hospital(request, pk)
    ctx = _hospital_context(request, hospital, "facilities")
    profile = SecurityProfile.objects.filter(hospital=hospital).first()
    if request.method == "POST":
        _require_edit(request, hospital)
        form = FacilitiesForm(request.POST, instance=profile or SecurityProfile(hospital=hospital))
        if form.is_valid():
            try:
                services.profile_update(
                    hospital=hospital,
                    values={k: form.cleaned_data[k] for k in FacilitiesForm.Meta.fields},
                    by=request.user,
                )
            except (SecurityError, ValidationError) as exc:
                _error(request, exc)
            else:
                messages.success(request, _("已保存。"))
                return redirect("security:facilities", pk=hospital.pk)
    else:
        form = FacilitiesForm(instance=profile)
    ctx.update(form=form, facilities=selectors.facility_situation(hospital, ctx["plan"]))
    return render(request, "security/facilities.html", ctx)


# --- generic hospital records -----------------------------------------------------------------

RECORDS = {
    "post": (GuardPost, GuardPostForm, _lazy("保安岗位"), "security:guards"),
    "entrance": (Entrance, EntranceForm, _lazy("主要出入口"), "security:facilities"),
    "alarm-point": (AlarmPoint, AlarmPointForm, _lazy("一键报警点"), "security:facilities"),
    "video": (VideoSystem, VideoSystemForm, _lazy("视频监控系统"), "security:facilities"),
    "alarm-drill": (AlarmDrill, AlarmDrillForm, _lazy("一键报警演练"), "security:alarm_drills"),
    "drill": (EmergencyDrill, EmergencyDrillForm, _lazy("应急演练"), "security:drills"),
}


def _record_spec(kind):
    if kind not in RECORDS:
        raise Http404
    return RECORDS[kind]


def _record_form(form_class, hospital, *args, **kwargs):
    if form_class is AlarmDrillForm:
        kwargs["hospital"] = hospital
    return form_class(*args, **kwargs)


def _record_edit(request, kind, hospital, instance):
    _model, form_class, label, back_url = _record_spec(kind)
    _require_edit(request, hospital)
    form = _record_form(form_class, hospital, request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.record_save(instance=form.instance, hospital=hospital, by=request.user)
        except SecurityError as exc:
            apply_domain_error(form, exc)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("%(label)s已保存。") % {"label": label})
            if kind == "drill":
                return redirect("security:drill", pk=saved.pk)
            return redirect(back_url, pk=hospital.pk)
    ctx = _hospital_context(request, hospital, back_url.split(":")[1])
    title = (_("修改%(label)s") if instance and instance.pk else _("新增%(label)s")) % {
        "label": label
    }
    ctx.update(form=form, title=title, back=reverse(back_url, args=[hospital.pk]))
    return render(request, "security/form.html", ctx)


def record_new(request, pk, kind):
    hospital = _hospital(request, pk)
    model = _record_spec(kind)[0]
    return _record_edit(request, kind, hospital, model(hospital=hospital))


def record_edit(request, kind, record_pk):
    model = _record_spec(kind)[0]
    instance = get_object_or_404(
        model.objects.visible_to(request.user).select_related("hospital__region"), pk=record_pk
    )
    return _record_edit(request, kind, instance.hospital, instance)


def record_delete(request, kind, record_pk):
    model, _form, label, back_url = _record_spec(kind)
    instance = get_object_or_404(
        model.objects.visible_to(request.user).select_related("hospital__region"), pk=record_pk
    )
    hospital = instance.hospital
    _require_edit(request, hospital)
    if request.method == "POST":
        services.record_delete(instance=instance, by=request.user)
        messages.success(request, _("%(label)s已删除。") % {"label": label})
        return redirect(back_url, pk=hospital.pk)
    ctx = _hospital_context(request, hospital, back_url.split(":")[1])
    ctx.update(object=instance, label=label, back=reverse(back_url, args=[hospital.pk]))
    return render(request, "security/confirm_delete.html", ctx)


# --- drills -----------------------------------------------------------------------------------


def alarm_drills_page(request, pk):
    hospital = _hospital(request, pk)
    ctx = _hospital_context(request, hospital, "alarm_drills")
    drills = selectors.alarm_drill_trend(hospital)
    region = ctx["plan"].region if ctx["plan"].region_id else hospital.region
    ctx.update(
        drills=list(reversed(drills)),
        chart_values=[d.response_seconds for d in drills],
        own=selectors._stats(
            [d.response_seconds for d in drills], drills[-1].response_seconds if drills else None
        ),
        region_stats=selectors.alarm_drill_stats(Hospital.objects.in_region(region)),
        stats_region=region,
    )
    median = ctx["region_stats"].median
    ctx["chart"] = {
        "labels": [d.date.isoformat() for d in drills],
        "values": ctx["chart_values"],
        "median": float(median) if median is not None else None,
        "hospital": hospital.name,
        "median_label": _("区域中位数"),
        "unit": _("秒"),
    }
    return render(request, "security/alarm_drills.html", ctx)


def drills_page(request, pk):
    hospital = _hospital(request, pk)
    ctx = _hospital_context(request, hospital, "drills")
    drills = EmergencyDrill.objects.filter(hospital=hospital).prefetch_related("findings")
    scenario = request.GET.get("scenario", "")
    if scenario in DrillScenario.values:
        drills = drills.filter(scenario=scenario)
    page = paginate(request, drills, per_page=20)
    ctx.update(page=page, scenarios=DrillScenario.choices, scenario=scenario)
    return render(request, "security/drills.html", ctx)


def drill_detail(request, pk):
    drill = get_object_or_404(
        EmergencyDrill.objects.visible_to(request.user).select_related("hospital__region"), pk=pk
    )
    ctx = _hospital_context(request, drill.hospital, "drills")
    ctx.update(
        drill=drill,
        findings=list(drill.findings.select_related("hazard")),
        finding_form=FindingForm(),
        hazard_form=RaiseHazardForm(initial={"location": drill.location}),
    )
    return render(request, "security/drill.html", ctx)


@require_POST
def finding_new(request, pk):
    drill = get_object_or_404(
        EmergencyDrill.objects.visible_to(request.user).select_related("hospital"), pk=pk
    )
    _require_edit(request, drill.hospital)
    form = FindingForm(request.POST)
    if form.is_valid():
        try:
            services.finding_add(
                drill=drill, description=form.cleaned_data["description"], by=request.user
            )
        except SecurityError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("已记录发现的问题。"))
    else:
        messages.error(request, _("请填写发现的问题。"))
    return redirect("security:drill", pk=drill.pk)


@require_POST
def finding_raise(request, pk):
    finding = get_object_or_404(
        DrillFinding.objects.filter(
            drill__hospital__in=Hospital.objects.visible_to(request.user)
        ).select_related("drill__hospital"),
        pk=pk,
    )
    _require_edit(request, finding.drill.hospital)
    form = RaiseHazardForm(request.POST)
    if form.is_valid():
        try:
            hazard = services.finding_raise_hazard(
                finding=finding, by=request.user, **form.cleaned_data
            )
        except SecurityError as exc:
            _error(request, exc)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request, _("已登记为隐患 %(code)s。") % {"code": getattr(hazard, "code", hazard.pk)}
            )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("security:drill", pk=finding.drill_id)


# --- half-year reports ------------------------------------------------------------------------


def reports_page(request, pk):
    hospital = _hospital(request, pk)
    ctx = _hospital_context(request, hospital, "reports")
    form = None
    if ctx["can_edit"]:
        form = ReportForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            year, half = form.cleaned_data["period"]
            try:
                report = services.report_save(
                    hospital=hospital,
                    year=year,
                    half=half,
                    progress=form.cleaned_data["progress"],
                    problems=form.cleaned_data["problems"],
                    next_steps=form.cleaned_data["next_steps"],
                    by=request.user,
                )
            except SecurityError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("草稿已保存,核对后请点击“报送”。"))
                return redirect("security:report", pk=report.pk)
    elif request.method == "POST":
        raise PermissionDenied
    reports = HalfYearReport.objects.filter(hospital=hospital).select_related("submitted_by")
    ctx.update(form=form, reports=reports)
    return render(request, "security/reports.html", ctx)


def report_detail(request, pk):
    report = get_object_or_404(
        HalfYearReport.objects.visible_to(request.user).select_related(
            "hospital__region", "submitted_by"
        ),
        pk=pk,
    )
    ctx = _hospital_context(request, report.hospital, "reports")
    snapshot = report.snapshot if report.is_submitted else services.build_snapshot(report.hospital)
    ctx.update(
        report=report,
        snapshot=snapshot,
        police_deliveries=services.report_police_deliveries(report) if report.is_submitted else [],
    )
    if ctx["can_edit"] and not report.is_submitted:
        ctx["form"] = ReportForm(
            initial={
                "period": f"{report.year}-{report.half}",
                "progress": report.progress,
                "problems": report.problems,
                "next_steps": report.next_steps,
            }
        )
        ctx["plan_addressees"] = ctx["plan"]
    return render(request, "security/report.html", ctx)


@require_POST
def report_submit(request, pk):
    report = get_object_or_404(
        HalfYearReport.objects.visible_to(request.user).select_related("hospital"), pk=pk
    )
    try:
        report = services.report_submit(report=report, by=request.user)
    except SecurityError as exc:
        _error(request, exc)
    else:
        if report.addressed_to.get("police_email"):
            messages.success(
                request, _("进展报告已报送卫健局;报告 PDF 已排队发送至公安联系人邮箱。")
            )
        else:
            messages.warning(
                request,
                _("进展报告已报送卫健局。区域方案未设置公安联系邮箱,未向公安发送,请另行报送。"),
            )
    return redirect("security:report", pk=report.pk)


@require_POST
def report_police_resend(request, pk):
    report = get_object_or_404(
        HalfYearReport.objects.visible_to(request.user).select_related("hospital__region"), pk=pk
    )
    try:
        resent = services.report_police_resend(report=report, by=request.user)
    except SecurityError as exc:
        _error(request, exc)
    else:
        if resent:
            messages.success(request, _("已重新排队发送至公安联系人邮箱。"))
        else:
            messages.info(request, _("没有发送失败的邮件需要重新发送。"))
    return redirect("security:report", pk=report.pk)


def report_pdf(request, pk):
    """The submitted report as the PDF the police contact receives (same scope as the page)."""

    report = get_object_or_404(
        HalfYearReport.objects.visible_to(request.user)
        .filter(status=ReportStatus.SUBMITTED)
        .select_related("hospital", "submitted_by"),
        pk=pk,
    )
    return attachment_response(
        half_year_report_pdf(report), report_filename(report), "application/pdf"
    )


# --- plans ------------------------------------------------------------------------------------


@role_required(*BUREAU_SIDE)
def plans_page(request):
    regions = list(Region.objects.visible_to(request.user).order_by("path"))
    index = selectors.PlanIndex.load()
    rows = []
    for region in regions:
        plan = index.for_region(region)
        rows.append(
            {
                "region": region,
                "plan": plan,
                "own": plan.region_id == region.pk,
                "inherited_from": plan.region
                if plan.region_id and plan.region_id != region.pk
                else None,
                # Every listed region is visible to the user; administrators edit their plans.
                "can_edit": request.user.is_superuser or request.user.is_region_admin,
                "depth": region.path.count("/") - 2,
            }
        )
    return render(request, "security/plans.html", {"rows": rows})


@role_required(Role.ADMIN)
def plan_edit(request, region_pk):
    region = get_object_or_404(Region.objects.visible_to(request.user), pk=region_pk)
    if not services.can_edit_plan(request.user, region):
        raise PermissionDenied
    plan = SecurityPlan.objects.filter(region=region).first()
    inherited = None
    if plan is None:
        inherited = selectors.plan_for_region(region)
        plan = SecurityPlan(region=region)
        if inherited.region_id:
            # Start from what applies today so saving changes nothing the admin did not touch.
            for field in PlanForm.Meta.fields:
                if field not in ("include_hospitals", "exclude_hospitals"):
                    setattr(plan, field, getattr(inherited, field))
    form = PlanForm(request.POST or None, instance=plan, region=region)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_save(
                plan=form.save(commit=False),
                by=request.user,
                includes=list(form.cleaned_data["include_hospitals"]),
                excludes=list(form.cleaned_data["exclude_hospitals"]),
            )
        except SecurityError as exc:
            apply_domain_error(form, exc)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("%(region)s的 4+N 方案已保存。") % {"region": region.name})
            return redirect("security:plans")
    return render(
        request,
        "security/plan_form.html",
        {"form": form, "region": region, "plan": plan, "inherited": inherited},
    )


@role_required(*BUREAU_SIDE)
def plan_versions(request, region_pk):
    """The versions of the plan that governs a region, what each changed, and (for the
    region's administrators, on its own plan) a new version from a chosen date."""
    region = get_object_or_404(Region.objects.visible_to(request.user), pk=region_pk)
    plan = selectors.plan_for_region(region)
    own = plan.region_id == region.pk
    can_add = own and services.can_edit_plan(request.user, region)
    form = None
    if can_add:
        initial = {name: getattr(plan, name) for name in THRESHOLD_FIELDS}
        form = PlanVersionForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                version = services.plan_version_create(
                    plan=plan,
                    effective_from=data["effective_from"],
                    values={name: data[name] for name in THRESHOLD_FIELDS},
                    standard=data["standard"],
                    note=data["note"],
                    by=request.user,
                )
            except SecurityError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _("已新增自 %(date)s 起生效的方案版本。")
                    % {"date": version.effective_from.isoformat()},
                )
                return redirect("security:plan_versions", region_pk=region.pk)
    elif request.method == "POST":
        raise PermissionDenied
    history = selectors.plan_version_changes(plan) if plan.pk else []
    return render(
        request,
        "security/plan_versions.html",
        {
            "region": region,
            "plan": plan,
            "own": own,
            "history": history,
            "changes": [entry for entry in history if entry.changes],
            "form": form,
        },
    )
