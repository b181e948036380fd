"""Issuing and revoking API credentials. Each function checks who acts and raises a translated
DomainError (NotAllowed for "no right at all") when it refuses; nothing is saved then."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from accounts.services import user_save
from core.errors import DomainError, NotAllowed
from hospitals.models import Hospital, Region

from .choices import Scope
from .models import ApiToken, IntegrationAccount, manageable_users

TOKEN_PREFIX = "sh_"
PREFIX_LENGTH = 8
# Only the last-used stamp of a token older than this is written again (no write per request).
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class ApiCredentialError(DomainError):
    """A refused credential operation; the message is translated."""


def hash_token(raw: str) -> str:
    """SHA-256 of the whole token. The secret part is 256 random bits, so a fast hash is as good
    as a slow one here (nothing to guess), and it costs nothing per request."""
    return hashlib.sha256(raw.encode()).hexdigest()


def _new_secret() -> tuple[str, str]:
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    return prefix, f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"


def may_manage(actor: User, owner: User) -> bool:
    """Whether `actor` may issue tokens to `owner`: administrators for the accounts they manage
    (themselves included); nobody else issues tokens."""
    if not (actor.is_superuser or actor.can_manage_users) or not actor.is_active:
        return False
    return manageable_users(actor).filter(pk=owner.pk).exists()


def token_issue(
    *, owner: User, name: str, scope: str, expires_on: dt.date | None, by: User
) -> tuple[ApiToken, str]:
    """Create a token for `owner`; returns the row and the secret, which is shown once and
    never stored (only its hash is)."""
    if not may_manage(by, owner):
        raise NotAllowed(_("您无权为该账号签发接口令牌。"))
    name = (name or "").strip()
    if not name:
        raise ApiCredentialError(_("请填写令牌名称。"), field="name")
    if scope not in Scope.values:
        raise ApiCredentialError(_("请选择有效的权限范围。"), field="scope")
    if not owner.is_active:
        raise ApiCredentialError(_("该账号已停用,不能签发令牌。"), field="owner")
    today = timezone.localdate()
    max_days = settings.API_TOKEN_MAX_DAYS
    if expires_on is None:
        expires_on = today + dt.timedelta(days=settings.API_TOKEN_DEFAULT_DAYS)
    if expires_on <= today:
        raise ApiCredentialError(_("有效期须晚于今天。"), field="expires_on")
    if expires_on > today + dt.timedelta(days=max_days):
        raise ApiCredentialError(
            _("有效期最长 %(days)d 天。") % {"days": max_days}, field="expires_on"
        )
    # Valid through the whole last day, in the site's time zone.
    expires_at = timezone.make_aware(
        dt.datetime.combine(expires_on + dt.timedelta(days=1), dt.time.min)
    )
    prefix, raw = _new_secret()
    token = ApiToken.objects.create(
        owner=owner,
        name=name[:100],
        scope=scope,
        prefix=prefix,
        token_hash=hash_token(raw),
        expires_at=expires_at,
        created_by=by,
    )
    return token, raw


def token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    """Revoke a token at once: its owner, or an administrator who manages the owner."""
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if not ApiToken.objects.visible_to(by).filter(pk=locked.pk).exists():
            raise NotAllowed(_("您无权吊销该令牌。"))
        if locked.revoked_at is not None:
            raise ApiCredentialError(_("该令牌已吊销。"))
        locked.revoked_at = timezone.now()
        locked.revoked_by = by
        locked.save(update_fields=["revoked_at", "revoked_by"])
    token.revoked_at, token.revoked_by = locked.revoked_at, locked.revoked_by
    return token


def token_authenticate(raw: str) -> ApiToken | None:
    """The usable token `raw` stands for (owner loaded), or None: malformed, unknown, wrong
    secret, revoked, expired, or its owner deactivated. Notes the time of use."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    prefix = raw[len(TOKEN_PREFIX) : len(TOKEN_PREFIX) + PREFIX_LENGTH]
    token = ApiToken.objects.select_related("owner").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.token_hash, hash_token(raw)):
        return None
    if not token.is_usable or not token.owner.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


INTEGRATION_ROLES = (Role.BUREAU, Role.OFFICER)


def integration_account_create(
    *,
    name: str,
    description: str,
    role: str,
    region: Region | None = None,
    hospital: Hospital | None = None,
    by: User,
) -> IntegrationAccount:
    """An account for a system: a user with no usable password (it cannot log in on the site),
    bound like a person to a region (bureau side) or a hospital (officer), inside the
    administrator's region."""
    if not (by.is_superuser or by.can_manage_users):
        raise NotAllowed(_("只有管理员可以创建接口对接账号。"))
    name = (name or "").strip()
    if not name:
        raise ApiCredentialError(_("请填写名称。"), field="name")
    if role not in INTEGRATION_ROLES:
        raise ApiCredentialError(_("请选择有效的角色。"), field="role")
    if role == Role.BUREAU:
        hospital = None
        if region is None:
            raise ApiCredentialError(_("卫健局角色须指定所属区域。"), field="region")
        if not by.is_superuser and (by.region is None or not by.region.contains(region)):
            raise NotAllowed(_("只能在本辖区内创建接口对接账号。"))
    else:
        region = None
        if hospital is None:
            raise ApiCredentialError(_("医院角色须指定所属医疗机构。"), field="hospital")
        if not by.is_superuser and (by.region is None or not by.region.contains(hospital.region)):
            raise NotAllowed(_("只能在本辖区内创建接口对接账号。"))
    with transaction.atomic():
        user = User(
            username=f"integration-{secrets.token_hex(6)}",
            full_name=name[:50],
            role=role,
            region=region,
            hospital=hospital,
        )
        user.set_unusable_password()
        user_save(user=user, by=by)
        return IntegrationAccount.objects.create(
            user=user, name=name[:100], description=(description or "").strip(), created_by=by
        )
