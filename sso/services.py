"""Binding external identities to users, and finding the user of a login."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError, NotAllowed

from .choices import Provider
from .models import ExternalIdentity

SUBJECT_MAX_LENGTH = 255


class IdentityError(DomainError):
    """A binding that cannot be made; the message is shown to the actor."""


def _may_manage(*, user: User, by: User) -> bool:
    """One's own identities, or (administrators) those of the users they manage."""
    if by.pk == user.pk:
        return True
    return User.objects.manageable_by(by).filter(pk=user.pk).exists()


def clean_subject(subject: str) -> str:
    subject = (subject or "").strip()
    if not subject:
        raise IdentityError(_("请填写外部账号标识。"), field="subject")
    if len(subject) > SUBJECT_MAX_LENGTH or any(ch.isspace() or ord(ch) < 32 for ch in subject):
        raise IdentityError(
            _("外部账号标识不能包含空白字符,且不超过 255 个字符。"), field="subject"
        )
    return subject


@transaction.atomic
def identity_bind(*, user: User, provider: str, subject: str, by: User) -> ExternalIdentity:
    """Bind `subject` at `provider` to `user`. One subject belongs to one user; a user has at
    most one identity per provider (binding again replaces it)."""
    if not _may_manage(user=user, by=by):
        raise NotAllowed()
    if provider not in Provider.values:
        raise IdentityError(_("不支持的登录方式。"), field="provider")
    subject = clean_subject(subject)
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise IdentityError(_("该账号已停用,不能绑定外部账号。"))
    taken = ExternalIdentity.objects.filter(provider=provider, subject=subject).first()
    if taken is not None:
        if taken.user_id == user.pk:
            return taken
        raise IdentityError(_("该外部账号已绑定到其他用户。"), field="subject")
    for old in ExternalIdentity.objects.select_for_update().filter(user=user, provider=provider):
        old._history_user = by  # type: ignore[attr-defined]  # simple_history's hook, untyped
        old.delete()
    identity = ExternalIdentity(user=user, provider=provider, subject=subject)
    identity._history_user = by  # type: ignore[attr-defined]  # simple_history's hook, untyped
    try:
        with transaction.atomic():
            identity.save()
    except IntegrityError as exc:  # the same subject bound by someone else a moment ago
        raise IdentityError(_("该外部账号已绑定到其他用户。"), field="subject") from exc
    return identity


@transaction.atomic
def identity_unbind(*, identity: ExternalIdentity, by: User) -> None:
    identity = (
        ExternalIdentity.objects.select_for_update().select_related("user").get(pk=identity.pk)
    )
    if not _may_manage(user=identity.user, by=by):
        raise NotAllowed()
    identity._history_user = by  # type: ignore[attr-defined]  # simple_history's hook, untyped
    identity.delete()


def identity_user(*, provider: str, subject: str) -> User | None:
    """The active user bound to this identity (its last login stamped), else None."""
    identity = (
        ExternalIdentity.objects.select_related("user")
        .filter(provider=provider, subject=subject)
        .first()
    )
    if identity is None or not identity.user.is_active:
        return None
    ExternalIdentity.objects.filter(pk=identity.pk).update(last_login_at=timezone.now())
    return identity.user


def identity_bind_by_username(*, provider: str, subject: str, username: str) -> User | None:
    """Opt-in claim binding (SSO_OIDC_BIND_BY_CLAIM): the active, non-superuser account whose
    username equals the claim gets this identity, unless it already has one at `provider`."""
    user = User.objects.filter(username=username, is_active=True, is_superuser=False).first()
    if user is None or ExternalIdentity.objects.filter(user=user, provider=provider).exists():
        return None
    try:
        with transaction.atomic():
            ExternalIdentity.objects.create(
                user=user, provider=provider, subject=clean_subject(subject)
            )
    except (IntegrityError, IdentityError):
        return None
    return identity_user(provider=provider, subject=subject)
