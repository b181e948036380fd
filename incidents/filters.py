"""FilterSets used by the list pages AND the exports, so both show the same rows."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hospitals.models import Hospital

from .choices import IncidentKind
from .models import Incident, Patrol

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
YES_NO = [("", "---------"), ("true", _("是")), ("false", _("否"))]


class _Scoped(django_filters.FilterSet):
    hospital = django_filters.ModelChoiceFilter(
        label=_("医疗机构"), queryset=Hospital.objects.none()
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["hospital"].queryset = Hospital.objects.visible_to(user).only("pk", "name")


class IncidentFilter(_Scoped):
    kind = django_filters.ChoiceFilter(label=_("事件类型"), choices=IncidentKind.choices)
    date_from = django_filters.DateFilter(
        label=_("发生日期自"), field_name="occurred_at", lookup_expr="date__gte", widget=DATE_INPUT
    )
    date_to = django_filters.DateFilter(
        label=_("至"), field_name="occurred_at", lookup_expr="date__lte", widget=DATE_INPUT
    )
    police_involved = django_filters.BooleanFilter(
        label=_("公安介入"), widget=forms.Select(choices=YES_NO)
    )
    q = django_filters.CharFilter(label=_("关键词"), method="filter_q")

    class Meta:
        model = Incident
        fields = ["hospital", "kind", "date_from", "date_to", "police_involved", "q"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(location__icontains=value)
            | Q(description__icontains=value)
            | Q(handled_by__icontains=value)
            | Q(police_case_number__icontains=value)
        )


class PatrolFilter(_Scoped):
    date_from = django_filters.DateFilter(
        label=_("巡查日期自"), field_name="patrolled_on", lookup_expr="gte", widget=DATE_INPUT
    )
    date_to = django_filters.DateFilter(
        label=_("至"), field_name="patrolled_on", lookup_expr="lte", widget=DATE_INPUT
    )
    has_findings = django_filters.BooleanFilter(
        label=_("发现问题"), method="filter_has_findings", widget=forms.Select(choices=YES_NO)
    )
    q = django_filters.CharFilter(label=_("关键词"), method="filter_q")

    class Meta:
        model = Patrol
        fields = ["hospital", "date_from", "date_to", "has_findings", "q"]

    def filter_has_findings(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.exclude(findings="") if value else queryset.filter(findings="")

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(route__icontains=value) | Q(patroller__icontains=value) | Q(findings__icontains=value)
        )
