"""User management forms for administrators. Every choice (region, hospital, department) is
limited to the administrator's own region; the model's clean() checks role bindings."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row, Submit
from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from core.roles import REGION_ROLES, SUPERUSER_GRANTS
from hospitals.models import BureauDepartment, Hospital, Region, within

from .choices import Role
from .models import User
from .services import user_change_own_password


def manageable_regions(actor):
    """The regions whose accounts `actor` manages: a security administrator's region and
    below (they see no records, so the records' scoping rules give them nothing)."""
    if actor.is_security_admin and actor.region_id:
        return Region.objects.filter(within(actor.region))
    return Region.objects.visible_to(actor)


def grantable_roles(actor) -> list[tuple[str, str]]:
    """The roles `actor` may give: the superuser every role; a security (or system)
    administrator the bureau, officer and system-administrator roles, never the security or
    audit administrator (only the superuser makes those)."""
    if actor.is_superuser:
        return list(Role.choices)
    return [(value, label) for value, label in Role.choices if value not in SUPERUSER_GRANTS]


class UserForm(forms.ModelForm):
    class Meta:
        model = User
        fields = [
            "username",
            "full_name",
            "phone",
            "email",
            "role",
            "region",
            "hospital",
            "department",
        ]
        help_texts = {
            "username": _("登录用的账号名:字母、数字和 @/./+/-/_,最多150个字符。"),
        }

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        regions = manageable_regions(actor)
        own_account = bool(self.instance.pk and self.instance.pk == actor.pk)
        self.fields["role"].required = True
        roles = Role.choices if own_account else grantable_roles(actor)
        self.fields["role"].choices = [("", "---------"), *roles]
        self.fields["full_name"].required = True
        self.fields["region"].queryset = regions
        self.fields["region"].help_text = _("卫健局工作人员和管理员必填。")
        self.fields["hospital"].queryset = Hospital.objects.filter(
            region__in=regions
        ).select_related("region")
        self.fields["hospital"].label_from_instance = lambda h: f"{h.region.name} · {h.name}"
        self.fields["hospital"].help_text = _("医院安全管理员必填。")
        self.fields["department"].queryset = BureauDepartment.objects.filter(
            region__in=regions
        ).select_related("region")
        self.fields["department"].label_from_instance = lambda d: f"{d.region.name} · {d.name}"
        self.fields["department"].help_text = _("仅卫健局工作人员:所在的挂钩科室(可不填)。")
        if own_account:
            # Changing your own role or region could lock you out of this page.
            for name in ("role", "region", "hospital", "department"):
                self.fields[name].disabled = True
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                _("账号"),
                Row(
                    Column("username", css_class="col-md-6"),
                    Column("full_name", css_class="col-md-6"),
                ),
                Row(Column("phone", css_class="col-md-6"), Column("email", css_class="col-md-6")),
            ),
            Fieldset(
                _("角色与归属"),
                Row(Column("role", css_class="col-md-6"), Column("region", css_class="col-md-6")),
                Row(
                    Column("hospital", css_class="col-md-6"),
                    Column("department", css_class="col-md-6"),
                ),
            ),
        )

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        # Drop the bindings the role does not use, so a stale choice never blocks the save.
        if role == Role.OFFICER:
            cleaned["region"] = None
            cleaned["department"] = None
        elif role in REGION_ROLES:
            cleaned["hospital"] = None
            if role != Role.BUREAU:
                cleaned["department"] = None
        department, region = cleaned.get("department"), cleaned.get("region")
        if department and region and department.region_id != region.pk:
            self.add_error("department", _("挂钩科室须属于该用户的所属区域。"))
        for name in ("region", "hospital", "department"):
            setattr(self.instance, name, cleaned.get(name))
        return cleaned


class UserCreateForm(UserForm):
    password1 = forms.CharField(
        label=_("初始密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("确认密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout.append(
            Fieldset(
                _("密码"),
                Row(
                    Column("password1", css_class="col-md-6"),
                    Column("password2", css_class="col-md-6"),
                ),
            )
        )

    def clean_password2(self):
        password1 = self.cleaned_data.get("password1")
        password2 = self.cleaned_data.get("password2")
        if password1 and password2 and password1 != password2:
            raise forms.ValidationError(_("两次输入的密码不一致。"))
        return password2

    def _post_clean(self):
        super()._post_clean()
        password = self.cleaned_data.get("password2")
        if password:
            try:
                password_validation.validate_password(password, self.instance)
            except forms.ValidationError as error:
                self.add_error("password2", error)


class AdminSetPasswordForm(SetPasswordForm):
    """An administrator sets a new password for a user (validators apply)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("重置密码"), css_class="btn-lg"))


class UserFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False)
    role = forms.ChoiceField(
        label=_("角色"), required=False, choices=[("", _("全部角色")), *Role.choices]
    )
    active = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部")), ("1", _("启用")), ("0", _("已停用"))],
    )
    region = forms.ModelChoiceField(
        label=_("区域"), required=False, queryset=Region.objects.none(), empty_label=_("全部")
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = manageable_regions(actor)


class TwoFactorCodeForm(forms.Form):
    """A six-digit authenticator code, or (where allowed) a recovery code."""

    code = forms.CharField(
        label=_("验证码"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autofocus": True,
                "autocapitalize": "off",
                "spellcheck": "false",
            }
        ),
    )

    def __init__(self, *args, recovery: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if recovery:
            self.fields["code"].help_text = _(
                "打开手机上的验证器应用,输入显示的 6 位数字;手机不在身边时,可输入一个恢复码。"
            )
        else:
            self.fields["code"].help_text = _("输入验证器应用中显示的 6 位数字。")
            self.fields["code"].widget.attrs["inputmode"] = "numeric"


class OwnPasswordChangeForm(PasswordChangeForm):
    """The user changes their own password: the rules apply, and the new one must differ."""

    def clean_new_password1(self):
        password = self.cleaned_data.get("new_password1")
        if password and self.user.check_password(password):
            raise forms.ValidationError(_("新密码不能与当前密码相同。"))
        return password

    def save(self, commit=True):
        return user_change_own_password(user=self.user, password=self.cleaned_data["new_password1"])
