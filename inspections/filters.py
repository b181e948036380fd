"""FilterSets shared by list pages."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.figures import cached_figures
from hospitals.figures import is_large_scope
from hospitals.models import Hospital
from hospitals.widgets import HospitalPicker

from .choices import AssignmentKind, AssignmentState, InspectionKind, InspectionStatus
from .models import Assignment, Inspection
from .selectors import inspections_version

DATE_INPUT = forms.DateInput(attrs={"type": "date"})


def inspectors_visible_to(user):
    """People who recorded an inspection the user sees. Over a large scope that is a pass over
    every inspection, so the ids are cached until an inspection is added or submitted (a new
    inspector can only appear then) or the day changes."""
    inspected = Inspection.objects.visible_to(user).filter(created_by=OuterRef("pk"))
    people = User.objects.filter(Exists(inspected))
    if not is_large_scope(user):
        return people
    sql, params = people.query.sql_with_params()
    ids = cached_figures(
        f"inspectors {sql} {params!r}",
        inspections_version(),
        lambda: list(people.values_list("pk", flat=True)),
    )
    return User.objects.filter(pk__in=ids)


class InspectionFilter(django_filters.FilterSet):
    hospital = django_filters.ModelChoiceFilter(
        label=_("受检机构"), queryset=Hospital.objects.none()
    )
    kind = django_filters.ChoiceFilter(label=_("检查类型"), choices=InspectionKind.choices)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=InspectionStatus.choices)
    third_party_firm = django_filters.CharFilter(
        label=_("第三方机构"), field_name="third_party_firm", lookup_expr="icontains"
    )
    date_from = django_filters.DateFilter(
        label=_("检查日期自"), field_name="inspected_on", lookup_expr="gte", widget=DATE_INPUT
    )
    date_to = django_filters.DateFilter(
        label=_("至"), field_name="inspected_on", lookup_expr="lte", widget=DATE_INPUT
    )
    inspector = django_filters.ModelChoiceFilter(
        label=_("检查人"), field_name="created_by", queryset=User.objects.none()
    )
    has_failures = django_filters.BooleanFilter(
        label=_("有不合格项"),
        method="filter_has_failures",
        widget=forms.Select(choices=[("", "---------"), ("true", _("是")), ("false", _("否"))]),
    )
    ordering = django_filters.OrderingFilter(
        label=_("排序"),
        fields=(
            ("inspected_on", "inspected_on"),
            ("hospital__name", "hospital"),
            ("failed_count", "failed"),
        ),
        field_labels={
            "inspected_on": _("检查日期"),
            "hospital__name": _("受检机构"),
            "failed_count": _("不合格项数"),
        },
    )

    class Meta:
        model = Inspection
        fields = [
            "hospital",
            "kind",
            "third_party_firm",
            "status",
            "date_from",
            "date_to",
            "inspector",
            "has_failures",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["hospital"].queryset = Hospital.objects.visible_to(user)
        if is_large_scope(user):
            self.filters["hospital"].extra["widget"] = HospitalPicker()
        self.filters["inspector"].queryset = inspectors_visible_to(user)

    def filter_has_failures(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(failed_count__gt=0) if value else queryset.filter(failed_count=0)


class AssignmentFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("检查日类型"), choices=AssignmentKind.choices)
    state = django_filters.ChoiceFilter(label=_("状态"), choices=AssignmentState.choices)
    hospital = django_filters.ModelChoiceFilter(label=_("机构"), queryset=Hospital.objects.none())
    day = django_filters.NumberFilter(label=_("日"), field_name="due_date", lookup_expr="day")

    class Meta:
        model = Assignment
        fields = ["kind", "state", "hospital", "day"]

    def __init__(self, *args, hospitals, picker: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["hospital"].queryset = hospitals
        if picker:
            self.filters["hospital"].extra["widget"] = HospitalPicker()
