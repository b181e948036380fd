"""Forms for the registry pages. They validate input shape and the user's scope; the writes
happen in hospitals/services.py."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row, Submit
from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .choices import InspectionDayShift, RegionLevel
from .models import (
    REGION_SETTING_DEFAULTS,
    BureauDepartment,
    Hospital,
    MedicalConsortium,
    Region,
)
from .validators import normalize_credit_code

REGION_LEVEL_ORDER = [RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY]


def _is_within(child: Region, ancestor: Region) -> bool:
    return ancestor.contains(child)


def parse_day_offsets(value: str) -> str:
    """Normalise "3,1" / "3,1" / "3 1" into "3,1"; reject anything but day counts 0-365."""
    value = (value or "").replace(",", ",").replace(" ", ",").strip(",")
    if not value:
        return ""
    days = []
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or int(part) > 365:
            raise forms.ValidationError(
                _("请填写以逗号分隔的天数(0-365),如 3,1;“%(part)s”无效。"),
                params={"part": part},
            )
        days.append(int(part))
    return ",".join(str(day) for day in sorted(set(days), reverse=True))


class HospitalForm(forms.ModelForm):
    class Meta:
        model = Hospital
        fields = [
            "name",
            "credit_code",
            "level",
            "type",
            "ownership",
            "region",
            "address",
            "beds_authorized",
            "beds_actual",
            "on_duty_staff",
            "daily_outpatients",
            "consortium",
            "is_consortium_lead",
            "demonstration",
            "linked_department",
            "legal_representative",
            "actual_controller",
            "security_head",
            "security_head_phone",
            "contact_person",
            "contact_phone",
            "is_active",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        regions = Region.objects.visible_to(user)
        self.fields["region"].queryset = regions
        self.fields["consortium"].queryset = MedicalConsortium.objects.visible_to(
            user
        ).select_related("region")
        self.fields["linked_department"].queryset = BureauDepartment.objects.visible_to(
            user
        ).select_related("region")
        self.fields["linked_department"].label_from_instance = lambda dept: (
            f"{dept.region.name} · {dept.name}"
        )
        self.fields["credit_code"].widget.attrs.update(
            {"autocapitalize": "characters", "spellcheck": "false", "maxlength": 18}
        )
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(
                _("基本信息"),
                Row(
                    Column("name", css_class="col-md-6"),
                    Column("credit_code", css_class="col-md-6"),
                ),
                Row(
                    Column("level", css_class="col-md-3"),
                    Column("type", css_class="col-md-3"),
                    Column("ownership", css_class="col-md-3"),
                    Column("region", css_class="col-md-3"),
                ),
                "address",
            ),
            Fieldset(
                _("规模"),
                Row(
                    Column("beds_authorized", css_class="col-6 col-md-3"),
                    Column("beds_actual", css_class="col-6 col-md-3"),
                    Column("on_duty_staff", css_class="col-6 col-md-3"),
                    Column("daily_outpatients", css_class="col-6 col-md-3"),
                ),
            ),
            Fieldset(
                _("医共体、示范单位与挂钩科室"),
                Row(
                    Column("consortium", css_class="col-md-4"),
                    Column("is_consortium_lead", css_class="col-md-2 pt-md-4"),
                    Column("demonstration", css_class="col-md-3"),
                    Column("linked_department", css_class="col-md-3"),
                ),
            ),
            Fieldset(
                _("责任人与联系人"),
                Row(
                    Column("legal_representative", css_class="col-md-6"),
                    Column("actual_controller", css_class="col-md-6"),
                ),
                Row(
                    Column("security_head", css_class="col-md-6"),
                    Column("security_head_phone", css_class="col-md-6"),
                ),
                Row(
                    Column("contact_person", css_class="col-md-6"),
                    Column("contact_phone", css_class="col-md-6"),
                ),
                "is_active",
            ),
            Submit("submit", _("保存"), css_class="btn-lg"),
        )

    def clean_credit_code(self):
        return normalize_credit_code(self.cleaned_data.get("credit_code"))

    def clean(self):
        cleaned = super().clean()
        region = cleaned.get("region")
        consortium = cleaned.get("consortium")
        department = cleaned.get("linked_department")
        if (
            region
            and consortium
            and not (_is_within(region, consortium.region) or _is_within(consortium.region, region))
        ):
            self.add_error("consortium", _("所选医共体不属于该机构所在区域。"))
        if region and department and not _is_within(region, department.region):
            self.add_error("linked_department", _("挂钩科室须属于该机构所在区域或其上级区域。"))
        return cleaned


class HospitalContactsForm(forms.ModelForm):
    """What a hospital's own security officer keeps current: the people to call."""

    class Meta:
        model = Hospital
        fields = ["security_head", "security_head_phone", "contact_person", "contact_phone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Row(
                Column("security_head", css_class="col-md-6"),
                Column("security_head_phone", css_class="col-md-6"),
            ),
            Row(
                Column("contact_person", css_class="col-md-6"),
                Column("contact_phone", css_class="col-md-6"),
            ),
            Submit("submit", _("保存"), css_class="btn-lg"),
        )


