"""Pages of the inspections app: scoped get → form → service → redirect/render."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.choices import Role
from core.dates import add_months, today
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
from hospitals.figures import cached_for_scope, is_large_scope
from hospitals.models import Hospital, Region

from . import selectors, services
from .choices import (
    ASSIGNMENT_STATE_BADGES,
    RESULT_BADGES,
    AssignmentKind,
    AssignmentState,
    InspectionAction,
    InspectionStatus,
    PhotoKind,
    Result,
)
from .exports import inspections_workbook
from .filters import AssignmentFilter, InspectionFilter
from .forms import (
    AmendAnswerForm,
    AmendHeaderForm,
    AnswerForm,
    InspectionHeaderForm,
    InspectionStartForm,
    ItemForm,
    PhotoUploadForm,
    SectionForm,
    TemplateForm,
)
from .models import (
    Answer,
    AnswerPhoto,
    Assignment,
    ChecklistItem,
    ChecklistSection,
    ChecklistTemplate,
    Inspection,
)

PAGE_SIZE = 25


def _wants_json(request) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


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


def _section_param(value) -> int:
    try:
        return max(int(value), 1)
    except (TypeError, ValueError):
        return 1


# --------------------------------------------------------------------------------------------
# Calendar of inspection days
# --------------------------------------------------------------------------------------------
def calendar_view(request):
    user = request.user
    year, month = _parse_month(request.GET.get("month"))
    regions = Region.objects.visible_to(user)
    region = None
    hospital = None
    if user.is_officer and not user.is_superuser:
        hospital = get_object_or_404(Hospital.objects.visible_to(user), pk=user.hospital_id)
        scope = hospital
        scope_name = hospital.name
    else:
        region_id = request.GET.get("region")
        if region_id and region_id.isdigit():
            region = get_object_or_404(regions, pk=region_id)
        elif user.region_id:
            region = user.region
        scope = (
            region
            if region is not None
            else (None if user.is_superuser else Hospital.objects.none())
        )
        scope_name = region.name if region else _("全部区域")
    first = dt.date(year, month, 1)
    on = today()
    month_qs = selectors.month_assignments(scope, year, month, on=on)
    version = functools.cache(selectors.coverage_version)  # read once for the three figures

    # One grouped coverage query (the selector's rule) feeds both the grid and the figure; over
    # a large scope it is computed once per data version (the same figures until one moves).
    by_day = cached_for_scope(
        user,
        "calendar-days",
        month_qs,
        version,
        lambda: selectors.coverage_by(scope, year, month, group_by=("due_date", "kind"), on=on),
    )
    per_day = defaultdict(dict)
    for (day, kind), figures in by_day.items():
        per_day[day][kind] = {state: n for state, n in figures.states.items() if n}
    month_coverage = sum(by_day.values(), selectors.Coverage(done=0, due=0, total=0, missed=0))
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        weeks.append(
            [
                {
                    "date": day,
                    "in_month": day.month == month,
                    "is_today": day == on,
                    "kinds": [
                        {
                            "kind": AssignmentKind(kind),
                            "states": [
                                (AssignmentState(state), n, ASSIGNMENT_STATE_BADGES[state])
                                for state, n in sorted(states.items())
                            ],
                        }
                        for kind, states in sorted(per_day.get(day, {}).items())
                    ],
                }
                for day in week
            ]
        )

    hospitals_in_scope = (
        Hospital.objects.filter(pk=hospital.pk)
        if hospital
        else (Hospital.objects.in_region(region) if region else Hospital.objects.visible_to(user))
    )
    filterset = AssignmentFilter(
        request.GET,
        queryset=month_qs.order_by("due_date", "hospital__name", "kind"),
        hospitals=hospitals_in_scope,
        picker=hospital is None and is_large_scope(user),
    )
    total = cached_for_scope(user, "calendar-count", filterset.qs, version, filterset.qs.count)
    # The page is chosen by primary key without the state subqueries, then its rows are read
    # with their state: the subqueries run for one page, not for a province's month.
    page = paginate(
        request, filterset.qs.values_list("pk", flat=True), per_page=PAGE_SIZE, count=total
    )
    by_pk = month_qs.in_bulk(list(page.object_list))
    page.object_list = [by_pk[pk] for pk in page.object_list if pk in by_pk]
    # Which rows get a start button: the one rule, Assignment.objects.actionable_by.
    actionable = set(
        Assignment.objects.actionable_by(user)
        .filter(pk__in=[assignment.pk for assignment in page.object_list])
        .values_list("pk", flat=True)
    )
    rows = [
        {
            "assignment": assignment,
            "badge": ASSIGNMENT_STATE_BADGES[assignment.state],
            "state_label": AssignmentState(assignment.state).label,
            "actionable": assignment.pk in actionable,
        }
        for assignment in page.object_list
    ]
    start_year, start_month = add_months(year, month, -11)
    history = cached_for_scope(
        user,
        "calendar-history",
        month_qs,
        version,
        lambda: selectors.coverage_by_month(
            scope, dt.date(start_year, start_month, 1), first, on=on
        ),
    )
    prev_year, prev_month = add_months(year, month, -1)
    next_year, next_month = add_months(year, month, 1)
    return render(
        request,
        "inspections/calendar.html",
        {
            "month": first,
            "weeks": weeks,
            "weekday_names": [
                pgettext("weekday", "一"),
                pgettext("weekday", "二"),
                pgettext("weekday", "三"),
                pgettext("weekday", "四"),
                pgettext("weekday", "五"),
                pgettext("weekday", "六"),
                pgettext("weekday", "日"),
            ],
            "coverage": month_coverage,
            "scope_name": scope_name,
            "regions": regions if not user.is_officer else None,
            "region": region,
            "prev_month": f"{prev_year}-{prev_month:02d}",
            "next_month": f"{next_year}-{next_month:02d}",
            "month_param": f"{year}-{month:02d}",
            "can_generate": user.is_superuser or user.is_region_admin,
            "filter": filterset,
            "page": page,
            "rows": rows,
            "history": [
                {"month": period, "coverage": figures}
                for period, figures in history.items()
                if figures.due
            ],
        },
    )


@require_POST
@role_required(Role.ADMIN)
def assignments_generate(request):
    """Create this month's remaining and next month's assignments now (the daily beat task
    does the same; useful on the day the system goes live)."""
    created = services.assignments_generate_upcoming()
    messages.success(request, _("已生成 %(count)s 条检查日任务。") % {"count": created})
    return redirect("inspections:calendar")


@require_POST
def assignment_start(request, pk: int):
    assignment = get_object_or_404(Assignment.objects.actionable_by(request.user), pk=pk)
    try:
        inspection = services.inspection_start(by=request.user, assignment=assignment)
    except services.InspectionError as exc:
        apply_domain_error(request, exc)
        return redirect("inspections:calendar")
    return redirect("inspections:record", pk=inspection.pk)


# --------------------------------------------------------------------------------------------
# Inspections
# --------------------------------------------------------------------------------------------
def inspection_list(request):
    base = Inspection.objects.visible_to(request.user)
    filterset = InspectionFilter(request.GET, queryset=base, user=request.user)
    queryset = selectors.inspections_for_list(filterset.qs)
    if not request.GET.get("ordering"):
        queryset = queryset.order_by("-inspected_on", "-pk")
    total = cached_for_scope(
        request.user,
        "inspection-list",
        filterset.qs,
        selectors.inspections_version,
        filterset.qs.count,
    )
    page = paginate(request, queryset, per_page=PAGE_SIZE, count=total)
    return render(
        request,
        "inspections/inspection_list.html",
        {
            "filter": filterset,
            "page": page,
            "can_start": bool(services.kinds_for(request.user)),
        },
    )


def inspection_export(request):
    """The filtered inspection list as an Excel ledger (same scope and filters as the page)."""

    filterset = InspectionFilter(
        request.GET, queryset=Inspection.objects.visible_to(request.user), user=request.user
    )
    data = filterset.form.cleaned_data if filterset.is_bound and filterset.form.is_valid() else {}
    start, end = data.get("date_from"), data.get("date_to")
    period = f"{start or '…'} ~ {end or '…'}" if (start or end) else _("全部")
    user = request.user
    scope = data.get("hospital") or (
        user.hospital if user.hospital_id else (user.region if user.region_id else _("全部"))
    )
    content = inspections_workbook(
        filterset.qs.order_by("inspected_on", "pk"), scope=str(scope), period=period
    )
    stamp = today().strftime("%Y%m%d")
    filename = _("安全检查记录_%(scope)s_%(date)s.xlsx") % {"scope": scope, "date": stamp}
    fallback = ascii_filename("inspections", scope_code(scope) or "all", stamp, ext=".xlsx")
    return attachment_response(
        content, filename.replace("/", "-"), XLSX_CONTENT_TYPE, fallback=fallback
    )


def inspection_new(request):
    if not services.kinds_for(request.user):
        raise PermissionDenied
    form = InspectionStartForm(request.POST or None, user=request.user, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inspection = services.inspection_start(
                by=request.user,
                hospital=data["hospital"],
                kind=data["kind"],
                template=data["template"],
                inspected_on=data["inspected_on"],
                location=data["location"],
                participants=data["participants"],
                third_party_firm=data["third_party_firm"],
            )
        except services.InspectionError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("检查已开始,填写内容会自动保存为草稿。"))
            return redirect("inspections:record", pk=inspection.pk)
    return render(request, "inspections/inspection_new.html", {"form": form})


def _answers_by_section(inspection: Inspection):
    answers = list(
        inspection.answers.select_related("item", "item__section", "hazard").prefetch_related(
            Prefetch("photos", queryset=AnswerPhoto.objects.order_by("uploaded_at", "pk"))
        )
    )
    sections = list(inspection.template.sections.all())
    grouped = {section.pk: [] for section in sections}
    for answer in answers:
        grouped.setdefault(answer.item.section_id, []).append(answer)
    return sections, grouped


def inspection_detail(request, pk: int):
    inspection = get_object_or_404(
        Inspection.objects.visible_to(request.user).select_related(
            "hospital", "template", "created_by", "submitted_by", "assignment"
        ),
        pk=pk,
    )
    sections, grouped = _answers_by_section(inspection)
    counts = defaultdict(int)
    for answers in grouped.values():
        for answer in answers:
            counts[answer.result] += 1
    return render(
        request,
        "inspections/inspection_detail.html",
        {
            "inspection": inspection,
            "sections": [
                {"section": section, "answers": grouped.get(section.pk, [])} for section in sections
            ],
            "counts": {
                "pass": counts[Result.PASS],
                "fail": counts[Result.FAIL],
                "na": counts[Result.NOT_APPLICABLE],
                "blank": counts[""],
            },
            "result_badges": RESULT_BADGES,
            "amendments": inspection.amendments.select_related("by", "answer__item"),
            "actions": services.allowed_actions(request.user, inspection),
            "photo_kind_after": PhotoKind.AFTER,
        },
    )


def _record_context(
    request, inspection: Inspection, *, section_index=None, bound=None, photo_forms=None
):
    sections, grouped = _answers_by_section(inspection)
    if section_index is None:
        try:
            section_index = int(request.GET.get("section", 1))
        except ValueError:
            section_index = 1
    section_index = min(max(section_index, 1), max(len(sections), 1))
    nav = []
    for index, section in enumerate(sections, 1):
        answers = grouped.get(section.pk, [])
        nav.append(
            {
                "index": index,
                "section": section,
                "answered": sum(1 for a in answers if a.result),
                "total": len(answers),
                "failed": sum(1 for a in answers if a.result == Result.FAIL),
            }
        )
    current = sections[section_index - 1] if sections else None
    items = []
    for answer in grouped.get(current.pk, []) if current else []:
        form = (bound or {}).get(answer.pk) or AnswerForm(answer=answer)
        items.append(_item_context(answer, form, (photo_forms or {}).get(answer.pk)))
    total = sum(entry["total"] for entry in nav)
    answered = sum(entry["answered"] for entry in nav)
    return {
        **_jumps(sections, grouped, section_index),
        "inspection": inspection,
        "nav": nav,
        "section_index": section_index,
        "current": current,
        "items": items,
        "header_form": InspectionHeaderForm(instance=inspection),
        "total": total,
        "answered": answered,
        "current_unanswered": sum(1 for it in items if not it["answer"].result),
        "remaining": total - answered,
        "has_next": section_index < len(sections),
        "has_prev": section_index > 1,
    }


def _jumps(sections, grouped, section_index: int) -> dict:
    """Where "下一未填项" / "下一不合格项" lead: the first such item of this section (the link
    without JavaScript), and the first one of the following sections, then of the earlier ones
    (where checklist.js goes once this page has none left)."""
    order = list(range(section_index, len(sections))) + list(range(0, section_index - 1))

    def first(indexes, test) -> str:
        for index in indexes:
            for answer in grouped.get(sections[index].pk, []):
                if test(answer):
                    return f"?section={index + 1}#item-{answer.pk}"
        return ""

    def links(test) -> dict:
        here = first([section_index - 1], test) if sections else ""
        elsewhere = first(order, test)
        return {"here": here or elsewhere, "elsewhere": elsewhere}

    return {
        "next_unanswered": links(lambda answer: not answer.result),
        "next_failed": links(lambda answer: answer.result == Result.FAIL),
    }


def _item_context(answer: Answer, form: AnswerForm, photo_form: PhotoUploadForm | None = None):
    photos = list(answer.photos.all())
    return {
        "answer": answer,
        "form": form,
        "photo_form": photo_form or PhotoUploadForm(),
        # A fresh key on every rendering: a new choice of files is a new upload attempt.
        "upload_key": PhotoUploadForm.new_key(),
        "photos": [p for p in photos if p.kind == PhotoKind.FINDING],
        "after_photos": [p for p in photos if p.kind == PhotoKind.AFTER],
        "badge": RESULT_BADGES[answer.result],
        # Answered items are folded to their header line (a failed one stays open: it needs
        # the hazard details); one that came back with errors stays open too.
        "folded": bool(answer.result)
        and answer.result != Result.FAIL
        and not (form.is_bound and form.errors),
        "problems": services.answer_problems(
            answer, sum(1 for p in photos if p.kind == PhotoKind.AFTER)
        )
        if answer.result == Result.FAIL
        else [],
    }


def _item_html(request, inspection: Inspection, answer_pk: int, section_index: int) -> str:
    """The item's card as stored now (record.js takes its photo area and badges from it)."""
    answer = (
        Answer.objects.select_related("item", "hazard")
        .prefetch_related(
            Prefetch("photos", queryset=AnswerPhoto.objects.order_by("uploaded_at", "pk"))
        )
        .get(pk=answer_pk)
    )
    return render_to_string(
        "inspections/_answer_item.html",
        {
            "it": _item_context(answer, AnswerForm(answer=answer)),
            "inspection": inspection,
            "section_index": section_index,
        },
        request=request,
    )


