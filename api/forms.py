"""Forms of the token pages: input shape only; api.services decides what is allowed."""

from __future__ import annotations

import datetime as dt

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.forms import manageable_regions
from hospitals.models import Hospital, Region

from .choices import Scope
from .models import manageable_users
from .services import INTEGRATION_ROLES

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _default_expiry() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=settings.API_TOKEN_DEFAULT_DAYS)


class TokenIssueForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("所属账号"), queryset=None)
    name = forms.CharField(
        label=_("令牌名称"), max_length=100, help_text=_("如:医院信息平台对接、数据大屏。")
    )
    scope = forms.ChoiceField(
        label=_("权限范围"),
        choices=Scope.choices,
        initial=Scope.READ,
        help_text=_("只读:只能查询;读写:还能登记和办理隐患(与该账号在页面上能做的相同)。"),
    )
    expires_on = forms.DateField(label=_("有效期至"), widget=DATE_INPUT, initial=_default_expiry)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        owners = (
            manageable_users(actor).filter(is_active=True).select_related("integration_account")
        )
        self.fields["owner"].queryset = owners.order_by("username")
        self.fields["owner"].label_from_instance = _owner_label
        self.helper = FormHelper()
        self.helper.form_tag = False


def _owner_label(user) -> str:
    account = getattr(user, "integration_account", None)
    kind = _("接口对接账号") if account is not None else user.get_role_display()
    return f"{user.display_name}({user.get_username()},{kind})"


class IntegrationAccountForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=50)
    description = forms.CharField(
        label=_("用途说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    role = forms.ChoiceField(
        label=_("角色"),
        choices=[(r.value, r.label) for r in Role if r in INTEGRATION_ROLES],
        help_text=_("决定它能看到什么:卫健局角色看所属区域及下级,医院角色只看本院。"),
    )
    region = forms.ModelChoiceField(
        label=_("所属区域"), queryset=Region.objects.none(), required=False
    )
    hospital = forms.ModelChoiceField(
        label=_("所属医疗机构"), queryset=Hospital.objects.none(), required=False
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        # The regions whose accounts the actor manages (a security administrator sees no
        # records, so the records' scoping would offer nothing): as on the user pages.
        regions = manageable_regions(actor)
        self.fields["region"].queryset = regions
        self.fields["hospital"].queryset = Hospital.objects.filter(region__in=regions).active()
        self.helper = FormHelper()
        self.helper.form_tag = False
