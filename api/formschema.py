"""The request schema of a write, derived from the Django form the page uses for it: the API
validates with that same form (one set of input rules), and this only DESCRIBES it to OpenAPI."""

from __future__ import annotations

from django import forms
from rest_framework import serializers

from core.uploads import EvidenceFileField, MultipleEvidenceField

# Form fields the API fills in itself (never sent by a client).
INTERNAL_FIELDS = {"upload_key"}


def _field(form_field: forms.Field) -> serializers.Field:
    common = {
        "required": form_field.required,
        "help_text": str(form_field.help_text or form_field.label or "") or None,
    }
    if isinstance(form_field, MultipleEvidenceField):
        return serializers.ListField(child=serializers.FileField(), **common)
    if isinstance(form_field, EvidenceFileField | forms.FileField):
        return serializers.FileField(**common)
    if isinstance(form_field, forms.ModelChoiceField):
        return serializers.IntegerField(**common)
    if isinstance(form_field, forms.TypedMultipleChoiceField):
        return serializers.ListField(child=serializers.IntegerField(), **common)
    if isinstance(form_field, forms.ChoiceField):
        choices = [(value, label) for value, label in form_field.choices if value != ""]
        return serializers.ChoiceField(choices=choices, **common)
    if isinstance(form_field, forms.BooleanField):
        return serializers.BooleanField(required=False, help_text=common["help_text"])
    if isinstance(form_field, forms.DateField):
        return serializers.DateField(**common)
    if isinstance(form_field, forms.DecimalField):
        return serializers.DecimalField(
            max_digits=form_field.max_digits,
            decimal_places=form_field.decimal_places,
            coerce_to_string=False,
            allow_null=not form_field.required,
            **common,
        )
    kwargs = {"allow_blank": not form_field.required}
    if getattr(form_field, "max_length", None):
        kwargs["max_length"] = form_field.max_length
    return serializers.CharField(**common, **kwargs)


def serializer_for_form(
    form_class: type[forms.Form], name: str, overrides: dict | None = None
) -> type[serializers.Serializer]:
    """A serializer class with one field per field of `form_class` (unbound fields suffice:
    choices that depend on the user, such as the hospital, become plain ids). `overrides`
    replaces the description of fields the form only completes per request."""
    attrs = {
        field_name: _field(form_field)
        for field_name, form_field in form_class.base_fields.items()
        if field_name not in INTERNAL_FIELDS
    }
    attrs.update(overrides or {})
    return type(name, (serializers.Serializer,), attrs)


def has_files(form_class: type[forms.Form]) -> bool:
    return any(isinstance(f, forms.FileField) for f in form_class.base_fields.values())
