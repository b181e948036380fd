"""FilterSets for the registry pages (and any export built on them). Choices are scoped to the
requesting user, so a filter drop-down never lists a region or consortium they cannot see."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import Demonstration, HospitalLevel, HospitalType, Ownership
from .models import BureauDepartment, Hospital, MedicalConsortium, Region


def _visible_regions(request):
    if request is None:
        return Region.objects.none()
    return Region.objects.visible_to(request.user)


def _visible_consortia(request):
    if request is None:
        return MedicalConsortium.objects.none()
    return MedicalConsortium.objects.visible_to(request.user)


def _visible_departments(request):
    if request is None:
        return BureauDepartment.objects.none()
    return BureauDepartment.objects.visible_to(request.user).select_related("region")


class HospitalFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="filter_search")
    region = django_filters.ModelChoiceFilter(
        label=_("所属区域"),
        queryset=_visible_regions,
        method="filter_region",
        empty_label=_("全部"),
    )
    level = django_filters.ChoiceFilter(
        label=_("医院等级"), choices=HospitalLevel.choices, empty_label=_("全部")
    )
    type = django_filters.ChoiceFilter(
        label=_("机构类型"), choices=HospitalType.choices, empty_label=_("全部")
    )
    ownership = django_filters.ChoiceFilter(
        label=_("所有制"), choices=Ownership.choices, empty_label=_("全部")
    )
    consortium = django_filters.ModelChoiceFilter(
        label=_("所属医共体"), queryset=_visible_consortia, empty_label=_("全部")
    )
    linked_department = django_filters.ModelChoiceFilter(
        label=_("挂钩科室"), queryset=_visible_departments, empty_label=_("全部")
    )
    demonstration = django_filters.ChoiceFilter(
        label=_("示范单位"),
        choices=[("any", _("全部示范单位")), *Demonstration.choices[1:], ("none", _("非示范单位"))],
        method="filter_demonstration",
        empty_label=_("全部"),
    )
    is_active = django_filters.ChoiceFilter(
        label=_("状态"),
        choices=[("1", _("在用")), ("0", _("已停用"))],
        method="filter_active",
        empty_label=_("全部"),
    )
    o = django_filters.OrderingFilter(
        label=_("排序"),
        fields=(
            ("name", "name"),
            ("region__path", "region"),
            ("level", "level"),
            ("type", "type"),
            ("ownership", "ownership"),
            ("beds_actual", "beds"),
            ("on_duty_staff", "staff"),
            ("daily_outpatients", "outpatients"),
            ("updated_at", "updated"),
        ),
        field_labels={
            "name": _("机构名称"),
            "region__path": _("所属区域"),
            "level": _("医院等级"),
            "type": _("机构类型"),
            "ownership": _("所有制"),
            "beds_actual": _("实有床位"),
            "on_duty_staff": _("在岗医务人员数"),
            "daily_outpatients": _("日均门诊量"),
            "updated_at": _("更新时间"),
        },
    )

    class Meta:
        model = Hospital
        fields = [
            "q",
            "region",
            "level",
            "type",
            "ownership",
            "consortium",
            "linked_department",
            "demonstration",
            "is_active",
        ]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(credit_code__icontains=value.upper())
            | Q(address__icontains=value)
        )

    def filter_region(self, queryset, name, value):
        return queryset.in_region(value) if value else queryset

    def filter_demonstration(self, queryset, name, value):
        if value == "any":
            return queryset.exclude(demonstration="")
        if value == "none":
            return queryset.filter(demonstration="")
        return queryset.filter(demonstration=value) if value else queryset

    def filter_active(self, queryset, name, value):
        if value in ("1", "0"):
            return queryset.filter(is_active=value == "1")
        return queryset
