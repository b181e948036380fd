from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import User

from .choices import Provider


class ExternalIdentityQuerySet(models.QuerySet):
    def visible_to(self, user) -> ExternalIdentityQuerySet:
        """Identities of the users `user` may see (accounts' scoping rule: an administrator's
        region, else oneself); a superuser's identities only to superusers."""
        identities = self.filter(user__in=User.objects.visible_to(user))
        if not getattr(user, "is_superuser", False):
            identities = identities.exclude(user__is_superuser=True)
        return identities


class ExternalIdentity(models.Model):
    """A user's account at a single sign-on provider. Logins map to users only through these
    rows: nobody is created or matched by name at login (except the opt-in claim binding)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="external_identities",
    )
    provider = models.CharField(_("登录方式"), max_length=10, choices=Provider.choices)
    subject = models.CharField(
        _("外部账号标识"),
        max_length=255,
        help_text=_("OpenID Connect 的 sub、CAS 用户名、企业微信 UserId 或钉钉 unionId。"),
    )
    created_at = models.DateTimeField(_("绑定时间"), auto_now_add=True)
    last_login_at = models.DateTimeField(_("最近登录时间"), null=True, blank=True)

    objects = ExternalIdentityQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("外部账号绑定")
        verbose_name_plural = _("外部账号绑定")
        ordering = ["provider", "subject"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "subject"], name="sso_identity_unique_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()}:{self.subject}"
