"""Forms: the shape of input only. Who may record and what is valid live in services."""

from __future__ import annotations

import uuid

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from core.uploads import MultipleEvidenceField
from hazards.choices import Category, RiskLevel

from .choices import IncidentKind

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _new_upload_key() -> str:
    return uuid.uuid4().hex


def _helper(label) -> FormHelper:
    helper = FormHelper()
    helper.add_input(Submit("submit", label, css_class="btn-lg"))
    return helper


class IncidentForm(forms.Form):
    kind = forms.ChoiceField(label=_("事件类型"), choices=IncidentKind.choices)
    occurred_at = forms.DateTimeField(label=_("发生时间"), widget=DATETIME_INPUT)
    location = forms.CharField(label=_("发生地点"), max_length=200)
    description = forms.CharField(label=_("事件经过"), widget=forms.Textarea(attrs={"rows": 4}))
    handled_by = forms.CharField(
        label=_("处置人员"), max_length=200, help_text=_("如:保卫科 张三、值班保安 李四")
    )
    police_involved = forms.BooleanField(label=_("已报警/公安介入"), required=False)
    police_case_number = forms.CharField(
        label=_("警情号"), max_length=50, required=False, help_text=_("报警的可填写,选填。")
    )
    outcome = forms.CharField(
        label=_("处置结果"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, with_files: bool = False, submit_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if with_files:
            self.fields["attachments"] = MultipleEvidenceField(
                label=_("附件(照片、笔录、报告)"), required=False
            )
            self.fields["upload_key"] = forms.CharField(
                required=False, max_length=64, widget=forms.HiddenInput, initial=_new_upload_key
            )
        self.helper = _helper(submit_label or _("保存"))


class AttachmentForm(forms.Form):
    files = MultipleEvidenceField(label=_("上传附件"))
    upload_key = forms.CharField(
        required=False, max_length=64, widget=forms.HiddenInput, initial=_new_upload_key
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("上传"))


class PatrolForm(forms.Form):
    patrolled_on = forms.DateField(label=_("巡查日期"), widget=DATE_INPUT)
    started_at = forms.TimeField(label=_("开始时间"), widget=TIME_INPUT)
    route = forms.CharField(
        label=_("巡查路线/区域"),
        max_length=300,
        help_text=_("如:门诊大厅—急诊—发热门诊—住院部—停车场"),
    )
    patroller = forms.CharField(label=_("巡查人员"), max_length=100)
    findings = forms.CharField(
        label=_("发现问题"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("未发现问题可留空;发现的隐患可在保存后登记为隐患。"),
    )

    def __init__(self, *args, submit_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(submit_label or _("保存"))


class PatrolHazardForm(forms.Form):
    category = forms.ChoiceField(
        label=_("隐患类别"), choices=Category.choices, initial=Category.SECURITY
    )
    risk_level = forms.ChoiceField(
        label=_("隐患等级"), choices=RiskLevel.choices, initial=RiskLevel.GENERAL
    )
    location = forms.CharField(label=_("隐患部位"), max_length=200)
    description = forms.CharField(
        label=_("隐患描述"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("留空则使用巡查发现的问题。"),
    )
    deadline = forms.DateField(label=_("整改期限"), required=False, widget=DATE_INPUT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("登记为隐患"))


class PatrolTargetForm(forms.Form):
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE_INPUT)
    ends_on = forms.DateField(
        label=_("结束日期"), required=False, widget=DATE_INPUT, help_text=_("留空表示持续有效。")
    )
    daily_target = forms.IntegerField(label=_("每日巡查次数"), min_value=1, max_value=48)
    reason = forms.CharField(
        label=_("原因"), max_length=200, required=False, help_text=_("如:发热门诊高峰期")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("保存"))
