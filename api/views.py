"""The REST API: thin views over the same scoped reads (`visible_to(user)`) and the same forms
and services as the pages. A write validates its input with the page's own form and calls the
page's own service (for hazard transitions literally the page's ACTIONS table), so an API client
can do exactly what the person could do in the browser — and nothing else."""

from __future__ import annotations

import json

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation.trans_real import (
    get_supported_language_variant,
    parse_accept_lang_header,
)
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.choices import Role
from core.dates import today
from hazards import services as hazard_services
from hazards import views as hazard_views
from hazards.choices import RiskLevel, Source
from hazards.forms import ExtensionDecisionForm, HazardRaiseForm
from hazards.models import ExtensionRequest, Hazard
from hazards.selectors import due_within, overdue, todo_for
from hospitals.models import Hospital, Region
from inspections.models import Inspection
from reports import views as report_views
from reports.models import ReportExport
from security.models import ChecklistItem as SecurityItem

from .errors import form_errors, validation_response
from .filters import (
    ApiHazardFilter,
    ApiHospitalFilter,
    ApiInspectionFilter,
    ReportExportFilter,
    SecurityItemFilter,
)
from .formschema import has_files, serializer_for_form
from .idempotency import idempotent, upload_key_for
from .middleware import STASH
from .models import ApiToken
from .serializers import (
    HazardDetailSerializer,
    HazardSerializer,
    HospitalSerializer,
    InspectionDetailSerializer,
    InspectionSerializer,
    MeSerializer,
    RegionSerializer,
    ReportExportSerializer,
    SecurityItemSerializer,
)


class ApiViewMixin:
    """Every API view: the language the client asked for (Accept-Language), then DRF's
    authentication, scope permission and throttling (settings.REST_FRAMEWORK)."""

    def initial(self, request, *args, **kwargs):
        header = request.META.get(STASH)
        if header:
            for code, _quality in parse_accept_lang_header(header):
                if code == "*":
                    break
                try:
                    language = get_supported_language_variant(code)
                except LookupError:
                    continue
                translation.activate(language)
                request.LANGUAGE_CODE = language
                break
        super().initial(request, *args, **kwargs)


def _form_data(request) -> MultiValueDict:
    """The request body as a form sees it: strings (lists for repeated fields), files apart.
    JSON values are turned into the strings a browser would send."""
    data = request.data
    out = MultiValueDict()
    if hasattr(data, "lists"):
        for key, values in data.lists():
            if key not in request.FILES:
                out.setlist(key, [v for v in values if isinstance(v, str)])
        return out
    if not isinstance(data, dict):
        return out
    for key, value in data.items():
        values = value if isinstance(value, list) else [value]
        strings = []
        for item in values:
            if item is None:
                continue
            if isinstance(item, bool):
                strings.append("true" if item else "false")
            elif isinstance(item, str):
                strings.append(item)
            else:
                strings.append(json.dumps(item, ensure_ascii=False))
        out.setlist(key, strings)
    return out


def _hazard_detail_queryset(user):
    return (
        Hazard.objects.visible_to(user)
        .select_related("hospital", "hospital__region", "found_by", "closed_by", "rechecked_by")
        .prefetch_related("events__actor", "evidence__uploaded_by", "extensions")
    )


def _hazard_response(request, pk: int, *, http_status=status.HTTP_200_OK) -> Response:
    hazard = get_object_or_404(_hazard_detail_queryset(request.user), pk=pk)
    response = Response(
        HazardDetailSerializer(hazard, context={"request": request}).data, status=http_status
    )
    if http_status == status.HTTP_201_CREATED:
        response["Location"] = reverse("api:hazard-detail", args=[hazard.pk])
    return response


class NotFoundView(ApiViewMixin, APIView):
    """Any path under /api/ that is no route: 404 in the API's error shape (any method)."""

    authentication_classes = []
    permission_classes = []
    throttle_classes = []
    schema = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise Http404


# --- who am I --------------------------------------------------------------------------------


class MeView(ApiViewMixin, APIView):
    @extend_schema(responses=MeSerializer, summary="当前账号与令牌")
    def get(self, request):
        user = request.user
        token = request.auth if isinstance(request.auth, ApiToken) else None
        return Response(
            MeSerializer(
                {
                    "id": user.pk,
                    "username": user.get_username(),
                    "display_name": user.display_name,
                    "role": user.role,
                    "region": user.region_id,
                    "hospital": user.hospital_id,
                    "scope": token.scope if token else None,
                    "token_expires_at": token.expires_at if token else None,
                }
            ).data
        )


# --- reads -------------------------------------------------------------------------------------


class ScopedReadViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """List and detail of `model.objects.visible_to(user)`: another hospital's object is 404."""

    model = None
    list_relations: tuple[str, ...] = ()
    detail_prefetch: tuple[str, ...] = ()
    detail_serializer_class = None

    def get_queryset(self):
        qs = self.model.objects.visible_to(self.request.user)
        if self.list_relations:
            qs = qs.select_related(*self.list_relations)
        if self.action == "retrieve" and self.detail_prefetch:
            qs = qs.prefetch_related(*self.detail_prefetch)
        return qs

    def get_serializer_class(self):
        if self.action == "retrieve" and self.detail_serializer_class is not None:
            return self.detail_serializer_class
        return self.serializer_class


class RegionViewSet(ScopedReadViewSet):
    model = Region
    serializer_class = RegionSerializer


class HospitalViewSet(ScopedReadViewSet):
    model = Hospital
    serializer_class = HospitalSerializer
    filterset_class = ApiHospitalFilter
    list_relations = ("region",)


class InspectionViewSet(ScopedReadViewSet):
    """Inspections with their answers (detail); drafts only to who may carry them on."""

    model = Inspection
    serializer_class = InspectionSerializer
    detail_serializer_class = InspectionDetailSerializer
    filterset_class = ApiInspectionFilter
    filterset_takes_user = True
    list_relations = ("hospital", "created_by")
    detail_prefetch = ("answers__item",)


class SecurityItemViewSet(ScopedReadViewSet):
    """4+N checklist items of the hospitals the user sees."""

    model = SecurityItem
    serializer_class = SecurityItemSerializer
    filterset_class = SecurityItemFilter
    list_relations = ("hospital",)


class ReportExportViewSet(ScopedReadViewSet):
    """Report workbooks (queued, built or failed) the user may see; a built one downloads."""

    model = ReportExport
    serializer_class = ReportExportSerializer
    filterset_class = ReportExportFilter

    @extend_schema(
        responses={
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): (
                OpenApiTypes.BINARY
            )
        },
        summary="下载已生成的报表",
    )
    def download(self, request, pk=None):
        # The page's own download view: the same visible_to, the same file and file name.
        return report_views.export_download(request._request, pk)


HAZARD_VIEWS = {
    "all": _lazy("全部隐患"),
    "todo": _lazy("我的待办"),
    "overdue": _lazy("逾期隐患"),
    "due": _lazy("7日内到期"),
}
VIEW_PARAMETER = OpenApiParameter(
    "view",
    str,
    enum=list(HAZARD_VIEWS),
    description="列表页的视图:all 全部、todo 我的待办、overdue 逾期、due 7日内到期",
)
# Pre-filled as on the page when left out: the officer's own hospital, today, 一般隐患.
RaiseSerializer = serializer_for_form(
    HazardRaiseForm,
    "HazardRaiseRequest",
    overrides={
        "hospital": serializers.IntegerField(required=False),
        "source": serializers.ChoiceField(choices=Source.choices),
        "found_on": serializers.DateField(required=False),
        "risk_level": serializers.ChoiceField(choices=RiskLevel.choices, required=False),
    },
)


