"""Training and letters pages. Thin: scoped fetch → form → service → redirect/render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.choices import Role
from core.dates import today
from core.http import XLSX_CONTENT_TYPE, attachment_response, file_response
from core.lists import FilteredList
from core.pagination import paginate
from core.permissions import role_required
from core.views_helpers import apply_domain_error
from hospitals.models import Hospital

from . import exports, selectors, services
from .choices import CERTIFICATE_STATE_COLOURS, CertificateState, FileKind, LetterLevel
from .filters import CertificateFilter, LetterFilter, MissingLettersForm, SessionFilter
from .forms import CertificateForm, LetterForm, SessionForm, TrainingYearForm
from .models import (
    Certificate,
    LetterScan,
    ResponsibilityLetter,
    SessionFile,
    TrainingSession,
    TrainingYear,
)
from .services import TrainingError

PER_PAGE = 25
BUREAU_SIDE = (Role.BUREAU, Role.ADMIN)


def _own_hospital(request) -> Hospital:
    """The hospital a new record belongs to: the officer's own."""
    hospital = getattr(request.user, "hospital", None)
    if hospital is None or not services.can_edit(request.user, hospital):
        raise PermissionDenied
    return hospital


def _editable(request, obj):
    if not services.can_edit(request.user, obj.hospital):
        raise PermissionDenied
    return obj


def _history(obj):
    return obj.history.select_related("history_user").order_by("-history_date", "-history_id")


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or today().year)
    except ValueError:
        return today().year
    return year if 2000 <= year <= 2100 else today().year


def index(request):
    return redirect("training:sessions")


# --- sessions ---------------------------------------------------------------------------------


SESSIONS = FilteredList(
    SessionFilter,
    lambda request: TrainingSession.objects.visible_to(request.user).select_related("hospital"),
    per_page=PER_PAGE,
)


def session_list(request):
    context = SESSIONS.page_context(
        request, title=_("安全教育培训"), can_add=request.user.is_officer
    )
    return render(request, "training/sessions.html", context)


def session_export(request):
    content = exports.workbook(
        exports.session_sheet(SESSIONS.rows(request).iterator()),
        scope=_scope_name(request),
        period=request.GET.get("year") or _("全部"),
    )
    return attachment_response(content, _("安全教育培训台账.xlsx"), XLSX_CONTENT_TYPE)


def _scope_name(request) -> str:
    user = request.user
    if getattr(user, "hospital_id", None):
        return user.hospital.name
    return user.region.name if getattr(user, "region_id", None) else _("全部")


def _session_form_page(request, hospital, session=None):
    form = SessionForm(request.POST or None, request.FILES or None, instance=session)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {name: data[name] for name in services.SESSION_FIELDS}
        try:
            session = services.session_save(
                hospital=hospital,
                fields=fields,
                by=request.user,
                session=session,
                photos=data["photos"],
                sign_in_sheets=data["sign_in_sheets"],
                upload_key=data.get("upload_key") or "",
            )
        except TrainingError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("培训记录已保存。"))
            return redirect("training:session", session.pk)
    title = _("修改培训记录") if session else _("登记培训")
    back = "training:session" if session else "training:sessions"
    return render(
        request,
        "training/form.html",
        {"title": title, "form": form, "hospital": hospital, "back_name": back, "obj": session},
    )


def session_new(request):
    return _session_form_page(request, _own_hospital(request))


def session_edit(request, pk):
    session = get_object_or_404(TrainingSession.objects.visible_to(request.user), pk=pk)
    _editable(request, session)
    return _session_form_page(request, session.hospital, session)


def session_detail(request, pk):
    session = get_object_or_404(
        TrainingSession.objects.visible_to(request.user).select_related("hospital"), pk=pk
    )
    files = list(session.files.all())
    return render(
        request,
        "training/session.html",
        {
            "title": session.title,
            "session": session,
            "photos": [f for f in files if f.kind == FileKind.PHOTO],
            "sheets": [f for f in files if f.kind == FileKind.SIGN_IN],
            "history": _history(session),
            "can_edit": services.can_edit(request.user, session.hospital),
        },
    )


