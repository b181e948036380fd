"""Input shape only; the rules are in services.py."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.uploads import MultipleEvidenceField

from .models import Certificate, ResponsibilityLetter, TrainingSession, TrainingYear

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SessionForm(forms.ModelForm):
    photos = MultipleEvidenceField(label=_("培训照片"), required=False, images_only=True)
    sign_in_sheets = MultipleEvidenceField(label=_("签到表(扫描件或照片)"), required=False)
    upload_key = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = TrainingSession
        fields = ["held_on", "kind", "title", "trainer", "hours", "attendee_count", "attendees"]
        fields += ["note"]
        widgets = {
            "held_on": _DATE,
            "attendees": forms.Textarea(attrs={"rows": 4}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }


class CertificateForm(forms.ModelForm):
    class Meta:
        model = Certificate
        fields = ["holder", "cert_type", "number", "valid_until", "note"]
        widgets = {"valid_until": _DATE}


class TrainingYearForm(forms.ModelForm):
    class Meta:
        model = TrainingYear
        fields = ["new_staff", "special_posts"]


class LetterForm(forms.ModelForm):
    scans = MultipleEvidenceField(label=_("签字盖章扫描件"), required=False)
    upload_key = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = ResponsibilityLetter
        fields = ["year", "level", "party_a", "party_b", "signed_on", "note"]
        widgets = {"signed_on": _DATE, "note": forms.Textarea(attrs={"rows": 2})}