def _visible_inspection(request, pk: int) -> Inspection:
    """Outsiders get 404; whether the user may act is the services' answer (allowed_actions)."""
    return get_object_or_404(
        Inspection.objects.visible_to(request.user).select_related(
            "hospital", "template", "assignment"
        ),
        pk=pk,
    )


def _refused(request, inspection: Inspection, exc: services.InspectionError):
    if _wants_json(request):
        return JsonResponse({"ok": False, "errors": [str(exc)]}, status=409)
    apply_domain_error(request, exc)
    return redirect("inspections:detail", pk=inspection.pk)


def _refusal_redirect(request, inspection: Inspection, action: str):
    """For pages (GET): None when `action` is allowed, else back to the detail page saying why."""
    refusal = services.action_refusal(request.user, inspection, action)
    if not refusal:
        return None
    if not (action == InspectionAction.RECORD and inspection.is_submitted):
        messages.error(request, refusal)  # a submitted inspection simply opens read-only
    return redirect("inspections:detail", pk=inspection.pk)


def _confirm_page(request, *, title: str, message: str, cancel_url: str, danger=True):
    """The no-JavaScript confirmation step of a destructive POST: the same form again, with
    `confirm=1`. record.js / confirm.js ask in the page instead and add the field."""
    hidden = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in ("csrfmiddlewaretoken", "confirm")
        for value in values
    ]
    return render(
        request,
        "inspections/confirm.html",
        {
            "title": title,
            "message": message,
            "action": request.path,
            "hidden": hidden,
            "cancel_url": cancel_url,
            "danger": danger,
        },
    )


