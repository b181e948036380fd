"""Password rules (等保 8.1.4.1 a: complexity and regular change).

- `MinimumLengthValidator`: at least PASSWORD_MIN_LENGTH characters (default 8).
- `CharacterClassesValidator`: at least PASSWORD_MIN_CHARACTER_CLASSES (default 3) of the four
  classes lower-case letter, upper-case letter, digit, symbol.
- Maximum age: PASSWORD_MAX_AGE_DAYS (default 90 in production, 0 = never) after
  `User.password_changed_at`; `password_expired(user)` is the one rule, and
  accounts.middleware.PasswordPolicyMiddleware sends the user to the change page until they
  change it — as it does after an administrator set their password (`must_change_password`).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class MinimumLengthValidator:
    def __init__(self, min_length: int | None = None):
        self.min_length = min_length or getattr(settings, "PASSWORD_MIN_LENGTH", 8)

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(
                ngettext(
                    "密码太短:至少需要 %(min_length)d 个字符。",
                    "密码太短:至少需要 %(min_length)d 个字符。",
                    self.min_length,
                )
                % {"min_length": self.min_length},
                code="password_too_short",
            )

    def get_help_text(self):
        return ngettext(
            "至少 %(min_length)d 个字符。", "至少 %(min_length)d 个字符。", self.min_length
        ) % {"min_length": self.min_length}


def character_classes(password: str) -> int:
    """How many of lower-case, upper-case, digit and other (symbol) the password uses."""
    return sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not (c.islower() or c.isupper() or c.isdigit()) for c in password),
        )
    )


class CharacterClassesValidator:
    def __init__(self, min_classes: int | None = None):
        self.min_classes = min_classes or getattr(settings, "PASSWORD_MIN_CHARACTER_CLASSES", 3)

    def validate(self, password, user=None):
        if character_classes(password) < self.min_classes:
            raise ValidationError(
                _(
                    "密码须包含小写字母、大写字母、数字、符号四类中的至少 %(count)d 类"
                    "(当前只有 %(used)d 类)。"
                )
                % {"count": self.min_classes, "used": character_classes(password)},
                code="password_too_simple",
            )

    def get_help_text(self):
        return _("须包含小写字母、大写字母、数字、符号四类中的至少 %(count)d 类。") % {
            "count": self.min_classes
        }


def password_expires_at(user) -> dt.datetime | None:
    days = settings.PASSWORD_MAX_AGE_DAYS
    if not days or user.password_changed_at is None:
        return None
    return user.password_changed_at + dt.timedelta(days=days)


def password_expired(user) -> bool:
    expires = password_expires_at(user)
    return expires is not None and timezone.now() >= expires


def password_change_reason(user) -> str | None:
    """Why this user must change their password before going on (translated), or None.
    Accounts without a usable password (single sign-on) have nothing to change."""
    if not user.is_authenticated or not user.has_usable_password():
        return None
    if user.must_change_password:
        return _("管理员为您设置了密码,请先修改为只有您自己知道的新密码。")
    if password_expired(user):
        return _("您的密码已超过 %(days)d 天未修改,请先修改密码。") % {
            "days": settings.PASSWORD_MAX_AGE_DAYS
        }
    return None
