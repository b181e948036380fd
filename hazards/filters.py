"""The hazard FilterSet: used by the list pages AND the ledger export, so both show the same."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.dates import today
from hospitals.figures import is_large_scope
from hospitals.models import Hospital, Region, within
from hospitals.widgets import HospitalPicker

from .choices import OPEN_STATUSES, Category, RiskLevel, Source, Status
from .models import Hazard, unexplained_overdue_q


def _visible_hospitals(request):
    if request is None:
        return Hospital.objects.none()
    return Hospital.objects.visible_to(request.user).only("pk", "name")


def _visible_regions(request):
    if request is None:
        return Region.objects.none()
    return Region.objects.visible_to(request.user)


_DATE = forms.DateInput(attrs={"type": "date"})


class HazardFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="filter_search")
    hospital = django_filters.ModelChoiceFilter(label=_("医疗机构"), queryset=_visible_hospitals)
    region = django_filters.ModelChoiceFilter(
        label=_("区域"), queryset=_visible_regions, method="filter_region"
    )
    category = django_filters.ChoiceFilter(label=_("类别"), choices=Category.choices)
    risk_level = django_filters.ChoiceFilter(label=_("等级"), choices=RiskLevel.choices)
    status = django_filters.ChoiceFilter(
        label=_("状态"),
        choices=[("open", _("未销号(全部)")), *Status.choices],
        method="filter_status",
    )
    source = django_filters.ChoiceFilter(label=_("发现途径"), choices=Source.choices)
    found_from = django_filters.DateFilter(
        label=_("排查日期自"), field_name="found_on", lookup_expr="gte", widget=_DATE
    )
    found_to = django_filters.DateFilter(
        label=_("排查日期至"), field_name="found_on", lookup_expr="lte", widget=_DATE
    )
    overdue = django_filters.BooleanFilter(
        label=_("仅看逾期"),
        method="filter_overdue",
        widget=forms.CheckboxInput,
    )
    unexplained = django_filters.BooleanFilter(
        label=_("逾期未说明"),
        method="filter_unexplained",
        widget=forms.CheckboxInput,
        help_text=_("已逾期且未就当前整改期限提交书面说明理由"),
    )
    o = django_filters.OrderingFilter(
        label=_("排序"),
        fields=(
            ("code", "code"),
            ("hospital__name", "hospital"),
            ("found_on", "found_on"),
            ("deadline", "deadline"),
            ("status", "status"),
            ("risk_level", "risk_level"),
            ("category", "category"),
        ),
    )

    class Meta:
        model = Hazard
        fields: list[str] = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None and is_large_scope(request.user):
            self.filters["hospital"].extra["widget"] = HospitalPicker()

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(code__icontains=value)
            | Q(location__icontains=value)
            | Q(description__icontains=value)
            | Q(hospital__name__icontains=value)
            | Q(responsible_person__icontains=value)
            | Q(source_label__icontains=value)
        )

    def filter_region(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(within(value, "hospital__region"))

    def filter_status(self, queryset, name, value):
        if value == "open":
            return queryset.filter(status__in=OPEN_STATUSES)
        if value:
            return queryset.filter(status=value)
        return queryset

    def filter_overdue(self, queryset, name, value):
        if value:
            return queryset.filter(status__in=OPEN_STATUSES, deadline__lt=today())
        return queryset

    def filter_unexplained(self, queryset, name, value):
        if value:
            return queryset.filter(unexplained_overdue_q(today()))
        return queryset