def _confirmed(request) -> bool:
    return request.method == "POST" and request.POST.get("confirm") == "1"


def inspection_record(request, pk: int):
    inspection = _visible_inspection(request, pk)
    refused = _refusal_redirect(request, inspection, InspectionAction.RECORD)
    if refused:
        return refused
    return render(request, "inspections/record.html", _record_context(request, inspection))


@require_POST
def inspection_header(request, pk: int):
    inspection = _visible_inspection(request, pk)
    form = InspectionHeaderForm(request.POST, instance=Inspection.objects.get(pk=inspection.pk))
    if form.is_valid():
        try:
            services.inspection_update(inspection=inspection, by=request.user, **form.cleaned_data)
        except services.InspectionError as exc:
            return _refused(request, inspection, exc)
        messages.success(request, _("检查信息已保存。"))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    section = _section_param(request.POST.get("section"))
    return redirect(f"{reverse('inspections:record', args=[inspection.pk])}?section={section}")


def _add_photos(request, answer: Answer, photo_form: PhotoUploadForm) -> tuple[list[str], int]:
    """Store the valid files of `photo_form`, each exactly once; the refusals are added to the
    form (next to their input) and returned as messages. Returns (errors, stored count)."""
    photo_form.is_valid()
    # A refused file (wrong type, too large) is reported; the valid files of the other input
    # are still stored.
    errors, stored = [e for errs in photo_form.errors.values() for e in errs], 0
    for name, kind, upload, key in photo_form.uploads():
        try:
            _photo, created = services.answer_photo_add(
                answer=answer, by=request.user, upload=upload, kind=kind, upload_key=key
            )
        except ValidationError as exc:
            for message in exc.messages:
                photo_form.add_error(name, message)
                errors.append(message)
        else:
            stored += created
    return errors, stored