def _download(row):
    try:
        handle = row.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404(_("文件不存在或已被删除。"))
    return file_response(handle, row.original_name, row.content_type, inline=row.is_image)


def session_file(request, pk):
    return _download(get_object_or_404(SessionFile.objects.visible_to(request.user), pk=pk))


# --- certificates -----------------------------------------------------------------------------


CERTIFICATES = FilteredList(
    CertificateFilter,
    lambda request: Certificate.objects.visible_to(request.user).select_related("hospital"),
    per_page=PER_PAGE,
)


def certificate_list(request):
    context = CERTIFICATES.page_context(
        request, title=_("特种作业人员证书"), can_add=request.user.is_officer
    )
    on = today()
    for certificate in context["page"]:
        certificate.state = selectors.certificate_state(certificate, on)
        certificate.colour = CERTIFICATE_STATE_COLOURS[certificate.state]
        certificate.state_label = CertificateState(certificate.state).label
    return render(request, "training/certificates.html", context)


def certificate_export(request):
    content = exports.workbook(
        exports.certificate_sheet(CERTIFICATES.rows(request).iterator(), on=today()),
        scope=_scope_name(request),
        period=str(today()),
    )
    return attachment_response(content, _("特种作业人员证书台账.xlsx"), XLSX_CONTENT_TYPE)


def _certificate_form_page(request, hospital, certificate=None):
    form = CertificateForm(request.POST or None, instance=certificate)
    if request.method == "POST" and form.is_valid():
        try:
            certificate = services.certificate_save(
                hospital=hospital,
                fields=dict(form.cleaned_data),
                by=request.user,
                certificate=certificate,
            )
        except TrainingError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("证书已保存。"))
            return redirect("training:certificate", certificate.pk)
    return render(
        request,
        "training/form.html",
        {
            "title": _("修改证书") if certificate else _("登记证书"),
            "form": form,
            "hospital": hospital,
            "back_name": "training:certificate" if certificate else "training:certificates",
            "obj": certificate,
        },
    )


def certificate_new(request):
    return _certificate_form_page(request, _own_hospital(request))


def certificate_edit(request, pk):
    certificate = get_object_or_404(Certificate.objects.visible_to(request.user), pk=pk)
    _editable(request, certificate)
    return _certificate_form_page(request, certificate.hospital, certificate)


def certificate_detail(request, pk):
    certificate = get_object_or_404(
        Certificate.objects.visible_to(request.user).select_related("hospital"), pk=pk
    )
    state = selectors.certificate_state(certificate)
    return render(
        request,
        "training/certificate.html",
        {
            "title": str(certificate),
            "certificate": certificate,
            "state_label": CertificateState(state).label,
            "colour": CERTIFICATE_STATE_COLOURS[state],
            "history": _history(certificate),
            "can_edit": services.can_edit(request.user, certificate.hospital),
        },
    )


# --- yearly figures ---------------------------------------------------------------------------


def figures(request):
    year = _year(request)
    hospitals = Hospital.objects.visible_to(request.user).active().select_related("region")
    page = paginate(request, hospitals, per_page=PER_PAGE)
    per = selectors.training_figures_for([h.pk for h in page], year)
    rows = [(hospital, per[hospital.pk]) for hospital in page]
    return render(
        request,
        "training/figures.html",
        {
            "title": _("培训考核指标"),
            "year": year,
            "years": range(today().year, today().year - 5, -1),
            "rows": rows,
            "page": page,
            "own_hospital_id": request.user.hospital_id if request.user.is_officer else None,
        },
    )


