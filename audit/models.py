"""The audit log: one append-only, hash-chained row per audited event (等保 8.1.4.3, 8.1.4.6).

`seq` is a gapless sequence number and `hash` is SHA-256 over the row's canonical JSON and the
previous row's hash (audit.chain), so editing a row breaks its hash and deleting one leaves a
gap in `seq` or a `prev_hash` that no longer matches: `manage.py audit_verify` finds both.
The model refuses updates and deletes; on PostgreSQL a trigger refuses them too (except the
retention purge, which sets `audit.purge`), see migration 0002.

The actor is a plain id (no database foreign key): deleting a user must not touch the log, and
the name is kept as a snapshot anyway. `scope_path` is the actor's region path at the time,
which is what an audit administrator's region scope reads.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.regions import subtree_q

from .choices import Action, Source


class AppendOnlyError(DomainError):
    """An attempt to change or delete an audit row."""


class AuditEntryQuerySet(models.QuerySet):
    def visible_to(self, user) -> AuditEntryQuerySet:
        """What an audit administrator reads: entries of the people bound to their region or
        below (by the region at the time). Entries with no region (anonymous failed logins
        for unknown names, system tasks) are read by the auditors of a top-level region.
        The superuser (break-glass account) reads everything; everyone else nothing."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        if getattr(user, "is_audit_admin", False) and user.region_id:
            region = user.region
            scope = subtree_q(region.path, "scope_path")
            if region.parent_id is None:
                scope |= models.Q(scope_path="")
            return self.filter(scope)
        return self.none()

    def update(self, **kwargs):
        raise AppendOnlyError(_("审计日志只能追加,不能修改。"))

    def delete(self):
        raise AppendOnlyError(_("审计日志只能追加,不能删除。"))

    update.queryset_only = True
    delete.queryset_only = True


class AuditEntry(models.Model):
    seq = models.BigIntegerField(_("序号"), unique=True)
    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(_("操作人姓名"), max_length=200, blank=True)
    username = models.CharField(_("账号"), max_length=150, blank=True, db_index=True)
    action = models.CharField(_("事件"), max_length=40, choices=Action.choices, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=300, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    user_agent = models.CharField(_("客户端"), max_length=300, blank=True)
    method = models.CharField(_("请求方法"), max_length=10, blank=True)
    path = models.CharField(_("请求路径"), max_length=500, blank=True)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.WEB)
    status = models.PositiveSmallIntegerField(_("响应状态"), null=True, blank=True)
    scope_path = models.CharField(_("区域路径"), max_length=255, blank=True, db_index=True)
    prev_hash = models.CharField(_("前一条哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.get_action_display()} {self.actor_name or self.username}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(_("审计日志只能追加,不能修改。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(_("审计日志只能追加,不能删除。"))


class AuditCheckpoint(models.Model):
    """Where the retention purge cut the chain: the last purged row's seq and hash become the
    anchor the remaining chain is verified from."""

    through_seq = models.BigIntegerField(_("清理至序号"), unique=True)
    anchor_hash = models.CharField(_("锚点哈希"), max_length=64)
    purged = models.PositiveIntegerField(_("清理条数"), default=0)
    cutoff = models.DateTimeField(_("清理截止时间"))
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("审计链锚点")
        verbose_name_plural = _("审计链锚点")
        ordering = ["-through_seq"]

    def __str__(self) -> str:
        return f"≤#{self.through_seq} {self.anchor_hash[:12]}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(_("审计日志只能追加,不能修改。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(_("审计日志只能追加,不能删除。"))


class AuditVerification(models.Model):
    """One run of the chain verification (the command or the nightly task)."""

    at = models.DateTimeField(_("时间"), auto_now_add=True)
    ok = models.BooleanField(_("完整"))
    checked = models.PositiveIntegerField(_("校验条数"), default=0)
    # The chain's last seq when it was found intact: rows cut off the end later show up as a
    # head below it.
    head_seq = models.BigIntegerField(_("链尾序号"), null=True, blank=True)
    broken_seq = models.BigIntegerField(_("首个异常序号"), null=True, blank=True)
    message = models.TextField(_("结果"), blank=True)

    class Meta:
        verbose_name = _("审计链校验")
        verbose_name_plural = _("审计链校验")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {'ok' if self.ok else self.broken_seq}"