@require_POST
def answer_save(request, pk: int, answer_pk: int):
    """Save one item: its fields and, from the page without JavaScript, the photos chosen with
    it. The fields are saved first and stay saved whatever happens to the photos."""
    inspection = _visible_inspection(request, pk)
    answer = get_object_or_404(
        inspection.answers.select_related("item", "item__section"), pk=answer_pk
    )
    form = AnswerForm(request.POST, answer=answer)
    photo_form = PhotoUploadForm(request.POST, request.FILES)
    section_index = _section_param(request.POST.get("section"))
    saved = form.is_valid()
    try:
        if saved:
            answer = services.answer_save(answer=answer, by=request.user, data=form.cleaned_data)
        photo_errors, _stored = (
            _add_photos(request, answer, photo_form) if photo_form.has_files() else ([], 0)
        )
    except services.InspectionError as exc:
        return _refused(request, inspection, exc)
    if _wants_json(request):
        errors = [
            f"{form.fields[name].label if name in form.fields else ''}: {e}".lstrip(": ")
            for name, errs in form.errors.items()
            for e in errs
        ] + photo_errors
        return JsonResponse(
            {
                "ok": not errors,
                "saved": saved,
                "errors": errors,
                "html": _item_html(request, inspection, answer.pk, section_index),
            },
            status=400 if errors else 200,
        )
    if saved and not photo_errors:
        messages.success(request, _("第 %(code)s 项已保存。") % {"code": answer.item.code})
        url = reverse("inspections:record", args=[inspection.pk])
        return redirect(f"{url}?section={section_index}#item-{answer.pk}")
    # Something was refused: show the item again with its errors next to the inputs. What was
    # typed is on the page (and, when the fields were valid, already saved).
    if saved:
        messages.warning(
            request,
            _("第 %(code)s 项已保存,但照片未保存,请查看该项下的提示。")
            % {"code": answer.item.code},
        )
        bound = {}
    else:
        messages.error(
            request, _("第 %(code)s 项未保存,请检查填写内容。") % {"code": answer.item.code}
        )
        bound = {answer.pk: form}
    context = _record_context(
        request,
        inspection,
        section_index=section_index,
        bound=bound,
        photo_forms={answer.pk: photo_form},
    )
    return render(request, "inspections/record.html", context, status=400)


