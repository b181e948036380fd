"""Forms check the shape of input; the services decide what is allowed."""

from __future__ import annotations

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.dates import today
from core.uploads import MultipleEvidenceField
from hospitals.models import Hospital

from .choices import (
    BUREAU_SOURCES,
    Category,
    EvidenceStage,
    RiskLevel,
    Source,
    SupervisionLevel,
    Suspension,
)
from .models import MAJOR_DOSSIER_FIELDS, Hazard
from .services import BUREAU, FIELD_AUTHORITY, HOSPITAL, editable_fields, hazard_version

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
HOSPITAL_SOURCES = [s for s in Source if s not in BUREAU_SOURCES]


class HazardFilesField(MultipleEvidenceField):
    """Evidence files; a file name carrying a path (only a forged request sends one) is refused
    outright, before anything is decoded or stored."""

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        for uploaded in files:
            name = getattr(uploaded, "name", "") or ""
            if name.startswith("..") or any(part in name for part in ("/", "\\", "\x00")):
                raise ValidationError(
                    _("文件名不合法:%(name)s。请重命名后再上传。"),
                    code="bad_name",
                    params={"name": name[:80]},
                )
        return super().clean(data, initial)


def _textarea(rows: int = 3):
    return forms.Textarea(attrs={"rows": rows})


class StatusGuardMixin(forms.Form):
    """The status the user saw; the service refuses when it changed meanwhile (stale form)."""

    expected_status = forms.CharField(widget=forms.HiddenInput, required=False)


def _new_upload_key() -> str:
    return uuid.uuid4().hex


class UploadKeyMixin(forms.Form):
    """One key per rendered upload form (a server-side uuid4, so it works without JavaScript):
    the same form submitted twice carries the same key and its files are stored once. A bound
    form re-rendered after an error keeps the key it was submitted with."""

    upload_key = forms.CharField(
        widget=forms.HiddenInput, required=False, initial=_new_upload_key, max_length=64
    )


