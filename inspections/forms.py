"""Forms: the shape of input only. Rules about who may do what live in services."""

from __future__ import annotations

import uuid

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from core.dates import today
from core.uploads import MultipleEvidenceField, clean_upload_key
from hazards.choices import Category, RiskLevel
from hospitals.models import Hospital

from .choices import InspectionKind, PhotoKind, Result
from .models import ChecklistItem, ChecklistSection, ChecklistTemplate, Inspection
from .selectors import templates_available
from .services import inspectable_hospitals, kinds_for

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _helper(label) -> FormHelper:
    helper = FormHelper()
    helper.add_input(Submit("submit", label, css_class="btn-lg"))
    return helper


class InspectionStartForm(forms.Form):
    kind = forms.ChoiceField(label=_("检查类型"))
    hospital = forms.ModelChoiceField(label=_("受检机构"), queryset=Hospital.objects.none())
    template = forms.ModelChoiceField(
        label=_("检查表"),
        queryset=ChecklistTemplate.objects.none(),
        required=False,
        empty_label=_("按机构所在区域的现行版本"),
    )
    inspected_on = forms.DateField(label=_("检查日期"), widget=DATE_INPUT)
    location = forms.CharField(label=_("检查部位/区域"), max_length=200, required=False)
    participants = forms.CharField(
        label=_("同行检查人员"),
        max_length=300,
        required=False,
        help_text=_("如联合检查的消防、公安、应急部门人员。"),
    )
    third_party_firm = forms.CharField(
        label=_("第三方机构名称"),
        max_length=200,
        required=False,
        help_text=_("第三方安全生产技术顾问检查必填,如“某某安全技术咨询有限公司”。"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        kinds = kinds_for(user)
        self.fields["kind"].choices = [
            (value, label) for value, label in InspectionKind.choices if value in kinds
        ]
        hospital_ids = set()
        for kind in kinds:
            hospital_ids.update(inspectable_hospitals(user, kind).values_list("pk", flat=True))
        self.fields["hospital"].queryset = Hospital.objects.filter(pk__in=hospital_ids).order_by(
            "region__path", "name"
        )
        self.fields["template"].queryset = templates_available(user)
        self.fields["inspected_on"].initial = today()
        self.helper = _helper(_("开始检查"))

    def clean_inspected_on(self):
        value = self.cleaned_data["inspected_on"]
        if value > today():
            raise forms.ValidationError(_("检查日期不能晚于今天。"))
        return value

    def clean(self):
        cleaned = super().clean()
        kind, hospital = cleaned.get("kind"), cleaned.get("hospital")
        if kind == InspectionKind.THIRD_PARTY and not cleaned.get("third_party_firm", "").strip():
            self.add_error(
                "third_party_firm", _("第三方安全生产技术顾问检查须填写第三方机构名称。")
            )
        if kind and hospital:
            if not inspectable_hospitals(self.user, kind).filter(pk=hospital.pk).exists():
                self.add_error(
                    "hospital",
                    _("您不能对该机构开展“%(kind)s”。") % {"kind": InspectionKind(kind).label},
                )
        return cleaned


class InspectionHeaderForm(forms.ModelForm):
    class Meta:
        model = Inspection
        fields = ["inspected_on", "location", "participants", "third_party_firm", "summary"]
        widgets = {"inspected_on": DATE_INPUT, "summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.kind == InspectionKind.THIRD_PARTY:
            self.fields["third_party_firm"].required = True
        else:
            del self.fields["third_party_firm"]
        self.helper = _helper(_("保存"))

    def clean_inspected_on(self):
        value = self.cleaned_data["inspected_on"]
        if value > today():
            raise forms.ValidationError(_("检查日期不能晚于今天。"))
        return value


class AnswerForm(forms.Form):
    """One checklist item; posted on its own so each item is saved as the inspector goes."""

    result = forms.ChoiceField(
        label=_("检查结果"),
        choices=Result.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    note = forms.CharField(
        label=_("检查情况"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    hazard_location = forms.CharField(label=_("隐患部位"), max_length=200, required=False)
    hazard_description = forms.CharField(
        label=_("隐患描述"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    hazard_category = forms.ChoiceField(label=_("隐患类别"), choices=Category.choices)
    hazard_risk_level = forms.ChoiceField(label=_("隐患等级"), choices=RiskLevel.choices)
    hazard_deadline = forms.DateField(
        label=_("整改期限"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("留空则一般隐患30天、重大隐患90天。"),
    )
    rectification_measures = forms.CharField(
        label=_("整改措施"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    fixed_on_the_spot = forms.BooleanField(label=_("立查立改(已当场整改)"), required=False)

    def __init__(self, *args, answer, **kwargs):
        kwargs.setdefault("auto_id", f"id_a{answer.pk}_%s")
        if not args and "data" not in kwargs:
            kwargs["initial"] = {
                "result": answer.result,
                "note": answer.note,
                "hazard_location": answer.hazard_location,
                "hazard_description": answer.hazard_description or answer.note or answer.item.text,
                "hazard_category": answer.hazard_category or answer.item.category,
                "hazard_risk_level": answer.hazard_risk_level or answer.item.default_risk_level,
                "hazard_deadline": answer.hazard_deadline,
                "rectification_measures": answer.rectification_measures,
                "fixed_on_the_spot": answer.fixed_on_the_spot,
            }
        super().__init__(*args, **kwargs)
        self.answer = answer

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("fixed_on_the_spot") and cleaned.get("hazard_risk_level") == RiskLevel.MAJOR:
            self.add_error(
                "fixed_on_the_spot",
                _("重大隐患须制定治理方案并经卫健局复查验收,不能立查立改。"),
            )
        return cleaned


class PhotoUploadForm(forms.Form):
    """Photos of one item with the key of this upload attempt. The page posts it with the item
    (no JavaScript) or on its own, one file per request (record.js); either way a refused file
    is reported next to its input and never blocks saving the item's note and result."""

    photos = MultipleEvidenceField(label=_("检查照片"), required=False, images_only=True)
    after_photos = MultipleEvidenceField(label=_("整改后照片"), required=False, images_only=True)
    # Any value is accepted: a malformed key only loses the retry protection (clean_upload_key).
    upload_key = forms.CharField(required=False, widget=forms.HiddenInput, strip=True)

    FIELD_KINDS = {"photos": PhotoKind.FINDING, "after_photos": PhotoKind.AFTER}

    @staticmethod
    def new_key() -> str:
        return uuid.uuid4().hex

    def uploads(self):
        """(field name, kind, upload, key) for every valid file. Each file gets its own key,
        derived from the attempt's key and its place, so resending the same request stores
        nothing twice and two files of one request never share a key."""
        base = clean_upload_key(self.cleaned_data.get("upload_key"))[:56]
        for name, kind in self.FIELD_KINDS.items():
            for index, upload in enumerate(self.cleaned_data.get(name) or []):
                key = f"{base}-{name[0]}{index}" if base else ""
                yield name, kind, upload, key

    def has_files(self) -> bool:
        return any(self.files.getlist(name) for name in self.FIELD_KINDS)


class AmendAnswerForm(forms.Form):
    result = forms.ChoiceField(
        label=_("检查结果"), choices=Result.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("检查情况"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    reason = forms.CharField(label=_("更正原因"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("保存更正"))


class AmendHeaderForm(forms.Form):
    """The header fields the inspecting side may amend after submission (see
    services.AMENDABLE_HEADER_FIELDS); the inspection date is not one of them."""

    location = forms.CharField(label=_("检查部位/区域"), max_length=200, required=False)
    participants = forms.CharField(label=_("检查人员"), max_length=300, required=False)
    summary = forms.CharField(
        label=_("检查小结"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    third_party_firm = forms.CharField(label=_("第三方机构名称"), max_length=200)
    reason = forms.CharField(label=_("更正原因"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, kind: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if kind != InspectionKind.THIRD_PARTY:
            del self.fields["third_party_firm"]
        self.helper = _helper(_("保存更正"))


class TemplateForm(forms.ModelForm):
    class Meta:
        model = ChecklistTemplate
        fields = ["name", "effective_from", "description"]
        widgets = {"effective_from": DATE_INPUT, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("保存"))


class SectionForm(forms.ModelForm):
    class Meta:
        model = ChecklistSection
        fields = ["order", "title", "category"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("保存"))


class ItemForm(forms.ModelForm):
    class Meta:
        model = ChecklistItem
        fields = ["section", "code", "order", "text", "guidance", "category", "default_risk_level"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 2}),
            "guidance": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, template, **kwargs):
        super().__init__(*args, **kwargs)
        self.template = template
        self.fields["section"].queryset = template.sections.all()
        self.helper = _helper(_("保存"))

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        clash = ChecklistItem.objects.filter(template=self.template, code=code)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("本版本中已有编码为 %(code)s 的条目。") % {"code": code})
        return code

    def save(self, commit=True):
        self.instance.template = self.template
        return super().save(commit)