@require_POST
def answer_photo_upload(request, pk: int, answer_pk: int):
    """One photo (or a few) of one item, posted on its own by record.js with its upload key,
    so a refused file never travels with — or blocks — the item's autosave."""
    inspection = _visible_inspection(request, pk)
    answer = get_object_or_404(inspection.answers, pk=answer_pk)
    photo_form = PhotoUploadForm(request.POST, request.FILES)
    section_index = _section_param(request.POST.get("section"))
    if not photo_form.has_files():
        errors, stored = [_("请选择要上传的照片。")], 0
    else:
        try:
            errors, stored = _add_photos(request, answer, photo_form)
        except services.InspectionError as exc:
            return _refused(request, inspection, exc)
    if _wants_json(request):
        return JsonResponse(
            {
                "ok": not errors,
                "stored": stored,
                "errors": errors,
                "html": _item_html(request, inspection, answer.pk, section_index),
            },
            status=400 if errors else 200,
        )
    for error in errors:
        messages.error(request, error)
    if not errors:
        messages.success(request, _("照片已上传。"))
    url = reverse("inspections:record", args=[inspection.pk])
    return redirect(f"{url}?section={section_index}#item-{answer.pk}")


@require_POST
def section_pass(request, pk: int, section_pk: int):
    inspection = _visible_inspection(request, pk)
    section = get_object_or_404(inspection.template.sections, pk=section_pk)
    section_index = _section_param(request.POST.get("section"))
    try:
        marked = services.section_mark_remaining(
            inspection=inspection, section=section, by=request.user
        )
    except services.InspectionError as exc:
        return _refused(request, inspection, exc)
    messages.success(
        request,
        _("“%(section)s”其余 %(count)s 项已标记为合格。")
        % {"section": section.title, "count": marked},
    )
    url = reverse("inspections:record", args=[inspection.pk])
    return redirect(f"{url}?section={section_index}")


@require_POST
def inspection_pass_remaining(request, pk: int):
    """其余全部合格: every unanswered item of the whole checklist becomes 合格, then the
    inspector goes on to review and submit."""
    inspection = _visible_inspection(request, pk)
    try:
        marked = services.inspection_mark_remaining(inspection=inspection, by=request.user)
    except services.InspectionError as exc:
        return _refused(request, inspection, exc)
    messages.success(request, _("其余 %(count)s 项已全部标记为合格。") % {"count": marked})
    return redirect("inspections:review", pk=inspection.pk)


