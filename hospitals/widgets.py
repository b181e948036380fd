"""A hospital picker for scopes of thousands of institutions: the page carries only the chosen
option; static/hospitals/picker.js adds a search box that asks `hospitals:search` as you type."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class HospitalPicker(forms.Select):
    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.attrs.setdefault("data-hospital-picker", "")
        self.attrs.setdefault("data-placeholder", _("输入机构名称搜索"))

    def get_context(self, name, value, attrs):
        attrs = {**(attrs or {}), "data-search-url": reverse("hospitals:search")}
        return super().get_context(name, value, attrs)

    def optgroups(self, name, value, attrs=None):
        # Only the blank choice and the selected institution(s): never the whole queryset.
        chosen = [v for v in value if v not in ("", None)]
        queryset = getattr(self.choices, "queryset", None)
        options = [("", "---------")]
        if chosen and queryset is not None:
            selected = queryset.filter(pk__in=[v for v in chosen if str(v).isdigit()])
            options += [(str(h.pk), str(h)) for h in selected]
        groups = []
        for index, (option_value, label) in enumerate(options):
            selected = str(option_value) in [str(v) for v in value]
            option = self.create_option(name, option_value, label, selected, index, attrs=attrs)
            groups.append((None, [option], index))
        return groups
