"""Thin views: scoped get → form → service → redirect or re-render with the message."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
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
from core.pagination import Keyset, paginate
from core.permissions import role_required
from core.views_helpers import apply_domain_error
from hospitals.figures import cached_for_scope

from . import services
from .choices import STATUS_BADGES, EvidenceStage, ExtensionStatus, RiskLevel
from .dossier_pdf import dossier_pdf
from .exports import dossier_items, dossier_workbook, ledger_workbook
from .filters import HazardFilter
from .forms import (
    BulkActionForm,
    DeadlineForm,
    EvidenceForm,
    ExplainForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    HazardEditForm,
    HazardRaiseForm,
    ListForSupervisionForm,
    NoteForm,
    ProgressForm,
    ReasonForm,
    RecheckForm,
    RegradeForm,
    RequiredNoteForm,
    ResumptionForm,
    ReviewForm,
    StartForm,
    SubmitForm,
    SuspensionForm,
)
from .models import ExtensionRequest, Hazard, HazardEvidence
from .selectors import due_within, hazards_version, list_figures, overdue, todo_for

PAGE_SIZE = 25
# From this page on, "next" is a keyset link (`?after=`); earlier pages keep their numbers.
KEYSET_FROM_PAGE = 10


def _get_hazard(request, pk: int) -> Hazard:
    return get_object_or_404(
        Hazard.objects.visible_to(request.user).select_related(
            "hospital", "hospital__region", "found_by", "closed_by", "rechecked_by"
        ),
        pk=pk,
    )


# --- lists ---------------------------------------------------------------------------------------

LIST_VIEWS = {
    "all": _lazy("全部隐患"),
    "todo": _lazy("我的待办"),
    "overdue": _lazy("逾期隐患"),
    "due": _lazy("7日内到期"),
}

SORT_COLUMNS = [
    ("code", _lazy("编号")),
    ("hospital", _lazy("医疗机构")),
    ("category", _lazy("类别")),
    ("risk_level", _lazy("等级")),
    ("status", _lazy("状态")),
    ("found_on", _lazy("排查时间")),
    ("deadline", _lazy("整改期限")),
]


def _base_queryset(request, view: str):
    visible = Hazard.objects.visible_to(request.user)
    if view == "todo":
        return todo_for(request.user, visible)
    if view == "overdue":
        return overdue(visible)
    if view == "due":
        return due_within(visible, 7)
    return visible


def _filtered(request, view: str) -> HazardFilter:
    return HazardFilter(
        request.GET or None, queryset=_base_queryset(request, view), request=request
    )


def _sort_links(request) -> list[dict[str, Any]]:
    current = request.GET.get("o", "")
    links = []
    for key, label in SORT_COLUMNS:
        direction = "asc" if current == key else "desc" if current == f"-{key}" else ""
        params = request.GET.copy()
        params.pop("page", None)
        params["o"] = f"-{key}" if current == key else key
        links.append({"key": key, "label": label, "dir": direction, "query": params.urlencode()})
    return links


def hazard_list(request, view: str = "all"):
    if view not in LIST_VIEWS:
        raise Http404
    filterset = _filtered(request, view)
    qs = filterset.qs
    if not request.GET.get("o"):
        qs = (
            qs.order_by("deadline", "-pk")
            if view in ("overdue", "due")
            else qs.order_by("-found_on", "-pk")
        )
    figures, total = _list_figures(request, qs)
    # Keyset pages ("?after=<found_on>,<id>") in the default newest-first order: a deep page
    # is an index range scan instead of an OFFSET over every earlier row.
    newest_first = not request.GET.get("o") and view not in ("overdue", "due")
    page = paginate(
        request,
        qs.with_list_relations(),
        per_page=PAGE_SIZE,
        count=total,
        keyset=Keyset("found_on", from_page=KEYSET_FROM_PAGE) if newest_first else None,
    )
    context = {
        "view": view,
        "views": LIST_VIEWS,
        "title": LIST_VIEWS[view],
        "filter": filterset,
        "page_obj": page,
        "figures": figures,
        "sort_links": _sort_links(request),
        "can_bulk": request.user.is_superuser or request.user.is_bureau,
        "bulk_form": BulkActionForm(),
        "badges": STATUS_BADGES,
        "today": today(),
    }
    return render(request, "hazards/list.html", context)


def _list_figures(request, qs):
    """Tiles and row count of the list; over a large scope, cached until a hazard changes."""
    return cached_for_scope(
        request.user, "hazard-list", qs, hazards_version, lambda: list_figures(qs)
    )


def ledger_download(request, view: str = "all"):
    if view not in LIST_VIEWS:
        raise Http404
    filterset = _filtered(request, view)
    qs = filterset.qs.order_by("found_on", "pk")
    data = filterset.form.cleaned_data if filterset.is_bound and filterset.form.is_valid() else {}
    start, end = data.get("found_from"), data.get("found_to")
    period = f"{start or '…'} ~ {end or '…'}" if (start or end) else _("全部")
    user = request.user
    scope_object = data.get("hospital") or data.get("region") or user.hospital or user.region
    scope = str(data.get("hospital") or data.get("region") or _scope_label(user))
    content = ledger_workbook(qs, scope=f"{scope} · {LIST_VIEWS[view]}", period=period)
    if start or end:
        dates = f"{start or ''}~{end or ''}"
        ascii_dates = f"{start:%Y%m%d}" if start else ""
        ascii_dates += f"-{end:%Y%m%d}" if end else ""
    else:
        dates = ascii_dates = today().strftime("%Y%m%d")
    filename = _("隐患台账_%(scope)s_%(dates)s.xlsx") % {"scope": scope, "dates": dates}
    fallback = ascii_filename("ledger", scope_code(scope_object) or "all", ascii_dates, ext=".xlsx")
    return attachment_response(
        content, filename.replace("/", "-"), XLSX_CONTENT_TYPE, fallback=fallback
    )


def _scope_label(user) -> str:
    if user.is_superuser:
        return _("全部")
    if user.hospital_id:
        return user.hospital.name
    if user.region_id:
        return user.region.name
    return ""


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


BULK_DONE = {
    "set_deadline": _lazy("已为 %(count)d 条隐患设定整改期限。"),
    "accept": _lazy("已验收销号 %(count)d 条隐患。"),
}


def _bulk_confirm(request, form, hazards, ids, back):
    action = form["action"].value()
    if action == "accept":
        form.fields["note"].label = _("验收意见")
        form.fields["note"].required = True
    return render(
        request,
        "hazards/bulk_confirm.html",
        {
            "form": form,
            "hazards": hazards,
            "ids": ids,
            "missing": len(ids) - len(hazards),
            "action": action,
            "action_label": dict(form.fields["action"].choices).get(action, ""),
            "next": back,
            "badges": STATUS_BADGES,
        },
    )


@require_POST
@role_required(Role.BUREAU)
def bulk_action(request):
    """Two steps, no JavaScript: the list's form leads to a confirmation page listing the
    selected hazards (and asking for the 验收意见 / the deadline); its POST runs the action."""
    back = _safe_next(request, reverse("hazards:list"))
    ids = sorted({int(v) for v in request.POST.getlist("ids") if str(v).isdigit()})
    if not ids:
        messages.error(request, _("请先勾选要处理的隐患。"))
        return redirect(back)
    hazards = list(
        Hazard.objects.visible_to(request.user)
        .select_related("hospital", "hospital__region")
        .filter(pk__in=ids)
        .order_by("code")
    )
    if not request.POST.get("confirmed"):
        initial = {name: request.POST.get(name, "") for name in ("action", "deadline", "note")}
        form = BulkActionForm(initial={**initial, "confirmed": True})
        if initial["action"] not in BULK_DONE:
            messages.error(request, _("请选择批量操作。"))
            return redirect(back)
        return _bulk_confirm(request, form, hazards, ids, back)
    form = BulkActionForm(request.POST)
    if not form.is_valid():
        return _bulk_confirm(request, form, hazards, ids, back)
    data = form.cleaned_data
    if data["action"] == "set_deadline":
        result = services.hazards_bulk(
            hazards,
            services.hazard_set_deadline,
            by=request.user,
            deadline=data["deadline"],
            note=data["note"],
        )
    else:
        try:
            result = services.hazards_bulk_accept(
                hazards=hazards, by=request.user, note=data["note"]
            )
        except services.HazardError as exc:
            apply_domain_error(form, exc, field="note")
            return _bulk_confirm(request, form, hazards, ids, back)
    missing = len(ids) - len(hazards)
    if result.done:
        messages.success(request, BULK_DONE[data["action"]] % {"count": len(result.done)})
    for hazard, reason in result.failed:
        messages.error(request, f"{hazard.code}:{reason}")
    if missing:
        messages.error(request, _("%(count)d 条隐患不存在或不在您的辖区内。") % {"count": missing})
    return redirect(back)


# --- detail --------------------------------------------------------------------------------------


def _field_history(hazard: Hazard) -> list[dict[str, Any]]:
    records = list(hazard.history.select_related("history_user").order_by("history_date", "pk"))
    rows = []
    hidden = {"updated_at", "explained_for_deadline", "submitted_at"}
    for previous, record in pairwise(records):
        delta = record.diff_against(previous)
        changes = []
        for change in delta.changes:
            if change.field in hidden:
                continue
            field = Hazard._meta.get_field(change.field)
            changes.append(
                {
                    "field": field.verbose_name,
                    "old": _display(field, change.old),
                    "new": _display(field, change.new),
                }
            )
        if changes:
            rows.append({"record": record, "changes": changes})
    rows.reverse()
    return rows


def _display(field, value) -> str:
    if value in (None, ""):
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        model = field.related_model
        obj = model._default_manager.filter(pk=value).first()
        return str(obj) if obj else str(value)
    return str(value)


def hazard_detail(request, pk: int):
    hazard = _get_hazard(request, pk)
    evidence = list(hazard.evidence.select_related("uploaded_by"))
    context = {
        "hazard": hazard,
        "actions": services.allowed_actions(request.user, hazard),
        "events": hazard.events.select_related("actor"),
        "evidence": evidence,
        "evidence_groups": [
            (label, [e for e in evidence if e.stage == stage])
            for stage, label in EvidenceStage.choices
        ],
        "extensions": hazard.extensions.select_related("requested_by", "decided_by"),
        "field_history": _field_history(hazard),
        "missing_dossier": hazard.missing_dossier_fields(),
        "acceptor_side": services.acceptor_side(hazard),
        "authority_region": services.bureau_authority_region(hazard),
        "badges": STATUS_BADGES,
    }
    return render(request, "hazards/detail.html", context)


def evidence_download(request, pk: int, evidence_pk: int):
    hazard = _get_hazard(request, pk)
    evidence = get_object_or_404(HazardEvidence, hazard=hazard, pk=evidence_pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404
    inline = evidence.is_image or evidence.content_type == "application/pdf"
    return file_response(handle, evidence.original_name, evidence.content_type, inline=inline)


def dossier(request, pk: int):
    hazard = _get_hazard(request, pk)
    context = {
        "hazard": hazard,
        "items": dossier_items(hazard),
        "events": hazard.events.select_related("actor"),
        "evidence": hazard.evidence.select_related("uploaded_by"),
        "extensions": hazard.extensions.select_related("requested_by", "decided_by"),
        "missing_dossier": hazard.missing_dossier_fields(),
    }
    return render(request, "hazards/dossier.html", context)


def dossier_download(request, pk: int):
    hazard = _get_hazard(request, pk)
    content = dossier_workbook(
        hazard,
        hazard.events.select_related("actor"),
        hazard.evidence.select_related("uploaded_by"),
    )
    return attachment_response(
        content,
        _("隐患档案_%(code)s.xlsx") % {"code": hazard.code},
        XLSX_CONTENT_TYPE,
        fallback=ascii_filename("dossier", hazard.code, ext=".xlsx"),
    )


def dossier_pdf_download(request, pk: int):
    hazard = _get_hazard(request, pk)
    content = dossier_pdf(
        hazard,
        hazard.events.select_related("actor"),
        hazard.evidence.select_related("uploaded_by"),
        hazard.extensions.select_related("decided_by"),
    )
    name = _("一患一档-%(code)s.pdf") if hazard.is_major else _("隐患档案-%(code)s.pdf")
    return attachment_response(content, name % {"code": hazard.code}, "application/pdf")


# --- create and edit -----------------------------------------------------------------------------


def _apply_validation_error(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@role_required(Role.OFFICER, Role.BUREAU)
def hazard_create(request):
    form = HazardRaiseForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            hazard = services.hazard_raise(
                hospital=data["hospital"],
                found_by=request.user,
                source=data["source"],
                category=data["category"],
                risk_level=data["risk_level"],
                location=data["location"],
                description=data["description"],
                found_on=data["found_on"],
                photos=data["photos"],
                deadline=data["deadline"],
                fixed_on_the_spot=data["fixed_on_the_spot"],
                after_photos=data["after_photos"] if data["fixed_on_the_spot"] else (),
                rectification_measures=data["rectification_measures"],
                upload_key=data["upload_key"],
            )
        except ValidationError as exc:
            _apply_validation_error(form, exc)
        except services.HazardError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("隐患 %(code)s 已登记。") % {"code": hazard.code})
            return redirect(hazard)
    return render(
        request,
        "hazards/form.html",
        {"form": form, "title": _("登记隐患"), "multipart": True},
    )


def hazard_edit(request, pk: int):
    hazard = _get_hazard(request, pk)
    if "edit" not in services.allowed_actions(request.user, hazard):
        messages.error(request, _("当前状态下您不能修改该隐患。"))
        return redirect(hazard)
    form = HazardEditForm(
        request.POST or None, instance=Hazard.objects.get(pk=hazard.pk), user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.hazard_update(
                hazard=hazard,
                by=request.user,
                changes=form.changes(),
                note=form.cleaned_data["note"],
                expected_version=form.cleaned_data["version"] or None,
            )
        except services.HazardError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect(hazard)
    title = _("完善一患一档") if "plan_goal" in form.fields else _("修改隐患信息")
    return render(request, "hazards/form.html", {"form": form, "title": title, "hazard": hazard})


# --- transitions ---------------------------------------------------------------------------------


@dataclass
class Action:
    title: Any
    form: type
    perform: Any  # (hazard, user, cleaned_data, expected_status) -> None
    success: Any
    button: Any
    danger: bool = False
    multipart: bool = False
    initial: Any = None


def _expected(data) -> str | None:
    return data.get("expected_status") or None


def _start(hazard, user, data):
    services.hazard_start_rectification(
        hazard=hazard,
        by=user,
        note=data["note"],
        expected_status=_expected(data),
        responsible_department=data["responsible_department"],
        responsible_person=data["responsible_person"],
        rectification_measures=data["rectification_measures"],
        funds=data["funds"],
        interim_measures=data["interim_measures"],
    )


def _start_initial(hazard):
    return {
        name: getattr(hazard, name)
        for name in (
            "responsible_department",
            "responsible_person",
            "rectification_measures",
            "funds",
            "interim_measures",
        )
    }


ACTIONS: dict[str, Action] = {
    "start": Action(
        _lazy("开始整改(落实“六定”)"),
        StartForm,
        _start,
        _lazy("已开始整改。"),
        _lazy("开始整改"),
        initial=_start_initial,
    ),
    "progress": Action(
        _lazy("记录整改进度"),
        ProgressForm,
        lambda h, u, d: services.hazard_record_progress(
            hazard=h,
            by=u,
            note=d["note"],
            files=d["files"],
            expected_status=_expected(d),
            upload_key=d["upload_key"],
        ),
        _lazy("整改进度已记录。"),
        _lazy("保存进度"),
        multipart=True,
    ),
    "submit": Action(
        _lazy("提交验收"),
        SubmitForm,
        lambda h, u, d: services.hazard_submit(
            hazard=h,
            by=u,
            note=d["note"],
            explanation=d["explanation"],
            files=d["files"],
            expected_status=_expected(d),
            upload_key=d["upload_key"],
        ),
        _lazy("已提交验收。"),
        _lazy("提交验收"),
        multipart=True,
    ),
    "recheck": Action(
        _lazy("记录复查情况"),
        RecheckForm,
        lambda h, u, d: services.hazard_record_recheck(
            hazard=h,
            by=u,
            note=d["note"],
            files=d["files"],
            expected_status=_expected(d),
            upload_key=d["upload_key"],
        ),
        _lazy("复查情况已记录。"),
        _lazy("保存复查"),
        multipart=True,
    ),
    "accept": Action(
        _lazy("验收通过并销号"),
        NoteForm,
        lambda h, u, d: services.hazard_accept(
            hazard=h, by=u, note=d["note"], expected_status=_expected(d)
        ),
        _lazy("验收通过,隐患已销号。"),
        _lazy("验收通过并销号"),
    ),
    "reject": Action(
        _lazy("验收不通过,退回整改"),
        RequiredNoteForm,
        lambda h, u, d: services.hazard_reject(
            hazard=h, by=u, note=d["note"], expected_status=_expected(d)
        ),
        _lazy("已退回整改。"),
        _lazy("验收不通过"),
        danger=True,
    ),
    "explain": Action(
        _lazy("逾期书面说明"),
        ExplainForm,
        lambda h, u, d: services.hazard_explain_overdue(
            hazard=h, by=u, explanation=d["explanation"], expected_status=_expected(d)
        ),
        _lazy("书面说明已提交。"),
        _lazy("提交说明"),
        initial=lambda h: {"explanation": h.overdue_explanation},
    ),
    "deadline": Action(
        _lazy("设定整改期限"),
        DeadlineForm,
        lambda h, u, d: services.hazard_set_deadline(
            hazard=h, by=u, deadline=d["deadline"], note=d["note"], expected_status=_expected(d)
        ),
        _lazy("整改期限已更新。"),
        _lazy("保存期限"),
        initial=lambda h: {"deadline": h.deadline},
    ),
    "extension": Action(
        _lazy("申请延期"),
        ExtensionRequestForm,
        lambda h, u, d: services.hazard_request_extension(
            hazard=h, by=u, requested_deadline=d["requested_deadline"], reason=d["reason"]
        ),
        _lazy("延期申请已提交,等待卫健局审批。"),
        _lazy("提交申请"),
    ),
    "evidence": Action(
        _lazy("上传佐证材料"),
        EvidenceForm,
        lambda h, u, d: services.hazard_add_evidence(
            hazard=h,
            by=u,
            files=d["files"],
            stage=d["stage"],
            note=d["note"],
            upload_key=d["upload_key"],
        ),
        _lazy("材料已上传。"),
        _lazy("上传"),
        multipart=True,
    ),
    # Bureau decisions (FIELD_AUTHORITY's bureau side): each with its reason.
    "regrade": Action(
        _lazy("调整隐患等级"),
        RegradeForm,
        lambda h, u, d: services.hazard_regrade(
            hazard=h, by=u, risk_level=d["risk_level"], reason=d["reason"]
        ),
        _lazy("隐患等级已调整。"),
        _lazy("确认调整"),
        initial=lambda h: {
            "risk_level": RiskLevel.GENERAL if h.is_major else RiskLevel.MAJOR,
        },
    ),
    "list": Action(
        _lazy("挂牌督办"),
        ListForSupervisionForm,
        lambda h, u, d: services.hazard_list_for_supervision(
            hazard=h, by=u, level=d["level"], notice_no=d["notice_no"], reason=d["reason"]
        ),
        _lazy("已挂牌督办。"),
        _lazy("确认挂牌督办"),
        initial=lambda h: {"level": h.supervision_level, "notice_no": h.supervision_notice_no},
    ),
    "delist": Action(
        _lazy("撤销挂牌督办"),
        ReasonForm,
        lambda h, u, d: services.hazard_delist(hazard=h, by=u, reason=d["reason"]),
        _lazy("已撤销挂牌督办。"),
        _lazy("确认撤销挂牌督办"),
        danger=True,
    ),
    "suspend": Action(
        _lazy("责令停业/停用整改"),
        SuspensionForm,
        lambda h, u, d: services.hazard_order_suspension(
            hazard=h,
            by=u,
            kind=d["kind"],
            scope=d["scope"],
            notice_no=d["notice_no"],
            reason=d["reason"],
        ),
        _lazy("已责令停业/停用整改。"),
        _lazy("确认责令"),
        danger=True,
    ),
    "apply_resumption": Action(
        _lazy("申请解除停业/停用整改"),
        ResumptionForm,
        lambda h, u, d: services.hazard_apply_resumption(hazard=h, by=u, note=d["note"]),
        _lazy("恢复申请已提交,等待卫健局审查。"),
        _lazy("提交申请"),
    ),
    "lift_suspension": Action(
        _lazy("解除停业/停用整改"),
        ReviewForm,
        lambda h, u, d: services.hazard_lift_suspension(hazard=h, by=u, reason=d["reason"]),
        _lazy("已解除停业/停用整改。"),
        _lazy("确认解除"),
    ),
    "refuse_resumption": Action(
        _lazy("不同意解除停业/停用整改"),
        ReasonForm,
        lambda h, u, d: services.hazard_refuse_resumption(hazard=h, by=u, reason=d["reason"]),
        _lazy("已退回恢复申请。"),
        _lazy("不同意解除"),
        danger=True,
    ),
}


def hazard_action(request, pk: int, action: str):
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    hazard = _get_hazard(request, pk)
    if request.method == "POST":
        form = spec.form(request.POST, request.FILES)
        if form.is_valid():
            try:
                spec.perform(hazard, request.user, form.cleaned_data)
            except ValidationError as exc:
                _apply_validation_error(form, exc)
            except services.HazardError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, spec.success)
                return redirect(hazard)
    else:
        if action not in services.allowed_actions(request.user, hazard):
            messages.error(
                request, _("您当前不能对该隐患执行“%(action)s”。") % {"action": spec.title}
            )
            return redirect(hazard)
        initial = spec.initial(hazard) if spec.initial else {}
        initial["expected_status"] = hazard.status
        form = spec.form(initial=initial)
    return render(
        request,
        "hazards/action.html",
        {"hazard": hazard, "form": form, "spec": spec, "action": action},
    )


def extension_decide(request, pk: int, extension_pk: int):
    hazard = _get_hazard(request, pk)
    extension = get_object_or_404(ExtensionRequest, hazard=hazard, pk=extension_pk)
    form = ExtensionDecisionForm(request.POST or None)
    if request.method == "GET" and (
        extension.status != ExtensionStatus.PENDING
        or "decide_extension" not in services.allowed_actions(request.user, hazard)
    ):
        messages.error(request, _("您不能审批该延期申请。"))
        return redirect(hazard)
    if request.method == "POST" and form.is_valid():
        decide = (
            services.hazard_approve_extension
            if form.cleaned_data["decision"] == "approve"
            else services.hazard_refuse_extension
        )
        try:
            decide(extension=extension, by=request.user, note=form.cleaned_data["note"])
        except services.HazardError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("延期申请已审批。"))
            return redirect(hazard)
    return render(
        request,
        "hazards/extension_decide.html",
        {"hazard": hazard, "extension": extension, "form": form},
    )