@require_http_methods(["GET", "POST"])
def photo_delete(request, pk: int, photo_pk: int):
    """Deleting a photo asks first: GET (and a POST without `confirm=1`) shows the question."""
    inspection = _visible_inspection(request, pk)
    photo = get_object_or_404(
        AnswerPhoto.objects.select_related("answer"), pk=photo_pk, answer__inspection=inspection
    )
    section = _section_param(request.POST.get("section") or request.GET.get("section"))
    back = f"{reverse('inspections:record', args=[inspection.pk])}?section={section}"
    back += f"#item-{photo.answer_id}"
    if not _confirmed(request):
        refused = _refusal_redirect(request, inspection, InspectionAction.RECORD)
        if refused:
            return refused
        return _confirm_page(
            request,
            title=_("删除照片"),
            message=_("确定删除照片“%(name)s”?删除后不能恢复。") % {"name": photo.original_name},
            cancel_url=back,
        )
    try:
        services.photo_delete(photo=photo, by=request.user)
    except services.InspectionError as exc:
        return _refused(request, inspection, exc)
    if _wants_json(request):
        return JsonResponse(
            {"ok": True, "html": _item_html(request, inspection, photo.answer_id, section)}
        )
    messages.success(request, _("照片已删除。"))
    return redirect(back)


def photo_view(request, photo_pk: int):
    photo = get_object_or_404(
        AnswerPhoto.objects.filter(
            answer__inspection__in=Inspection.objects.visible_to(request.user)
        ),
        pk=photo_pk,
    )
    return file_response(
        photo.file.open("rb"), photo.original_name, photo.content_type, inline=True
    )


def inspection_review(request, pk: int):
    inspection = _visible_inspection(request, pk)
    if inspection.is_submitted:
        return redirect("inspections:detail", pk=inspection.pk)
    refused = _refusal_redirect(request, inspection, InspectionAction.SUBMIT)
    if refused:
        return refused
    problems = services.submission_problems(inspection)
    failed = list(
        inspection.answers.filter(result=Result.FAIL)
        .select_related("item", "inspection")
        .annotate(after_count=Count("photos", filter=Q(photos__kind=PhotoKind.AFTER)))
        .order_by("item__section__order", "item__order")
    )
    # Each item with what it still lacks and a link back to it on the checklist.
    section_numbers = {
        section_pk: index
        for index, section_pk in enumerate(
            inspection.template.sections.values_list("pk", flat=True), 1
        )
    }
    record_url = reverse("inspections:record", args=[inspection.pk])
    for answer in failed:
        answer.problems = services.answer_problems(answer, answer.after_count)
        answer.record_url = (
            f"{record_url}?section={section_numbers.get(answer.item.section_id, 1)}"
            f"#item-{answer.pk}"
        )
    first_blank = (
        inspection.answers.filter(result="")
        .select_related("item")
        .order_by("item__section__order", "item__order")
        .first()
    )
    blank_url = (
        f"{record_url}?section={section_numbers.get(first_blank.item.section_id, 1)}"
        f"#item-{first_blank.pk}"
        if first_blank
        else ""
    )
    counts = dict(inspection.answers.values_list("result").annotate(n=Count("pk")).order_by())
    return render(
        request,
        "inspections/review.html",
        {
            "inspection": inspection,
            "problems": problems,
            "failed": failed,
            "blank_url": blank_url,
            "counts": {
                "pass": counts.get(Result.PASS, 0),
                "fail": counts.get(Result.FAIL, 0),
                "na": counts.get(Result.NOT_APPLICABLE, 0),
                "blank": counts.get("", 0),
            },
        },
    )


@require_POST
def inspection_submit(request, pk: int):
    inspection = _visible_inspection(request, pk)
    try:
        services.inspection_submit(inspection=inspection, by=request.user)
    except services.SubmissionBlocked as exc:
        messages.error(request, str(exc) + " " + ";".join(exc.problems))
        return redirect("inspections:review", pk=inspection.pk)
    except services.InspectionError as exc:
        return _refused(request, inspection, exc)
    messages.success(request, _("检查已提交并锁定,不合格项已登记为隐患。"))
    return redirect("inspections:detail", pk=inspection.pk)


@require_http_methods(["GET", "POST"])
def inspection_delete(request, pk: int):
    inspection = _visible_inspection(request, pk)
    refused = _refusal_redirect(request, inspection, InspectionAction.DELETE)
    if refused:
        return refused
    if not _confirmed(request):
        return _confirm_page(
            request,
            title=_("删除检查草稿"),
            message=_("确定删除此检查草稿?已填写内容和照片将一并删除。"),
            cancel_url=reverse("inspections:record", args=[inspection.pk]),
        )
    try:
        services.inspection_delete_draft(inspection=inspection, by=request.user)
    except services.InspectionError as exc:
        return _refused(request, inspection, exc)
    messages.success(request, _("检查草稿已删除。"))
    return redirect("inspections:list")


