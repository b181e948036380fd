from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import Provider
from .services import SUBJECT_MAX_LENGTH


class IdentityForm(forms.Form):
    provider = forms.ChoiceField(
        label=_("登录方式"),
        choices=Provider.choices,
        error_messages={"invalid_choice": _("不支持的登录方式:%(value)s。")},
    )
    subject = forms.CharField(
        label=_("外部账号标识"),
        max_length=SUBJECT_MAX_LENGTH,
        error_messages={"required": _("请填写外部账号标识。")},
        help_text=_("OpenID Connect 的 sub、CAS 用户名、企业微信 UserId 或钉钉 unionId。"),
    )
