"""Two-factor login (等保 8.1.4.1 d): TOTP authenticator apps plus one-time recovery codes, on
django-otp (`otp_totp`, `otp_static`).

Who must use it: TWO_FACTOR_REQUIRED = "admins" (the production default: see
`requires_two_factor`), "all", or "off". Whoever has a confirmed device is asked for a code at
every login, required or not. The flow, enforced by accounts.middleware.TwoFactorMiddleware:
password → (device) the code page → the site; (no device, required) the enrolment page →
scan, confirm with a code → ten recovery codes shown once → the site.

Wrong codes are throttled per device by django-otp (each failure doubles the wait,
OTP_TOTP_THROTTLE_FACTOR / OTP_STATIC_THROTTLE_FACTOR seconds).
"""

from __future__ import annotations

import base64
import io
import logging
import secrets
import time

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.errors import DomainError, NotAllowed

from .models import User

# Administrator duties: the role names another module may add (separated admin duties).
ADMIN_DUTY_ROLES = ("admin", "secadmin", "auditor")
RECOVERY_CODE_COUNT = 10
TOTP_NAME = "authenticator"
TOTP_DIGITS = 6
RECOVERY_NAME = "recovery"
MODES = ("off", "admins", "all")
SESSION_HAS_DEVICE = "two_factor_device"

logger = logging.getLogger(__name__)


class TwoFactorError(DomainError):
    """A two-factor step that cannot be done; the message is shown to the user."""


def is_administrator(user) -> bool:
    return bool(
        user.is_superuser
        or user.is_staff
        or getattr(user, "is_region_admin", False)
        or getattr(user, "role", "") in ADMIN_DUTY_ROLES
    )


def requires_two_factor(user) -> bool:
    """THE rule: whether this user may not use the site without a second factor."""
    if not getattr(user, "is_authenticated", False):
        return False
    mode = settings.TWO_FACTOR_REQUIRED
    if mode == "all":
        return True
    if mode == "admins":
        return is_administrator(user)
    return False


def has_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def session_has_device(request) -> bool:
    """Whether the signed-in user had an authenticator when they logged in, remembered in the
    session so that the pages of users without one cost no extra query."""
    flag = request.session.get(SESSION_HAS_DEVICE)
    if flag is None:
        flag = has_device(request.user)
        request.session[SESSION_HAS_DEVICE] = flag
    return flag


def remember_device(request, present: bool) -> None:
    request.session[SESSION_HAS_DEVICE] = present


@receiver(user_logged_in, dispatch_uid="accounts.twofactor.on_login")
def on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        remember_device(request, has_device(user))


def new_key() -> str:
    """A fresh authenticator key (hex, 20 bytes as RFC 4226 recommends)."""
    return secrets.token_hex(20)


def secret_text(key_hex: str) -> str:
    """The key in base32, for typing into an app that cannot scan (groups of four)."""
    text = base64.b32encode(bytes.fromhex(key_hex)).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def otpauth_url(key_hex: str, user: User) -> str:
    return TOTPDevice(user=user, name=TOTP_NAME, key=key_hex).config_url


def qr_code_data_uri(url: str) -> str:
    """The otpauth:// URL as an SVG QR code in a data: URI (CSP: img-src 'self' data:)."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _new_recovery_code() -> str:
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
    raw = "".join(secrets.choice(alphabet) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def normalise(token: str) -> str:
    return "".join(token.split()).lower()


def two_factor_confirm(*, user: User, key_hex: str, token: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm a new authenticator with a code it shows; returns the saved device and ten new
    recovery codes (replacing any old ones), to be shown once. The key lives in the session
    until then, so an abandoned set-up leaves nothing behind."""
    token = normalise(token)
    if not (token.isdigit() and len(token) == TOTP_DIGITS):
        raise TwoFactorError(_("请输入验证器中显示的 6 位数字。"))
    totp = TOTP(bytes.fromhex(key_hex), step=30, t0=0, digits=TOTP_DIGITS, drift=0)
    totp.time = time.time()
    if not totp.verify(int(token), tolerance=1):
        raise TwoFactorError(_("验证码不正确,请确认手机时间准确后,输入验证器中当前的 6 位数字。"))
    with transaction.atomic():
        if has_device(user):
            raise TwoFactorError(_("该账号已经设置了两步验证。"))
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(
            user=user, name=TOTP_NAME, key=key_hex, confirmed=True, last_t=totp.t()
        )
        return device, recovery_codes_renew(user=user)


@transaction.atomic
def recovery_codes_renew(*, user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    return codes


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def verify(*, user: User, token: str):
    """The device that accepts this code (authenticator or recovery code), else a
    TwoFactorError saying why. Each device throttles its own failures."""
    token = normalise(token)
    if not token:
        raise TwoFactorError(_("请输入验证码。"))
    devices = [
        d
        for d in devices_for_user(user, confirmed=True)
        if isinstance(d, TOTPDevice | StaticDevice)
    ]
    if not devices:
        raise TwoFactorError(_("该账号尚未设置两步验证。"))
    wait = 0
    for device in devices:
        # A six-digit code goes to the authenticator, anything else to the recovery codes:
        # a wrong code then counts against one device only.
        if isinstance(device, TOTPDevice) != token.isdigit():
            continue
        allowed, data = device.verify_is_allowed()
        if not allowed:
            wait = max(wait, _seconds_left(data))
            continue
        if device.verify_token(token):  # a failure is counted by the device (throttle)
            return device
    if wait:
        raise TwoFactorError(_("验证码错误次数过多,请 %(seconds)d 秒后再试。") % {"seconds": wait})
    raise TwoFactorError(_("验证码不正确。请输入验证器中当前的 6 位数字,或一个未用过的恢复码。"))


def _seconds_left(data) -> int:
    until = (data or {}).get("locked_until")
    if until is None:
        return 1
    return max(1, int((until - timezone.now()).total_seconds()) + 1)


@transaction.atomic
def two_factor_remove(*, user: User) -> None:
    """Delete every device of the user (the self-service reset, after a code re-check)."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


@transaction.atomic
def user_two_factor_reset(*, user: User, by: User) -> None:
    """The account manager resets a user's two-factor login (a lost phone): the user sets it
    up again at the next login if it is required. Scope: the accounts they manage (the
    security administrator's when duties are separated; never a superuser's, and the security
    and audit administrators' only by the superuser)."""
    if not (by.is_superuser or by.can_manage_users):
        raise NotAllowed(_("只有管理员可以重置他人的两步验证。"))
    if not User.objects.manageable_by(by).filter(pk=user.pk).exists():
        raise NotAllowed(_("您无权管理该账号。"))
    if user.pk == by.pk:
        raise TwoFactorError(_("请在“账号安全”页面重置自己的两步验证。"))
    User.objects.select_for_update().get(pk=user.pk)
    two_factor_remove(user=user)
    logger.info("two-factor login of user %s reset by %s", user.pk, by.pk)
