"""The list pages' FilterSets, as the API uses them: the same filters, minus the ordering
choice (cursor pagination needs one fixed order)."""

from __future__ import annotations

import copy

import django_filters
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from hazards.filters import HazardFilter
from hospitals.filters import HospitalFilter
from hospitals.models import Hospital
from inspections.filters import InspectionFilter
from reports.choices import ExportStatus, ReportType
from reports.models import ReportExport
from security.choices import ItemKind, ItemStatus
from security.models import ChecklistItem as SecurityItem


class ApiHazardFilter(HazardFilter):
    o = None


# The region filter's choices are computed per request (the regions the user sees), so the
# schema cannot guess them: it takes a region id.
ApiHazardFilter.base_filters["region"] = extend_schema_field(OpenApiTypes.INT)(
    copy.deepcopy(HazardFilter.base_filters["region"])
)


class ApiHospitalFilter(HospitalFilter):
    o = None


class ApiInspectionFilter(InspectionFilter):
    ordering = None


def _visible_hospitals(request):
    if request is None:
        return Hospital.objects.none()
    return Hospital.objects.visible_to(request.user)


class SecurityItemFilter(django_filters.FilterSet):
    """The 4+N overview's choices: which hospital, which item, which state."""

    hospital = django_filters.ModelChoiceFilter(label=_("医疗机构"), queryset=_visible_hospitals)
    kind = django_filters.ChoiceFilter(label=_("项目类别"), choices=ItemKind.choices)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=ItemStatus.choices)

    class Meta:
        model = SecurityItem
        fields = ["hospital", "kind", "status"]


class ReportExportFilter(django_filters.FilterSet):
    report_type = django_filters.ChoiceFilter(label=_("报表类型"), choices=ReportType.choices)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=ExportStatus.choices)

    class Meta:
        model = ReportExport
        fields = ["report_type", "status"]


class ApiFilterBackend(DjangoFilterBackend):
    """DjangoFilterBackend, also handing the user to FilterSets that take it
    (InspectionFilter scopes its hospital and inspector choices with it)."""

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        if getattr(view, "filterset_takes_user", False):
            kwargs["user"] = request.user
        return kwargs