class HazardViewSet(ScopedReadViewSet, mixins.CreateModelMixin):
    """Hazards: the lists (with the list pages' views and filters), the detail with its events
    and evidence metadata, and raising one (the page's form and `hazard_raise`)."""

    model = Hazard
    serializer_class = HazardSerializer
    detail_serializer_class = HazardDetailSerializer
    filterset_class = ApiHazardFilter
    list_relations = ("hospital", "hospital__region", "found_by")
    detail_prefetch = ("events__actor", "evidence__uploaded_by", "extensions")

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action == "list":
            view = self.request.query_params.get("view") or "all"
            if view not in HAZARD_VIEWS:
                raise Http404
            if view == "todo":
                qs = todo_for(self.request.user, qs)
            elif view == "overdue":
                qs = overdue(qs)
            elif view == "due":
                qs = due_within(qs, 7)
        return qs

    @extend_schema(parameters=[VIEW_PARAMETER])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request={"multipart/form-data": RaiseSerializer, "application/json": RaiseSerializer},
        responses={201: HazardDetailSerializer},
        summary="登记隐患",
        description="与“登记隐患”页面相同的表单校验和同一个服务(hazard_raise)。"
        "医院安全管理员可省略 hospital(默认本院)。照片以 multipart 的 photos 字段上传。",
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        user = request.user
        if not (user.is_superuser or user.role in (Role.OFFICER, Role.BUREAU)):
            raise PermissionDenied
        data = _form_data(request)
        # What the page's form comes pre-filled with, when the client leaves it out.
        if user.is_officer and not data.get("hospital"):
            data["hospital"] = str(user.hospital_id)
        if not data.get("found_on"):
            data["found_on"] = today().isoformat()
        if not data.get("risk_level"):
            data["risk_level"] = RiskLevel.GENERAL
        data["upload_key"] = upload_key_for(request)
        form = HazardRaiseForm(data, request.FILES, user=user)
        if not form.is_valid():
            return validation_response(form_errors(form))
        cleaned = form.cleaned_data
        hazard = hazard_services.hazard_raise(
            hospital=cleaned["hospital"],
            found_by=user,
            source=cleaned["source"],
            category=cleaned["category"],
            risk_level=cleaned["risk_level"],
            location=cleaned["location"],
            description=cleaned["description"],
            found_on=cleaned["found_on"],
            photos=cleaned["photos"],
            deadline=cleaned["deadline"],
            fixed_on_the_spot=cleaned["fixed_on_the_spot"],
            after_photos=cleaned["after_photos"] if cleaned["fixed_on_the_spot"] else (),
            rectification_measures=cleaned["rectification_measures"],
            upload_key=cleaned["upload_key"],
        )
        return _hazard_response(request, hazard.pk, http_status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[VIEW_PARAMETER],
        responses={
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): (
                OpenApiTypes.BINARY
            )
        },
        summary="导出隐患台账(Excel)",
        operation_id="hazards_ledger",
        description="与列表页“导出台账”相同的筛选条件和同一个台账生成器。",
    )
    def ledger(self, request):
        view = request.query_params.get("view") or "all"
        return hazard_views.ledger_download(request._request, view)

    @extend_schema(
        responses={(200, "*/*"): OpenApiTypes.BINARY},
        summary="下载佐证材料",
        operation_id="hazards_evidence_download",
    )
    def evidence(self, request, pk=None, evidence_pk=None):
        return hazard_views.evidence_download(request._request, int(pk), int(evidence_pk))


# --- hazard transitions: the page's ACTIONS table ---------------------------------------------


class HazardActionView(ApiViewMixin, APIView):
    """POST one transition of the hazard page (`hazards.views.ACTIONS[action_name]`): the same
    form validates the input, the same `perform` calls the same service."""

    action_name = ""

    @idempotent
    def post(self, request, pk: int):
        spec = hazard_views.ACTIONS[self.action_name]
        hazard = get_object_or_404(
            Hazard.objects.visible_to(request.user).select_related("hospital", "hospital__region"),
            pk=pk,
        )
        data = _form_data(request)
        data["upload_key"] = upload_key_for(request)
        form = spec.form(data, request.FILES)
        if not form.is_valid():
            return validation_response(form_errors(form))
        spec.perform(hazard, request.user, form.cleaned_data)
        return _hazard_response(request, hazard.pk)


def _action_view(name: str):
    spec = hazard_views.ACTIONS[name]
    body = serializer_for_form(spec.form, f"Hazard{name.title().replace('_', '')}Request")
    media = {"application/json": body}
    if has_files(spec.form):
        media = {"multipart/form-data": body, **media}
    view = type(
        f"Hazard{name.title().replace('_', '')}View", (HazardActionView,), {"action_name": name}
    )

    # A function of its own per action: extend_schema annotates the function object.
    def post(self, request, pk: int):
        return HazardActionView.post(self, request, pk)

    view.post = extend_schema(
        request=media,
        responses={200: HazardDetailSerializer},
        summary=str(spec.title),
        operation_id=f"hazards_action_{name}",
        tags=["hazards"],
    )(post)
    return view


HAZARD_ACTION_VIEWS = {name: _action_view(name) for name in hazard_views.ACTIONS}

DecisionSerializer = serializer_for_form(ExtensionDecisionForm, "ExtensionDecisionRequest")


class ExtensionDecideView(ApiViewMixin, APIView):
    """The bureau approves or refuses a pending extension request (the page's form and
    services)."""

    @extend_schema(
        request=DecisionSerializer,
        responses={200: HazardDetailSerializer},
        summary="审批延期申请",
        tags=["hazards"],
    )
    @idempotent
    def post(self, request, pk: int, extension_pk: int):
        hazard = get_object_or_404(Hazard.objects.visible_to(request.user), pk=pk)
        extension = get_object_or_404(ExtensionRequest, hazard=hazard, pk=extension_pk)
        form = ExtensionDecisionForm(_form_data(request))
        if not form.is_valid():
            return validation_response(form_errors(form))
        decide = (
            hazard_services.hazard_approve_extension
            if form.cleaned_data["decision"] == "approve"
            else hazard_services.hazard_refuse_extension
        )
        decide(extension=extension, by=request.user, note=form.cleaned_data["note"])
        return _hazard_response(request, hazard.pk)
