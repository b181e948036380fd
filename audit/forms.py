"""The audit log's filters (shape only; the scope comes from AuditEntry.objects.visible_to)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import Action


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("操作人/账号"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=_("事件"), required=False, choices=[("", _("全部事件")), *Action.choices]
    )
    start = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    obj = forms.CharField(label=_("对象"), required=False, max_length=100)
    ip = forms.CharField(label=_("来源地址"), required=False, max_length=45)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", _("截止日期不能早于起始日期。"))
        return cleaned

    def filter(self, queryset):
        """The entries matching the valid filters (all of them when the form is unbound)."""
        if not self.is_bound or not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["actor"].strip():
            text = data["actor"].strip()
            queryset = queryset.filter(Q(actor_name__icontains=text) | Q(username__icontains=text))
        if data["action"]:
            queryset = queryset.filter(action=data["action"])
        tz = timezone.get_current_timezone()
        if data["start"]:
            since = dt.datetime.combine(data["start"], dt.time.min, tzinfo=tz)
            queryset = queryset.filter(at__gte=since)
        if data["end"]:
            until = dt.datetime.combine(data["end"] + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
            queryset = queryset.filter(at__lt=until)
        if data["obj"].strip():
            text = data["obj"].strip()
            queryset = queryset.filter(
                Q(object_repr__icontains=text)
                | Q(object_type__icontains=text)
                | Q(object_id=text)
                | Q(path__icontains=text)
            )
        if data["ip"].strip():
            queryset = queryset.filter(ip__startswith=data["ip"].strip())
        return queryset
