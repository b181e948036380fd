from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import Channel, DeliveryStatus, EventKind
from .models import Delivery


class DeliveryFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("状态"), choices=DeliveryStatus.choices)
    channel = django_filters.ChoiceFilter(label=_("渠道"), choices=Channel.choices)
    event = django_filters.ChoiceFilter(label=_("事件"), choices=EventKind.choices)
    q = django_filters.CharFilter(label=_("搜索"), method="search")
    ordering = django_filters.OrderingFilter(
        label=_("排序"),
        fields=(("created_at", "created_at"), ("attempts", "attempts"), ("status", "status")),
        field_labels={"created_at": _("创建时间"), "attempts": _("尝试次数"), "status": _("状态")},
    )

    class Meta:
        model = Delivery
        fields = ["status", "channel", "event"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(last_error__icontains=value)
            | Q(recipient__username__icontains=value)
            | Q(recipient__full_name__icontains=value)
            | Q(robot__name__icontains=value)
            | Q(address__icontains=value)
        )
