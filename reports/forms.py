from __future__ import annotations

import datetime as dt

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from core.dates import add_months, quarter_of, today
from hospitals.models import Hospital, Region

from .choices import PeriodKind, ReportType
from .periods import Period, PeriodError
from .services import report_types_for

DEFAULT_PERIOD_KIND = {
    ReportType.HAZARD_LEDGER: PeriodKind.QUARTER,
    ReportType.INSPECTION_MONTH: PeriodKind.MONTH,
    ReportType.QUARTERLY: PeriodKind.QUARTER,
    ReportType.SECURITY_HALF_YEAR: PeriodKind.HALF_YEAR,
    ReportType.PROGRESS: PeriodKind.WEEK,
    ReportType.HAZARD_STATS_QUARTER: PeriodKind.QUARTER,
    ReportType.HAZARD_STATS_YEAR: PeriodKind.YEAR,
    ReportType.CAMPAIGN_SUMMARY: PeriodKind.YEAR,
}
# Report types that exist for one kind of period only.
REQUIRED_PERIOD_KIND = {
    ReportType.HAZARD_STATS_QUARTER: PeriodKind.QUARTER,
    ReportType.HAZARD_STATS_YEAR: PeriodKind.YEAR,
    ReportType.CAMPAIGN_SUMMARY: PeriodKind.YEAR,
}


def _quarter_choices(on: dt.date, count: int = 12):
    year, quarter = on.year, quarter_of(on)
    choices = []
    for _i in range(count):
        period = Period.quarter(year, quarter)
        choices.append((period.key, period.label))
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    return choices


def _half_choices(on: dt.date, count: int = 6):
    year, half = on.year, 1 if on.month <= 6 else 2
    choices = []
    for _i in range(count):
        period = Period.half_year(year, half)
        choices.append((period.key, period.label))
        year, half = (year, 1) if half == 2 else (year - 1, 2)
    return choices


class ReportRequestForm(forms.Form):
    report_type = forms.ChoiceField(label=_("报表类型"))
    region = forms.ModelChoiceField(label=_("区域"), queryset=Region.objects.none())
    hospital = forms.ModelChoiceField(
        label=_("医疗机构"),
        queryset=Hospital.objects.none(),
        required=False,
        empty_label=_("(整个区域)"),
        help_text=_("留空则统计所选区域内的全部机构。"),
    )
    period_kind = forms.ChoiceField(label=_("期间类型"), choices=PeriodKind.choices)
    month = forms.CharField(
        label=_("月份"), required=False, widget=forms.DateInput(attrs={"type": "month"})
    )
    quarter = forms.ChoiceField(label=_("季度"), required=False)
    half = forms.ChoiceField(label=_("半年"), required=False)
    week = forms.CharField(
        label=_("周"), required=False, widget=forms.DateInput(attrs={"type": "week"})
    )
    year = forms.IntegerField(label=_("年度"), required=False, min_value=2000, max_value=2100)
    start = forms.DateField(
        label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    PERIOD_FIELDS = {
        PeriodKind.MONTH: "month",
        PeriodKind.QUARTER: "quarter",
        PeriodKind.HALF_YEAR: "half",
        PeriodKind.WEEK: "week",
        PeriodKind.YEAR: "year",
    }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        now = today()
        types = report_types_for(user)
        self.fields["report_type"].choices = [
            (value, label) for value, label in ReportType.choices if value in types
        ]
        self.fields["region"].queryset = Region.objects.visible_to(user).order_by("path")
        self.fields["hospital"].queryset = (
            Hospital.objects.visible_to(user).active().select_related("region")
        )
        if user.is_officer and not user.is_superuser:
            self.fields["hospital"].required = True
            self.fields["hospital"].empty_label = None
            self.fields["region"].empty_label = None
        self.fields["quarter"].choices = _quarter_choices(now)
        self.fields["half"].choices = _half_choices(now)
        last_month = Period.month(*add_months(now.year, now.month, -1))
        iso = now.isocalendar()
        self.initial.setdefault("report_type", types[0] if types else "")
        self.initial.setdefault("period_kind", PeriodKind.QUARTER)
        self.initial.setdefault("month", last_month.key)
        self.initial.setdefault("quarter", Period.containing(PeriodKind.QUARTER, now).key)
        self.initial.setdefault("half", Period.containing(PeriodKind.HALF_YEAR, now).key)
        self.initial.setdefault("week", f"{iso.year}-W{iso.week:02d}")
        self.initial.setdefault("year", now.year)
        self.initial.setdefault("start", now.replace(day=1))
        self.initial.setdefault("end", now)
        if user.region_id:
            self.initial.setdefault("region", user.region_id)
        elif user.hospital_id:
            self.initial.setdefault("region", user.hospital.region_id)
            self.initial.setdefault("hospital", user.hospital_id)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        data = super().clean()
        kind = data.get("period_kind")
        if not kind:
            return data
        try:
            if kind == PeriodKind.CUSTOM:
                if not data.get("start") or not data.get("end"):
                    self.add_error("start", _("请选择开始和结束日期。"))
                    return data
                period = Period.custom(data["start"], data["end"])
            else:
                field = self.PERIOD_FIELDS[kind]
                value = data.get(field)
                if value in (None, ""):
                    self.add_error(field, _("请选择期间。"))
                    return data
                period = Period.parse(str(value))
                if period.kind != kind:
                    raise PeriodError(_("所选期间与期间类型不符。"))
        except PeriodError as exc:
            field = "start" if kind == PeriodKind.CUSTOM else self.PERIOD_FIELDS.get(kind)
            self.add_error(field, str(exc))
            return data
        if period.start > today():
            self.add_error(None, _("所选期间尚未开始。"))
            return data
        required = REQUIRED_PERIOD_KIND.get(data.get("report_type"))
        if required and period.kind != required:
            self.add_error(
                "period_kind",
                _("该报表的期间应为%(kind)s。") % {"kind": PeriodKind(required).label},
            )
            return data
        data["period"] = period
        region, hospital = data.get("region"), data.get("hospital")
        if region and hospital and not region.contains(hospital.region):
            self.add_error("hospital", _("所选机构不在所选区域内。"))
        return data


class NarrativeForm(forms.Form):
    """The three text sections of a 信息周报/月报 or the year-end 专项整治 summary."""

    work_done = forms.CharField(
        label=_("一、工作开展情况"), widget=forms.Textarea(attrs={"rows": 8}), required=False
    )
    problems = forms.CharField(
        label=_("二、存在问题"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    next_steps = forms.CharField(
        label=_("三、下步打算"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