class RegionCreateForm(forms.ModelForm):
    class Meta:
        model = Region
        fields = ["parent", "name", "code", "level"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Region.objects.visible_to(user)
        self.fields["parent"].required = not user.is_superuser
        self.fields["code"].widget.attrs["autocapitalize"] = "characters"
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("保存"), css_class="btn-lg"))

    def clean_code(self):
        code = (self.cleaned_data.get("code") or "").strip().upper()
        if not code.isalnum() or not code.isascii():
            raise forms.ValidationError(_("简称代码只能包含大写字母和数字。"))
        return code

    def clean(self):
        cleaned = super().clean()
        parent, level = cleaned.get("parent"), cleaned.get("level")
        if parent and level:
            if REGION_LEVEL_ORDER.index(level) <= REGION_LEVEL_ORDER.index(parent.level):
                self.add_error("level", _("下级区域的层级须低于上级区域。"))
        return cleaned


def sso_provider_configured() -> bool:
    """Whether any single sign-on provider is switched on (sso app settings)."""
    return any(
        getattr(settings, name, False)
        for name in (
            "SSO_OIDC_ENABLED",
            "SSO_CAS_ENABLED",
            "SSO_WECOM_ENABLED",
            "SSO_DINGTALK_ENABLED",
        )
    )


class RegionSettingsForm(forms.ModelForm):
    class Meta:
        model = Region
        fields = [
            "name",
            "code",
            "self_inspection_day",
            "linked_inspection_day",
            "inspection_day_shift",
            "inspection_reminder_days",
            "hazard_reminder_days",
            "overdue_repeat_days",
            "security_reminder_days",
            "sso_required",
        ]
        help_texts = {
            "inspection_reminder_days": _(
                "逗号分隔,如 1 表示提前1天提醒。留空则沿用上级区域设置。"
            ),
            "overdue_repeat_days": _("留空则沿用上级区域设置。"),
            "security_reminder_days": _("逗号分隔,如 30,7。留空则沿用上级区域设置。"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parent = self.instance.parent
        # Show what an empty field falls back to, so "留空" is not a guess.
        for name in (
            "self_inspection_day",
            "linked_inspection_day",
            "inspection_reminder_days",
            "hazard_reminder_days",
            "overdue_repeat_days",
            "security_reminder_days",
        ):
            inherited = parent.setting(name) if parent else REGION_SETTING_DEFAULTS[name]
            self.fields[name].widget.attrs["placeholder"] = _("沿用:%(value)s") % {
                "value": inherited
            }
        # A select has no placeholder: its empty choice says what is inherited instead.
        shift = parent.setting("inspection_day_shift") if parent else None
        shift = shift or REGION_SETTING_DEFAULTS["inspection_day_shift"]
        self.fields["inspection_day_shift"].choices = [
            ("", _("沿用:%(value)s") % {"value": InspectionDayShift(shift).label}),
            *InspectionDayShift.choices,
        ]
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(
                _("基本信息"),
                Row(Column("name", css_class="col-md-6"), Column("code", css_class="col-md-6")),
            ),
            Fieldset(
                _("检查日"),
                Row(
                    Column("self_inspection_day", css_class="col-md-6"),
                    Column("linked_inspection_day", css_class="col-md-6"),
                ),
                Row(Column("inspection_day_shift", css_class="col-md-6")),
            ),
            Fieldset(
                _("提醒设置"),
                Row(
                    Column("inspection_reminder_days", css_class="col-md-6"),
                    Column("hazard_reminder_days", css_class="col-md-6"),
                ),
                Row(
                    Column("overdue_repeat_days", css_class="col-md-6"),
                    Column("security_reminder_days", css_class="col-md-6"),
                ),
            ),
            Fieldset(_("单点登录"), "sso_required"),
            Submit("submit", _("保存"), css_class="btn-lg"),
        )
        if parent and parent.requires_sso():
            self.fields["sso_required"].help_text = _(
                "上级区域已要求单点登录,本区域及下级区域的用户均须使用单点登录。"
            )

    def clean_sso_required(self):
        required = self.cleaned_data.get("sso_required")
        if required and not self.instance.sso_required and not sso_provider_configured():
            raise forms.ValidationError(
                _("尚未配置任何单点登录方式,要求单点登录会使本区域用户无法登录。")
            )
        return required

    def clean_code(self):
        code = (self.cleaned_data.get("code") or "").strip().upper()
        if not code.isalnum() or not code.isascii():
            raise forms.ValidationError(_("简称代码只能包含大写字母和数字。"))
        return code

    def clean_inspection_reminder_days(self):
        return parse_day_offsets(self.cleaned_data.get("inspection_reminder_days"))

    def clean_hazard_reminder_days(self):
        return parse_day_offsets(self.cleaned_data.get("hazard_reminder_days"))

    def clean_security_reminder_days(self):
        return parse_day_offsets(self.cleaned_data.get("security_reminder_days"))


def _hospital_with_department(hospital: Hospital) -> str:
    label = f"{hospital.region.name} · {hospital.name}"
    if hospital.linked_department_id:
        label += gettext("(现挂钩:%(name)s)") % {"name": hospital.linked_department.name}
    return label


class DepartmentForm(forms.ModelForm):
    hospitals = forms.ModelMultipleChoiceField(
        label=_("挂钩机构"),
        queryset=Hospital.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("该科室每月挂钩检查的医疗机构。一家机构只挂钩一个科室,勾选后将从原科室移出。"),
    )

    class Meta:
        model = BureauDepartment
        fields = ["region", "name"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        regions = Region.objects.visible_to(user)
        self.fields["region"].queryset = regions
        self.fields["hospitals"].queryset = (
            Hospital.objects.visible_to(user)
            .select_related("region", "linked_department")
            .order_by("region__path", "name")
        )
        self.fields["hospitals"].label_from_instance = _hospital_with_department
        if self.instance.pk:
            self.fields["hospitals"].initial = list(
                self.instance.linked_hospitals.values_list("pk", flat=True)
            )
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("保存"), css_class="btn-lg"))

    def clean(self):
        cleaned = super().clean()
        region = cleaned.get("region")
        name = cleaned.get("name")
        if region and name:
            clash = BureauDepartment.objects.filter(region=region, name=name.strip())
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("name", _("该区域已有同名科室。"))
        if region:
            outside = [
                h.name for h in cleaned.get("hospitals", []) if not _is_within(h.region, region)
            ]
            if outside:
                self.add_error(
                    "hospitals",
                    _("以下机构不在该科室所属区域内:%(names)s") % {"names": "、".join(outside)},
                )
        return cleaned


class HospitalImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel 文件(.xlsx)"),
        help_text=_("请使用下载的导入模板填写,第一行为表头。"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("上传并导入"), css_class="btn-lg"))