def answer_amend(request, pk: int, answer_pk: int):
    inspection = _visible_inspection(request, pk)
    answer = get_object_or_404(inspection.answers.select_related("item"), pk=answer_pk)
    if request.method != "POST":
        refused = _refusal_redirect(request, inspection, InspectionAction.AMEND)
        if refused:
            return refused
    form = AmendAnswerForm(
        request.POST or None, initial={"result": answer.result, "note": answer.note}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_amend(answer=answer, by=request.user, **form.cleaned_data)
        except services.InspectionError as exc:
            if services.action_refusal(request.user, inspection, InspectionAction.AMEND):
                return _refused(request, inspection, exc)
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("更正已保存并记录。"))
            return redirect(
                f"{reverse('inspections:detail', args=[inspection.pk])}#item-{answer.item_id}"
            )
    return render(
        request,
        "inspections/amend.html",
        {"inspection": inspection, "answer": answer, "form": form},
    )


def header_amend(request, pk: int):
    """Correct the location, participants, summary (or third-party firm) of a submitted
    inspection."""
    inspection = _visible_inspection(request, pk)
    if request.method != "POST":
        refused = _refusal_redirect(request, inspection, InspectionAction.AMEND)
        if refused:
            return refused
    form = AmendHeaderForm(
        request.POST or None,
        initial={name: getattr(inspection, name) for name in services.AMENDABLE_HEADER_FIELDS},
        kind=inspection.kind,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.inspection_amend(inspection=inspection, by=request.user, **form.cleaned_data)
        except services.InspectionError as exc:
            if services.action_refusal(request.user, inspection, InspectionAction.AMEND):
                return _refused(request, inspection, exc)
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("更正已保存并记录。"))
            return redirect("inspections:detail", pk=inspection.pk)
    return render(
        request, "inspections/amend.html", {"inspection": inspection, "answer": None, "form": form}
    )


# --------------------------------------------------------------------------------------------
# Checklist templates
# --------------------------------------------------------------------------------------------
def template_list(request):
    templates = (
        ChecklistTemplate.objects.visible_to(request.user)
        .select_related("region", "based_on")
        .annotate(
            item_count=Count("items", distinct=True), used=Count("inspections", distinct=True)
        )
        .order_by("code", "-version")
    )
    editable = set(ChecklistTemplate.objects.editable_by(request.user).values_list("pk", flat=True))
    return render(
        request,
        "inspections/template_list.html",
        {
            "templates": templates,
            "editable": editable,
            "is_admin": request.user.is_superuser or request.user.is_region_admin,
        },
    )


def template_detail(request, pk: int):
    template = get_object_or_404(
        ChecklistTemplate.objects.visible_to(request.user).select_related("region", "based_on"),
        pk=pk,
    )
    sections = template.sections.prefetch_related(
        Prefetch("items", queryset=ChecklistItem.objects.order_by("order", "pk"))
    )
    used = template.inspections.count()
    can_edit = ChecklistTemplate.objects.editable_by(request.user).filter(pk=pk).exists()
    return render(
        request,
        "inspections/template_detail.html",
        {
            "template": template,
            "sections": sections,
            "used": used,
            "can_edit": can_edit and not used,
            "can_toggle": can_edit,
            "can_copy": request.user.is_superuser or request.user.is_region_admin,
        },
    )


@require_POST
@role_required(Role.ADMIN)
def template_copy(request, pk: int):
    template = get_object_or_404(ChecklistTemplate.objects.visible_to(request.user), pk=pk)
    try:
        new = services.template_copy(template=template, by=request.user)
    except services.InspectionError as exc:
        apply_domain_error(request, exc)
        return redirect("inspections:template_detail", pk=template.pk)
    messages.success(
        request,
        _("已创建第%(version)s版(未启用)。编辑完成后请点击“启用”。") % {"version": new.version},
    )
    return redirect("inspections:template_detail", pk=new.pk)


@require_POST
@role_required(Role.ADMIN)
def template_toggle(request, pk: int):
    template = get_object_or_404(ChecklistTemplate.objects.editable_by(request.user), pk=pk)
    try:
        services.template_set_active(
            template=template, by=request.user, active=request.POST.get("active") == "1"
        )
    except services.InspectionError as exc:
        apply_domain_error(request, exc)
    else:
        messages.success(request, _("已保存。"))
    return redirect("inspections:template_detail", pk=template.pk)


def _editable_template(request, pk: int) -> ChecklistTemplate:
    return get_object_or_404(ChecklistTemplate.objects.editable_by(request.user), pk=pk)


