"""FilterSets used by the list pages AND the exports, so both show the same rows."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hospitals.models import Hospital, Region, within

from .choices import CertificateState, CertificateType, LetterLevel, SessionKind
from .selectors import certificates_in_state


def _hospitals(request):
    if request is None:
        return Hospital.objects.none()
    return Hospital.objects.visible_to(request.user).only("pk", "name")


def _regions(request):
    if request is None:
        return Region.objects.none()
    return Region.objects.visible_to(request.user)


class _ScopedFilter(django_filters.FilterSet):
    hospital = django_filters.ModelChoiceFilter(label=_("医疗机构"), queryset=_hospitals)
    region = django_filters.ModelChoiceFilter(
        label=_("区域"), queryset=_regions, method="filter_region"
    )

    def filter_region(self, queryset, name, value):
        return queryset.filter(within(value, "hospital__region")) if value else queryset


class SessionFilter(_ScopedFilter):
    q = django_filters.CharFilter(label=_("搜索"), method="filter_q")
    kind = django_filters.ChoiceFilter(label=_("培训类别"), choices=SessionKind.choices)
    year = django_filters.NumberFilter(label=_("年度"), field_name="held_on", lookup_expr="year")

    def filter_q(self, queryset, name, value):
        return queryset.filter(
            Q(title__icontains=value) | Q(trainer__icontains=value) | Q(attendees__icontains=value)
        )


class CertificateFilter(_ScopedFilter):
    q = django_filters.CharFilter(label=_("搜索"), method="filter_q")
    cert_type = django_filters.ChoiceFilter(label=_("作业类别"), choices=CertificateType.choices)
    state = django_filters.ChoiceFilter(
        label=_("状态"), choices=CertificateState.choices, method="filter_state"
    )

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(holder__icontains=value) | Q(number__icontains=value))

    def filter_state(self, queryset, name, value):
        return certificates_in_state(queryset, value)


class LetterFilter(_ScopedFilter):
    year = django_filters.NumberFilter(label=_("年度"))
    level = django_filters.ChoiceFilter(label=_("签订层级"), choices=LetterLevel.choices)


class MissingLettersForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100)
    level = forms.ChoiceField(label=_("签订层级"), choices=LetterLevel.choices, required=False)
    region = forms.ModelChoiceField(label=_("区域"), queryset=Region.objects.none(), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.visible_to(user)
