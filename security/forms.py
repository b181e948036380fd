"""Input shape only; the rules live in services.py."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from core.dates import today
from core.uploads import MultipleEvidenceField
from hazards.choices import RiskLevel
from hospitals.models import Hospital, Region

from .choices import DrillScenario, Half, ItemStatus
from .models import (
    THRESHOLD_FIELDS,
    AlarmDrill,
    AlarmPoint,
    EmergencyDrill,
    Entrance,
    GuardPost,
    PlanVersion,
    SecurityPlan,
    SecurityProfile,
    VideoSystem,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateWidgetsMixin:
    """Every DateField gets the browser's date picker (a phone shows its native picker)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.widget = DateInput()
            if isinstance(field, forms.IntegerField):
                field.widget.attrs.setdefault("inputmode", "numeric")


class ProgressForm(forms.Form):
    status = forms.ChoiceField(
        label=_("进度"),
        choices=[
            (ItemStatus.NOT_STARTED, ItemStatus.NOT_STARTED.label),
            (ItemStatus.IN_PROGRESS, ItemStatus.IN_PROGRESS.label),
        ],
    )
    note = forms.CharField(
        label=_("进展说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SubmitForm(forms.Form):
    note = forms.CharField(
        label=_("申报说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("简要说明达标情况,卫健局将据此和佐证材料确认。"),
    )


class ConfirmForm(DateWidgetsMixin, forms.Form):
    met_on = forms.DateField(label=_("达标日期"), initial=today)
    note = forms.CharField(
        label=_("确认意见"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_met_on(self):
        value = self.cleaned_data["met_on"]
        if value > today():
            raise forms.ValidationError(_("达标日期不能晚于今天。"))
        return value


class SendBackForm(forms.Form):
    note = forms.CharField(
        label=_("退回原因"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class CustomItemForm(DateWidgetsMixin, forms.Form):
    name = forms.CharField(label=_("项目名称"), max_length=100)
    description = forms.CharField(
        label=_("建设内容"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    target_date = forms.DateField(label=_("计划完成日期"), required=False)


def _new_upload_key() -> str:
    return uuid.uuid4().hex


class EvidenceForm(forms.Form):
    files = MultipleEvidenceField(label=_("佐证材料"), required=True)
    # One key per rendered form (works without JS): a retried or double-tapped submission
    # carries the same key and stores nothing new (core.uploads.existing_upload).
    upload_key = forms.CharField(
        required=False, max_length=64, widget=forms.HiddenInput, initial=_new_upload_key
    )


class GuardsForm(forms.ModelForm):
    """Certified and uncertified guards are two counts: only the first meets item 1."""

    class Meta:
        model = SecurityProfile
        fields = ["certified_guards", "uncertified_guards"]


class FacilitiesForm(DateWidgetsMixin, forms.ModelForm):
    class Meta:
        model = SecurityProfile
        fields = [
            "monitoring_centre",
            "monitoring_24h",
            "face_installed",
            "face_linked_police",
            "police_room",
            "police_room_staffed",
            "police_room_date",
            "mediation_room",
            "mediation_room_staffed",
            "mediation_room_date",
        ]

    def clean(self):
        data = super().clean()
        checks = [
            ("monitoring_24h", "monitoring_centre", _("请先勾选“已设立安全监控中心”。")),
            ("face_linked_police", "face_installed", _("请先勾选“已安装人脸识别系统”。")),
            ("police_room_staffed", "police_room", _("请先勾选“已设立警务室”。")),
            ("mediation_room_staffed", "mediation_room", _("请先勾选“已设立医疗纠纷调解室”。")),
        ]
        for dependent, base, message in checks:
            if data.get(dependent) and not data.get(base):
                self.add_error(dependent, message)
        for date_field in ("police_room_date", "mediation_room_date"):
            if data.get(date_field) and data[date_field] > today():
                self.add_error(date_field, _("设立日期不能晚于今天。"))
        return data


class GuardPostForm(forms.ModelForm):
    class Meta:
        model = GuardPost
        fields = [
            "name",
            "area",
            "guards_on_duty",
            "helmets",
            "shields",
            "stab_vests",
            "cut_gloves",
            "batons",
            "flashlights",
            "sprays",
            "radios",
            "forks",
        ]
        help_texts = {
            "guards_on_duty": _(
                "每班同时在岗的保安员人数;每人配齐 8 件防卫器械,每岗另配 2 套钢叉。"
            ),
        }


class EntranceForm(forms.ModelForm):
    class Meta:
        model = Entrance
        fields = ["name", "walk_through_gates", "xray_machines", "wands"]


class AlarmPointForm(forms.ModelForm):
    class Meta:
        model = AlarmPoint
        fields = ["location", "networked"]


class VideoSystemForm(forms.ModelForm):
    class Meta:
        model = VideoSystem
        fields = ["name", "cameras", "retention_days"]


class AlarmDrillForm(DateWidgetsMixin, forms.ModelForm):
    class Meta:
        model = AlarmDrill
        fields = ["date", "alarm_point", "response_seconds", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, hospital: Hospital, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["alarm_point"].queryset = AlarmPoint.objects.filter(hospital=hospital)
        if not self.instance.pk:
            self.fields["date"].initial = today()

    def clean_date(self):
        value = self.cleaned_data["date"]
        if value > today():
            raise forms.ValidationError(_("演练日期不能晚于今天。"))
        return value


class EmergencyDrillForm(DateWidgetsMixin, forms.ModelForm):
    class Meta:
        model = EmergencyDrill
        fields = [
            "date",
            "scenario",
            "title",
            "location",
            "participants",
            "police_involved",
            "duration_minutes",
            "response_seconds",
            "summary",
        ]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["date"].initial = today()

    def clean_date(self):
        value = self.cleaned_data["date"]
        if value > today():
            raise forms.ValidationError(_("演练日期不能晚于今天。"))
        return value

    def clean(self):
        data = super().clean()
        if data.get("scenario") == DrillScenario.OTHER and not (data.get("title") or "").strip():
            self.add_error("title", _("演练科目为“其他”时请填写演练名称。"))
        return data


class FindingForm(forms.Form):
    description = forms.CharField(
        label=_("发现的问题"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class RaiseHazardForm(DateWidgetsMixin, forms.Form):
    risk_level = forms.ChoiceField(label=_("隐患等级"), choices=RiskLevel.choices)
    location = forms.CharField(label=_("隐患部位"), max_length=200)
    deadline = forms.DateField(
        label=_("整改期限"), required=False, help_text=_("留空则按隐患等级的默认期限。")
    )


class PlanForm(DateWidgetsMixin, forms.ModelForm):
    class Meta:
        model = SecurityPlan
        fields = [
            "name",
            "guards_deadline",
            "screening_deadline",
            "alarm_deadline",
            "face_deadline",
            "police_room_deadline",
            "staff_percent",
            "beds_per_guard",
            "outpatient_permille",
            "video_retention_days",
            "include_hospitals",
            "exclude_hospitals",
            "bureau_contact",
            "bureau_phone",
            "police_unit",
            "police_contact",
            "police_phone",
            "police_email",
        ]
        widgets = {
            "include_hospitals": forms.CheckboxSelectMultiple,
            "exclude_hospitals": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, region: Region, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # An existing plan's thresholds change by a new version from a date (PlanVersionForm),
            # so a past period keeps the values then in force.
            for name in THRESHOLD_FIELDS:
                del self.fields[name]
        in_region = Hospital.objects.in_region(region).order_by("region__path", "name")
        self.fields["include_hospitals"].queryset = in_region.exclude(level__in=["2", "3"])
        self.fields["exclude_hospitals"].queryset = in_region.filter(level__in=["2", "3"])

    def clean(self):
        data = super().clean()
        both = set(data.get("include_hospitals") or []) & set(data.get("exclude_hospitals") or [])
        if both:
            raise forms.ValidationError(_("同一机构不能既纳入又不纳入。"))
        return data


class PlanVersionForm(DateWidgetsMixin, forms.ModelForm):
    """New thresholds from a date; starts from the values in force today."""

    class Meta:
        model = PlanVersion
        fields = ["effective_from", "standard", "note", *THRESHOLD_FIELDS]


def half_year_choices(count: int = 6):
    year, half = today().year, 1 if today().month <= 6 else 2
    choices = []
    for _i in range(count):
        choices.append((f"{year}-{half}", f"{year}{Half(half).label}"))
        year, half = (year, 1) if half == 2 else (year - 1, 2)
    return choices


class ReportForm(forms.Form):
    period = forms.ChoiceField(label=_("报送半年度"))
    progress = forms.CharField(
        label=_("工作进展"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("本半年度“4+N”各项建设的完成情况、投入经费、人员配备等。"),
    )
    problems = forms.CharField(
        label=_("存在问题"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    next_steps = forms.CharField(
        label=_("下一步计划"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = half_year_choices()

    def clean_period(self):
        year, half = self.cleaned_data["period"].split("-")
        return int(year), int(half)


class OverviewFilterForm(forms.Form):
    region = forms.ModelChoiceField(
        label=_("区域"), queryset=Region.objects.none(), required=False, empty_label=_("全部")
    )
    q = forms.CharField(label=_("机构名称"), required=False)
    attention = forms.ChoiceField(
        label=_("筛选"),
        required=False,
        choices=[
            ("", _("全部机构")),
            ("overdue", _("有逾期未达标项目")),
            ("pending", _("有待确认项目")),
            ("guards", _("保安员不足")),
            ("no_report", _("本半年未报送")),
        ],
    )
    period = forms.ChoiceField(label=_("半年报送期"), required=False)
    sort = forms.ChoiceField(
        label=_("排序"),
        required=False,
        choices=[
            ("", _("按区域")),
            ("met", _("达标项目少的在前")),
            ("overdue", _("逾期项目多的在前")),
            ("guards", _("保安员缺口大的在前")),
            ("name", _("按名称")),
        ],
    )

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["period"].choices = half_year_choices()
