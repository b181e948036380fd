"""Cheap renderers for list pages: a filter field in Bootstrap 5 markup and a hazard's
status badges, as Python instead of a crispy field / an `{% include %}` per call.

`bs_field` writes what crispy-bootstrap5's `as_crispy_field` wrote for the filter forms
(same ids, classes, label, errors and help text), at a fraction of the cost."""

from __future__ import annotations

from django import forms, template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

from core.dates import today

register = template.Library()

_STATUS_CLASS = {
    "closed": "success",
    "pending_acceptance": "warning",
    "in_progress": "primary",
}


@register.simple_tag
def bs_field(field: forms.BoundField):
    """One form field as Bootstrap 5 markup (label, control, errors, help text)."""
    widget = field.field.widget
    checkbox = isinstance(widget, forms.CheckboxInput)
    if checkbox:
        control_class = "form-check-input"
    elif isinstance(widget, forms.Select):
        control_class = "form-select"
    else:
        control_class = "form-control"
    classes = [widget.__class__.__name__.lower(), control_class]
    if widget.attrs.get("class"):
        classes.insert(0, widget.attrs["class"])
    errors = field.errors
    if errors:
        classes.append("is-invalid")
    control = field.as_widget(attrs={"class": " ".join(classes)})
    auto_id = field.auto_id
    label = format_html(
        '<label for="{}" class="{}">{}{}</label>',
        field.id_for_label,
        "form-check-label" if checkbox else "form-label",
        field.label,
        mark_safe('<span class="asteriskField">*</span>') if field.field.required else "",
    )
    error_html = (
        format_html(
            '<div id="{}_error" class="invalid-feedback">{}</div>',
            auto_id,
            format_html_join(
                "",
                '<p id="error_{}_{}"><strong>{}</strong></p>',
                ((n, auto_id, e) for n, e in enumerate(errors, 1)),
            ),
        )
        if errors
        else ""
    )
    help_html = (
        format_html('<div id="{}_helptext" class="form-text">{}</div>', auto_id, field.help_text)
        if field.help_text
        else ""
    )
    if checkbox:
        return format_html(
            '<div class="mb-3"><div id="div_{}" class="form-check">{}{}{}{}</div></div>',
            auto_id,
            control,
            label,
            error_html,
            help_html,
        )
    return format_html(
        '<div id="div_{}" class="mb-3">{}{}{}{}</div>',
        auto_id,
        label,
        control,
        error_html,
        help_html,
    )


@register.simple_tag
def status_badges(hazard):
    """`hazards/_status.html` as one call: status, "major" and "overdue N days" badges."""
    html = format_html(
        '<span class="badge text-bg-{}">{}</span>',
        _STATUS_CLASS.get(hazard.status, "secondary"),
        hazard.get_status_display(),
    )
    if hazard.is_major:
        html += format_html(' <span class="badge text-bg-danger">{}</span>', gettext("重大"))
    day = today()
    if hazard.is_overdue(day):
        days = hazard.days_overdue(day)
        text = ngettext("逾期%(days)s天", "逾期%(days)s天", days) % {"days": days}
        html += format_html(' <span class="badge text-bg-danger">{}</span>', text)
    return html