def _template_form_page(request, template, form, title, apply):
    """Shared flow of every template edit page: refuse used versions with a message."""
    if template.inspections.exists():
        try:
            services.template_ensure_editable(template)
        except services.TemplateLockedError as exc:
            apply_domain_error(request, exc)
            return redirect("inspections:template_detail", pk=template.pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.template_edit(template=template, by=request.user, apply=apply)
        except services.InspectionError as exc:
            apply_domain_error(request, exc)
            return redirect("inspections:template_detail", pk=template.pk)
        messages.success(request, _("已保存。"))
        return redirect("inspections:template_detail", pk=template.pk)
    return render(
        request,
        "inspections/template_form.html",
        {"template": template, "form": form, "title": title},
    )


@role_required(Role.ADMIN)
def template_edit(request, pk: int):
    template = _editable_template(request, pk)
    form = TemplateForm(request.POST or None, instance=template)
    return _template_form_page(request, template, form, _("编辑检查表信息"), lambda: form.save())


@role_required(Role.ADMIN)
def section_edit(request, pk: int, section_pk: int | None = None):
    template = _editable_template(request, pk)
    section = (
        get_object_or_404(template.sections, pk=section_pk)
        if section_pk
        else ChecklistSection(template=template, order=template.sections.count() + 1)
    )
    form = SectionForm(request.POST or None, instance=section)
    title = _("编辑检查领域") if section_pk else _("新增检查领域")
    return _template_form_page(request, template, form, title, lambda: form.save())


@role_required(Role.ADMIN)
def item_edit(request, pk: int, item_pk: int | None = None):
    template = _editable_template(request, pk)
    item = (
        get_object_or_404(template.items, pk=item_pk)
        if item_pk
        else ChecklistItem(template=template)
    )
    initial = {}
    if not item_pk and request.GET.get("section"):
        section = template.sections.filter(pk=request.GET["section"]).first()
        if section:
            initial = {
                "section": section,
                "category": section.category,
                "order": section.items.count() + 1,
            }
    form = ItemForm(request.POST or None, instance=item, template=template, initial=initial)
    title = _("编辑检查条目") if item_pk else _("新增检查条目")
    return _template_form_page(request, template, form, title, lambda: form.save())


def _template_delete_step(request, template, message: str):
    """None once confirmed; else the refusal (a used version) or the confirmation page."""
    try:
        services.template_ensure_editable(template)
    except services.TemplateLockedError as exc:
        apply_domain_error(request, exc)
        return redirect("inspections:template_detail", pk=template.pk)
    if _confirmed(request):
        return None
    return _confirm_page(
        request,
        title=_("确认删除"),
        message=message,
        cancel_url=reverse("inspections:template_detail", args=[template.pk]),
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def section_delete(request, pk: int, section_pk: int):
    template = _editable_template(request, pk)
    section = get_object_or_404(template.sections, pk=section_pk)
    step = _template_delete_step(
        request,
        template,
        _("删除检查领域“%(title)s”及其全部条目?") % {"title": section.title},
    )
    if step:
        return step
    try:
        services.template_edit(template=template, by=request.user, apply=section.delete)
    except services.InspectionError as exc:
        apply_domain_error(request, exc)
    else:
        messages.success(request, _("检查领域及其条目已删除。"))
    return redirect("inspections:template_detail", pk=template.pk)


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def template_delete(request, pk: int):
    """Discard a version nobody has used (e.g. a copy made by mistake)."""
    template = _editable_template(request, pk)
    step = _template_delete_step(
        request,
        template,
        _("删除“%(name)s”第%(version)s版及其全部领域和条目?")
        % {"name": template.name, "version": template.version},
    )
    if step:
        return step
    try:
        services.template_edit(template=template, by=request.user, apply=template.delete)
    except services.InspectionError as exc:
        apply_domain_error(request, exc)
        return redirect("inspections:template_detail", pk=template.pk)
    messages.success(request, _("检查表版本已删除。"))
    return redirect("inspections:template_list")


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMIN)
def item_delete(request, pk: int, item_pk: int):
    template = _editable_template(request, pk)
    item = get_object_or_404(template.items, pk=item_pk)
    step = _template_delete_step(
        request, template, _("删除检查条目 %(code)s?") % {"code": item.code}
    )
    if step:
        return step
    try:
        services.template_edit(template=template, by=request.user, apply=item.delete)
    except services.InspectionError as exc:
        apply_domain_error(request, exc)
    else:
        messages.success(request, _("检查条目已删除。"))
    return redirect("inspections:template_detail", pk=template.pk)


__all__ = ["InspectionStatus"]