class HazardRaiseForm(UploadKeyMixin):
    hospital = forms.ModelChoiceField(label=_("医疗机构"), queryset=Hospital.objects.none())
    source = forms.ChoiceField(label=_("发现途径"))
    category = forms.ChoiceField(label=_("隐患类别"), choices=Category.choices)
    risk_level = forms.ChoiceField(
        label=_("隐患等级"), choices=RiskLevel.choices, initial=RiskLevel.GENERAL
    )
    location = forms.CharField(label=_("部位"), max_length=200)
    description = forms.CharField(label=_("隐患描述"), widget=_textarea(4))
    found_on = forms.DateField(label=_("排查时间"), widget=DATE_INPUT, initial=today)
    fixed_on_the_spot = forms.BooleanField(
        label=_("立查立改(已当场整改完毕,直接销号)"), required=False
    )
    deadline = forms.DateField(
        label=_("整改期限"),
        widget=DATE_INPUT,
        required=False,
        help_text=_("留空则一般隐患30天、重大隐患90天。"),
    )
    rectification_measures = forms.CharField(
        label=_("整改措施"), widget=_textarea(), required=False
    )
    photos = HazardFilesField(label=_("隐患照片(整改前)"), required=False)
    after_photos = HazardFilesField(label=_("整改后照片(立查立改)"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        hospitals = Hospital.objects.visible_to(user).active()
        self.fields["hospital"].queryset = hospitals
        if user.is_officer:
            self.fields["hospital"].initial = user.hospital_id
            self.fields["hospital"].widget = forms.HiddenInput()
            self.fields["source"].choices = [(s.value, s.label) for s in HOSPITAL_SOURCES]
            self.fields["source"].initial = Source.SELF_INSPECTION
        else:
            self.fields["source"].choices = [
                (s.value, s.label)
                for s in Source
                if s in BUREAU_SOURCES or s in (Source.REPORT, Source.THIRD_PARTY, Source.OTHER)
            ]
            self.fields["source"].initial = Source.SUPERVISION

    def clean(self):
        data = super().clean()
        if data.get("fixed_on_the_spot"):
            if data.get("risk_level") == RiskLevel.MAJOR:
                self.add_error(
                    "fixed_on_the_spot",
                    _("重大隐患须制定治理方案并经卫健局复查验收,不能立查立改销号。"),
                )
            if not (data.get("rectification_measures") or "").strip():
                self.add_error("rectification_measures", _("立查立改须填写采取的整改措施。"))
            if not data.get("after_photos") and "after_photos" not in self.errors:
                self.add_error("after_photos", _("立查立改须上传整改后的照片作为佐证。"))
        found_on, deadline = data.get("found_on"), data.get("deadline")
        if found_on and found_on > today():
            self.add_error("found_on", _("排查时间不能晚于今天。"))
        if found_on and deadline and deadline < found_on and not data.get("fixed_on_the_spot"):
            self.add_error("deadline", _("整改期限不能早于排查时间。"))
        return data


# Dossier text fields shown only on a 重大隐患's edit form.
_MAJOR_ONLY = tuple(n for n in MAJOR_DOSSIER_FIELDS if FIELD_AUTHORITY.get(n) == HOSPITAL)


class HazardEditForm(forms.ModelForm):
    """Built from FIELD_AUTHORITY: only the fields the user's side owns (editable_fields)."""

    class Meta:
        model = Hazard
        fields = [name for name, side in FIELD_AUTHORITY.items() if side != BUREAU]
        widgets = {
            name: _textarea(3)
            for name in (
                "description",
                "rectification_measures",
                "interim_measures",
                "progress",
                *_MAJOR_ONLY,
            )
        }

    note = forms.CharField(label=_("修改说明"), required=False)
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = hazard_version(self.instance)
        self.owned = editable_fields(user, self.instance)
        for name in list(self.fields):
            if name in FIELD_AUTHORITY and (
                name not in self.owned or (name in _MAJOR_ONLY and not self.instance.is_major)
            ):
                self.fields.pop(name)

    def changes(self) -> dict:
        """The offered fields, plus any field of the table the user does not own that the
        request sent anyway (a forged or stale form): the service refuses those as a whole."""
        data = {
            name: self.cleaned_data[name] for name in self.fields if name not in ("note", "version")
        }
        for name in FIELD_AUTHORITY:
            if name not in self.owned and name in self.data:
                data[name] = self.data.get(name)
        return data


class StartForm(StatusGuardMixin):
    responsible_department = forms.CharField(label=_("责任科室"), max_length=100, required=False)
    responsible_person = forms.CharField(label=_("责任人"), max_length=50)
    rectification_measures = forms.CharField(label=_("整改措施"), widget=_textarea())
    funds = forms.DecimalField(
        label=_("整改资金(元)"), max_digits=12, decimal_places=2, min_value=0, required=False
    )
    interim_measures = forms.CharField(
        label=_("临时安全防范措施"),
        widget=_textarea(),
        help_text=_("整改完成前保障安全的措施,如警示、隔离、专人值守。"),
    )
    note = forms.CharField(label=_("备注"), widget=_textarea(2), required=False)


class ProgressForm(StatusGuardMixin, UploadKeyMixin):
    note = forms.CharField(label=_("整改进度"), widget=_textarea(), required=False)
    files = HazardFilesField(label=_("整改照片或材料"), required=False)

    def clean(self):
        data = super().clean()
        if not (data.get("note") or "").strip() and not data.get("files") and not self.errors:
            raise ValidationError(_("请填写整改进度或上传佐证材料。"))
        return data


class SubmitForm(StatusGuardMixin, UploadKeyMixin):
    note = forms.CharField(label=_("整改完成情况"), widget=_textarea(), required=False)
    explanation = forms.CharField(
        label=_("逾期书面说明"),
        widget=_textarea(),
        required=False,
        help_text=_("已超过整改期限的,须说明未按期整改的原因。"),
    )
    files = HazardFilesField(label=_("整改后照片或材料"), required=False)


class NoteForm(StatusGuardMixin):
    note = forms.CharField(label=_("意见"), widget=_textarea(), required=False)


class RequiredNoteForm(StatusGuardMixin):
    note = forms.CharField(label=_("意见"), widget=_textarea())


class RecheckForm(StatusGuardMixin, UploadKeyMixin):
    note = forms.CharField(label=_("复查意见"), widget=_textarea())
    files = HazardFilesField(label=_("复查照片"), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), widget=_textarea(4))


class ReviewForm(forms.Form):
    reason = forms.CharField(label=_("审查意见"), widget=_textarea(4))


class ListForSupervisionForm(forms.Form):
    level = forms.ChoiceField(
        label=_("挂牌督办级别"), choices=[("", "---------"), *SupervisionLevel.choices]
    )
    notice_no = forms.CharField(label=_("督办文号"), max_length=100)
    reason = forms.CharField(label=_("挂牌督办理由"), widget=_textarea(4))


class SuspensionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("停业/停用整改"),
        choices=[(s.value, s.label) for s in Suspension if s != Suspension.NONE],
        widget=forms.RadioSelect,
    )
    scope = forms.CharField(label=_("停业/停用范围"), max_length=200)
    notice_no = forms.CharField(label=_("停业/停用整改通知文号"), max_length=100)
    reason = forms.CharField(label=_("责令理由"), widget=_textarea(4))


