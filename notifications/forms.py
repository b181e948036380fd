from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from hospitals.models import Hospital, Region

from .choices import ROBOT_EVENT_CHOICES, WEBHOOK_SUBSCRIBABLE, EventKind, RobotKind
from .models import Robot
from .urlsafety import validate_webhook_url
from .webhooks import owner_choices


class RobotForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        label=_("推送事件"),
        choices=ROBOT_EVENT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=True,
        error_messages={"required": _("请至少选择一个推送事件。")},
    )

    class Meta:
        model = Robot
        fields = [
            "name",
            "kind",
            "region",
            "hospital",
            "webhook_url",
            "secret",
            "at_mobiles",
            "events",
            "is_active",
        ]
        widgets = {
            "webhook_url": forms.URLInput(
                attrs={"placeholder": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"}
            ),
            # Never echo a stored secret back into the page; blank on edit keeps it.
            "secret": forms.PasswordInput(render_value=False),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["region"].queryset = Region.objects.visible_to(user)
        self.fields["hospital"].queryset = Hospital.objects.visible_to(user).select_related(
            "region"
        )
        self.fields["region"].required = False
        self.fields["hospital"].required = False
        if self.instance.pk and self.instance.secret:
            self.fields["secret"].help_text = _("已设置密钥;留空表示不修改。")
        if not self.instance.pk:
            self.initial.setdefault("events", [value for value, _label in ROBOT_EVENT_CHOICES])
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("保存")))

    def clean_webhook_url(self):
        return validate_webhook_url(self.cleaned_data.get("webhook_url", ""))

    def clean(self):
        cleaned = super().clean()
        region, hospital = cleaned.get("region"), cleaned.get("hospital")
        if bool(region) == bool(hospital):
            raise forms.ValidationError(_("请选择所属区域或所属医疗机构(二选一)。"))
        if cleaned.get("kind") == RobotKind.WECOM:
            cleaned["secret"] = ""
        secret = (cleaned.get("secret") or "").strip()
        if not secret and self.instance.pk and cleaned.get("kind") == RobotKind.DINGTALK:
            secret = self.instance.secret
        if secret and not secret.startswith("SEC"):
            self.add_error("secret", _("钉钉加签密钥应以 SEC 开头。"))
        cleaned["secret"] = secret
        return cleaned


class PreferenceForm(forms.Form):
    email_enabled = forms.BooleanField(label=_("接收邮件通知"), required=False)
    email_events = forms.MultipleChoiceField(
        label=_("以下事件发送邮件"),
        choices=EventKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("站内消息始终开启,不能关闭。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("保存")))


class WebhookForm(forms.Form):
    """The shape of an integration webhook; the rules (URL safety, the owner within the
    administrator's scope, known events) are the services' (notifications.webhooks)."""

    name = forms.CharField(label=_("名称"), max_length=100)
    url = forms.CharField(
        label=_("推送地址"),
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://integration.example.gov.cn/hooks"}),
        help_text=_("须为 https 公网地址;内网地址须由系统管理员列入 WEBHOOK_ALLOWED_HOSTS。"),
    )
    owner = forms.ModelChoiceField(
        label=_("集成账号"),
        queryset=None,
        help_text=_("只推送该账号有权查看的机构和区域的事件。"),
    )
    events = forms.MultipleChoiceField(
        label=_("推送事件"),
        choices=WEBHOOK_SUBSCRIBABLE,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少选择一个推送事件。")},
    )
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_choices(user).order_by("username")
        self.fields["owner"].label_from_instance = lambda u: f"{u.display_name}({u.username})"
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("保存")))
