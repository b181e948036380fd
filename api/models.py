"""API credentials: integration accounts, tokens (only their hash is stored) and the record of
each write made with an `Idempotency-Key` (so a retried request is answered, not repeated)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User

from .choices import Scope


def manageable_users(user):
    """The accounts whose credentials `user` may see and revoke: an account manager's (as on
    the user pages, `User.objects.manageable_by`), everyone else only their own."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return User.objects.none()
    if user.can_manage_users:
        return User.objects.manageable_by(user)
    return User.objects.filter(pk=user.pk)


class IntegrationAccountQuerySet(models.QuerySet):
    def visible_to(self, user) -> IntegrationAccountQuerySet:
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if not (user.is_superuser or user.can_manage_users):
            return self.none()
        return self.filter(user__in=manageable_users(user))


class IntegrationAccount(models.Model):
    """A system (not a person) that uses the API. Its user has no usable password; the user's
    role, region and hospital decide what it sees, exactly as for a person."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.CASCADE,
        related_name="integration_account",
    )
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("用途说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = IntegrationAccountQuerySet.as_manager()

    class Meta:
        verbose_name = _("接口对接账号")
        verbose_name_plural = _("接口对接账号")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class ApiTokenQuerySet(models.QuerySet):
    def visible_to(self, user) -> ApiTokenQuerySet:
        """A user's own tokens; an administrator's also those of the users they manage."""
        return self.filter(owner__in=manageable_users(user))

    def usable(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("所属账号"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("名称"), max_length=100)
    scope = models.CharField(_("权限范围"), max_length=10, choices=Scope.choices)
    # The first characters after "sh_": found by index, then the full token's hash compared.
    prefix = models.CharField(max_length=12, unique=True, editable=False)
    token_hash = models.CharField(max_length=64, editable=False)
    expires_at = models.DateTimeField(_("有效期至"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签发人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("吊销人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} (sh_{self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return not self.is_revoked and not self.is_expired

    @property
    def can_write(self) -> bool:
        return self.scope == Scope.WRITE


class IdempotencyRecord(models.Model):
    """One write sent with an `Idempotency-Key`: what was asked (method, path, a hash of the
    body) and what was answered, so the same request again gets the same answer and changes
    nothing. Kept API_IDEMPOTENCY_HOURS (24 h by default), purged on write."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.ForeignKey(
        ApiToken, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    # Null while the first request is still being handled.
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_once_per_user_key")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.key}"