def year_edit(request, pk, year):
    hospital = get_object_or_404(Hospital.objects.visible_to(request.user), pk=pk)
    if not services.can_edit(request.user, hospital):
        raise PermissionDenied
    if not 2000 <= year <= today().year + 1:
        raise Http404
    instance = TrainingYear.objects.filter(hospital=hospital, year=year).first()
    form = TrainingYearForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.training_year_save(
                hospital=hospital, year=year, by=request.user, **form.cleaned_data
            )
        except TrainingError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("年度基数已保存。"))
            return redirect(f"{reverse('training:figures')}?year={year}")
    return render(
        request,
        "training/form.html",
        {
            "title": _("%(year)s 年度培训基数") % {"year": year},
            "form": form,
            "hospital": hospital,
            "back_name": "training:figures",
        },
    )


# --- responsibility letters -------------------------------------------------------------------


LETTERS = FilteredList(
    LetterFilter,
    lambda request: (
        ResponsibilityLetter.objects.visible_to(request.user)
        .select_related("hospital")
        .annotate(scan_count=Count("scans"))
        .order_by("-year", "level", "pk")
    ),
    per_page=PER_PAGE,
)


def letter_list(request):
    context = LETTERS.page_context(
        request, title=_("安全生产责任书"), can_add=request.user.is_officer
    )
    return render(request, "training/letters.html", context)


def letter_export(request):
    content = exports.workbook(
        exports.letter_sheet(LETTERS.rows(request)),
        scope=_scope_name(request),
        period=request.GET.get("year") or _("全部"),
    )
    return attachment_response(content, _("安全生产责任书台账.xlsx"), XLSX_CONTENT_TYPE)


def _letter_form_page(request, hospital, letter=None):
    initial = {} if letter else {"year": today().year, "party_b": hospital.name}
    form = LetterForm(request.POST or None, request.FILES or None, instance=letter, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            letter = services.letter_save(
                hospital=hospital,
                fields={name: data[name] for name in services.LETTER_FIELDS},
                by=request.user,
                letter=letter,
                scans=data["scans"],
                upload_key=data.get("upload_key") or "",
            )
        except TrainingError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("责任书已保存。"))
            return redirect("training:letter", letter.pk)
    return render(
        request,
        "training/form.html",
        {
            "title": _("修改责任书") if letter else _("登记责任书"),
            "form": form,
            "hospital": hospital,
            "back_name": "training:letter" if letter else "training:letters",
            "obj": letter,
        },
    )


def letter_new(request):
    return _letter_form_page(request, _own_hospital(request))


def letter_edit(request, pk):
    letter = get_object_or_404(ResponsibilityLetter.objects.visible_to(request.user), pk=pk)
    _editable(request, letter)
    return _letter_form_page(request, letter.hospital, letter)


def letter_detail(request, pk):
    letter = get_object_or_404(
        ResponsibilityLetter.objects.visible_to(request.user).select_related("hospital"), pk=pk
    )
    return render(
        request,
        "training/letter.html",
        {
            "title": str(letter),
            "letter": letter,
            "scans": list(letter.scans.all()),
            "history": _history(letter),
            "can_edit": services.can_edit(request.user, letter.hospital),
        },
    )


def letter_scan(request, pk):
    return _download(get_object_or_404(LetterScan.objects.visible_to(request.user), pk=pk))


@role_required(*BUREAU_SIDE)
def letters_missing(request):
    """Who has not recorded a letter of a level this year (default: the bureau's own level)."""
    form = MissingLettersForm(request.GET or None, user=request.user)
    data = form.cleaned_data if form.is_valid() else {}
    year = data.get("year") or today().year
    level = data.get("level") or LetterLevel.BUREAU_HOSPITAL
    hospitals = Hospital.objects.visible_to(request.user).active().select_related("region")
    if data.get("region"):
        hospitals = hospitals.in_region(data["region"])
    missing = selectors.hospitals_without_letter(hospitals, year, level)
    return render(
        request,
        "training/letters_missing.html",
        {
            "title": _("未签订安全生产责任书的机构"),
            "form": form,
            "year": year,
            "level_label": LetterLevel(level).label,
            "page": paginate(request, missing, per_page=PER_PAGE),
        },
    )
