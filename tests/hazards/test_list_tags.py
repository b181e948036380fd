"""The list pages' cheap renderers write the markup crispy and `_status.html` wrote."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import django_filters
from django import forms
from django.template import Context, Template

from core.dates import today
from hazards.models import Hazard
from hazards.templatetags.list_tags import bs_field, status_badges


class _Form(forms.Form):
    status = forms.ChoiceField(label="状态", choices=[("a", "A")], required=False)
    found_from = forms.DateField(
        label="排查日期自", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    overdue = forms.BooleanField(label="仅看逾期", required=False, help_text="说明")
    action = forms.CharField(label="操作")


def test_select_with_an_error_keeps_ids_names_and_feedback():
    form = _Form({"status": "bogus", "found_from": "x", "action": "go"})
    form.is_valid()
    html = bs_field(form["status"])
    assert html.startswith('<div id="div_id_status" class="mb-3">')
    assert '<label for="id_status" class="form-label">状态</label>' in html
    assert 'name="status"' in html and 'id="id_status"' in html
    assert 'class="select form-select is-invalid"' in html
    assert '<div id="id_status_error" class="invalid-feedback"><p id="error_1_id_status">' in html
    date = bs_field(form["found_from"])
    assert 'type="date"' in date and 'class="dateinput form-control is-invalid"' in date


def test_checkbox_help_text_and_required_asterisk():
    form = _Form({"overdue": "on"})
    html = bs_field(form["overdue"])
    assert '<div class="mb-3"><div id="div_id_overdue" class="form-check">' in html
    assert 'class="checkboxinput form-check-input"' in html and "checked" in html
    assert '<label for="id_overdue" class="form-check-label">仅看逾期</label>' in html
    assert '<div id="id_overdue_helptext" class="form-text">说明</div>' in html
    assert '<span class="asteriskField">*</span>' in bs_field(form["action"])


def test_label_and_values_are_escaped():
    class F(forms.Form):
        q = forms.CharField(label="<b>x</b>", required=False)

    html = bs_field(F({"q": '"><script>'})["q"])
    assert "<b>" not in html and "<script>" not in html


def test_filterset_field_renders_through_the_tag():
    class FS(django_filters.FilterSet):
        kind = django_filters.ChoiceFilter(label="类型", choices=[("a", "A")])

        class Meta:
            model = Hazard
            fields: list[str] = []

    html = Template("{% load list_tags %}{% bs_field f.kind %}").render(
        Context({"f": FS({}, queryset=Hazard.objects.none()).form})
    )
    assert 'id="div_id_kind"' in html and 'name="kind"' in html


def _hazard(status, risk="general", deadline=None):
    labels = {"closed": "已销号", "in_progress": "整改中", "pending_acceptance": "待验收"}
    hazard = SimpleNamespace(
        status=status,
        risk_level=risk,
        is_major=risk == "major",
        deadline=deadline,
        get_status_display=lambda: labels.get(status, "待整改"),
    )
    hazard.is_overdue = lambda on=None: bool(
        status != "closed" and deadline and deadline < (on or today())
    )
    hazard.days_overdue = lambda on=None: ((on or today()) - deadline).days
    return hazard


def test_status_badges():
    assert status_badges(_hazard("closed")) == '<span class="badge text-bg-success">已销号</span>'
    html = status_badges(_hazard("in_progress", "major", today() - dt.timedelta(days=3)))
    assert html == (
        '<span class="badge text-bg-primary">整改中</span>'
        ' <span class="badge text-bg-danger">重大</span>'
        ' <span class="badge text-bg-danger">逾期3天</span>'
    )
    assert "text-bg-warning" in status_badges(_hazard("pending_acceptance"))
    assert "text-bg-secondary" in status_badges(_hazard("reported"))