class ResumptionForm(forms.Form):
    note = forms.CharField(
        label=_("整改完成情况及恢复申请"),
        widget=_textarea(5),
        help_text=_("说明停业/停用范围内隐患的整改情况,申请卫健局审查后解除停业/停用整改。"),
    )


class RegradeForm(forms.Form):
    risk_level = forms.ChoiceField(label=_("调整为"), choices=RiskLevel.choices)
    reason = forms.CharField(label=_("调整理由"), widget=_textarea(4))


class ExplainForm(StatusGuardMixin):
    explanation = forms.CharField(label=_("逾期未整改的原因"), widget=_textarea(4))


class DeadlineForm(StatusGuardMixin):
    deadline = forms.DateField(label=_("整改期限"), widget=DATE_INPUT)
    note = forms.CharField(label=_("说明"), required=False)


class ExtensionRequestForm(StatusGuardMixin):
    requested_deadline = forms.DateField(label=_("申请延至"), widget=DATE_INPUT)
    reason = forms.CharField(label=_("延期理由"), widget=_textarea(4))


class ExtensionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审批结果"),
        choices=[("approve", _("同意延期")), ("refuse", _("不同意延期"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("审批意见"), widget=_textarea(), required=False)


class EvidenceForm(UploadKeyMixin):
    stage = forms.ChoiceField(label=_("材料类型"), choices=EvidenceStage.choices)
    files = HazardFilesField(label=_("文件"))
    note = forms.CharField(label=_("说明"), required=False)


class BulkActionForm(forms.Form):
    """The bulk form of the list page; the view shows a confirmation page first (`confirmed`
    absent), then runs the action on the confirmed POST."""

    action = forms.ChoiceField(
        label=_("批量操作"),
        choices=[("set_deadline", _("设定整改期限")), ("accept", _("验收通过并销号"))],
    )
    deadline = forms.DateField(label=_("整改期限"), widget=DATE_INPUT, required=False)
    note = forms.CharField(label=_("意见"), widget=_textarea(3), required=False)
    confirmed = forms.BooleanField(widget=forms.HiddenInput, required=False)
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=[], required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        raw = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        self.fields["ids"].choices = [(value, value) for value in raw if str(value).isdigit()]
        self.fields["ids"].error_messages["required"] = _("请先勾选要处理的隐患。")

    def clean(self):
        data = super().clean()
        if data.get("action") == "set_deadline" and not data.get("deadline"):
            self.add_error("deadline", _("请填写整改期限。"))
        if data.get("action") == "accept" and not (data.get("note") or "").strip():
            self.add_error("note", _("请填写验收意见。"))
        return data
