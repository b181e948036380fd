from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedCharField
from hospitals.models import within

from .choices import DELIVERY_EVENT_CHOICES, Channel, DeliveryStatus, EventKind, RobotKind


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user) -> NotificationQuerySet:
        return self.filter(recipient=user)

    def visible_to(self, user) -> NotificationQuerySet:
        """A person's notification centre holds their own notifications only, for every role."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(recipient=user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """In-app notification: always on, one per recipient × event × object × occurrence."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    event = models.CharField(_("事件"), max_length=40, choices=EventKind.choices)
    dedupe_key = models.CharField(max_length=255)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], name="uniq_notification_per_occurrence"
            )
        ]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class RobotQuerySet(models.QuerySet):
    def visible_to(self, user) -> RobotQuerySet:
        """Robots an administrator manages: those of their region and below, and of the
        hospitals there. Nobody else sees robot configuration (it holds webhook secrets)."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        if user.is_region_admin and user.region_id:
            return self.filter(
                within(user.region, "region") | within(user.region, "hospital__region")
            )
        return self.none()

    def active(self) -> RobotQuerySet:
        return self.filter(is_active=True)

    def for_scope(self, *, hospital=None, region=None) -> RobotQuerySet:
        """Active robots that cover a hospital (its own robots and those of its region and the
        regions above) or, without a hospital, a region and the regions above it."""
        if hospital is not None:
            region = hospital.region
        if region is None:
            return self.none()
        ancestor_ids = region.ancestor_ids
        condition = Q(region_id__in=ancestor_ids)
        if hospital is not None:
            condition |= Q(hospital=hospital)
        return self.active().filter(condition)


class Robot(models.Model):
    """A WeCom (企业微信) or DingTalk (钉钉) group robot for a region or one hospital."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10, choices=RobotKind.choices)
    region = models.ForeignKey(
        "hospitals.Region",
        verbose_name=_("所属区域"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="robots",
        help_text=_("区域机器人接收本区域及下级区域所有机构的消息。"),
    )
    hospital = models.ForeignKey(
        "hospitals.Hospital",
        verbose_name=_("所属医疗机构"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="robots",
        help_text=_("机构机器人只接收该机构的消息。"),
    )
    webhook_url = models.CharField(_("Webhook 地址"), max_length=500)
    secret = models.CharField(
        _("加签密钥"),
        max_length=200,
        blank=True,
        help_text=_("钉钉机器人“加签”安全设置中的密钥(SEC 开头);企业微信无需填写。"),
    )
    events = models.JSONField(_("推送事件"), default=list, blank=True)
    at_mobiles = EncryptedCharField(
        _("@手机号"),
        max_length=500,
        blank=True,
        help_text=_("消息中 @ 提醒的群成员手机号,逗号分隔。企业微信会另发一条带 @ 的短消息。"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = RobotQuerySet.as_manager()

    class Meta:
        verbose_name = _("群机器人")
        verbose_name_plural = _("群机器人")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(region__isnull=False, hospital__isnull=True)
                | Q(region__isnull=True, hospital__isnull=False),
                name="robot_region_xor_hospital",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def scope(self):
        return self.hospital or self.region

    @property
    def mobiles(self) -> list[str]:
        raw = self.at_mobiles.replace(",", ",").replace(";", ",").replace(" ", ",")
        return [part for part in (p.strip() for p in raw.split(",")) if part]

    def wants(self, event: str) -> bool:
        return event in (self.events or [])


class NotificationPreference(models.Model):
    """Which events a user receives by e-mail. In-app notifications cannot be turned off."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    email_enabled = models.BooleanField(_("接收邮件通知"), default=True)
    # Opt-out list, so a new event kind reaches everyone by default.
    email_muted_events = models.JSONField(_("不接收邮件的事件"), default=list, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("通知偏好")
        verbose_name_plural = _("通知偏好")

    def __str__(self) -> str:
        return str(self.user)

    def wants_email(self, event: str) -> bool:
        return self.email_enabled and event not in (self.email_muted_events or [])


class WebhookEndpointQuerySet(models.QuerySet):
    def visible_to(self, user) -> WebhookEndpointQuerySet:
        """Endpoints an administrator manages: those whose owner (the integration account) is
        bound to their region or below, or to a hospital there. Nobody else sees them (they
        hold signing secrets)."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        if user.is_region_admin and user.region_id:
            return self.filter(
                within(user.region, "owner__region")
                | within(user.region, "owner__hospital__region")
            )
        return self.none()

    def active(self) -> WebhookEndpointQuerySet:
        """Endpoints that receive events: switched on, and their owner's account active."""
        return self.filter(is_active=True, owner__is_active=True)


class WebhookEndpoint(models.Model):
    """An outgoing, signed webhook of an integration account (issue 17).

    It receives the events it subscribes to about what its OWNER may see: the owner's scope
    (a region and below, or one hospital) is the endpoint's scope, decided by the same
    `visible_to(owner)` rule as the owner's own pages (notifications.webhooks.emit)."""

    name = models.CharField(_("名称"), max_length=100)
    url = models.CharField(_("推送地址"), max_length=500)
    # The HMAC key. Kept decryptable (a signature needs the key itself), encrypted at rest
    # (SM4-GCM, core.fields); shown to the administrator once, when generated or rotated.
    secret = EncryptedCharField(_("签名密钥"), max_length=100)
    events = models.JSONField(_("推送事件"), default=list, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("集成账号"),
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
        help_text=_("接收哪些事件由该账号的查看范围决定:只推送该账号能看到的机构和区域的事件。"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = WebhookEndpointQuerySet.as_manager()

    class Meta:
        verbose_name = _("Webhook 推送")
        verbose_name_plural = _("Webhook 推送")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def wants(self, event: str) -> bool:
        return event in (self.events or [])


class DeliveryQuerySet(models.QuerySet):
    def visible_to(self, user) -> DeliveryQuerySet:
        """Administrators see deliveries to the users and robots of their region and below."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        if user.is_region_admin and user.region_id:
            region = user.region
            return self.filter(
                within(region, "recipient__region")
                | within(region, "recipient__hospital__region")
                | within(region, "robot__region")
                | within(region, "robot__hospital__region")
                | within(region, "webhook__owner__region")
                | within(region, "webhook__owner__hospital__region")
            )
        return self.none()

    def due(self, now) -> DeliveryQuerySet:
        return self.filter(status=DeliveryStatus.PENDING).filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
        )


class Delivery(models.Model):
    """One message on one channel to one recipient (user or robot) for one event occurrence.

    Written BEFORE sending, with a unique key, so a re-run, a retried task or a second beat
    finds the row and sends nothing new; the row then records every attempt and its error.
    """

    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    # "user:<pk>", "robot:<pk>", "webhook:<pk>" or "email:<address>" (someone without an
    # account, e.g. the police contact of a region plan): part of the unique key (nullable FKs
    # would not be).
    target = models.CharField(_("接收方"), max_length=300)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    robot = models.ForeignKey(
        Robot,
        verbose_name=_("群机器人"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    webhook = models.ForeignKey(
        WebhookEndpoint,
        verbose_name=_("Webhook 推送"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    # A webhook's exact request body, written once: every attempt sends the same bytes (only
    # the timestamp and signature headers are made anew).
    payload = models.TextField(_("推送内容"), blank=True)
    address = models.EmailField(_("邮箱地址"), blank=True)
    address_name = models.CharField(_("收件人称呼"), max_length=100, blank=True)
    event = models.CharField(_("事件"), max_length=40, choices=DELIVERY_EVENT_CHOICES)
    dedupe_key = models.CharField(max_length=255)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    # A file rebuilt at every attempt by a registered builder (notifications.attachments).
    attachment = models.CharField(_("附件"), max_length=60, blank=True)
    attachment_object_id = models.PositiveBigIntegerField(null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("开始发送"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("发送记录")
        verbose_name_plural = _("发送记录")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "target", "dedupe_key"], name="uniq_delivery_per_occurrence"
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["robot", "status"]),
            models.Index(fields=["webhook", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.title}"

    @property
    def to_address(self) -> str:
        return self.recipient.email if self.recipient_id else self.address

    @property
    def to_name(self) -> str:
        if self.recipient_id:
            return self.recipient.display_name
        return self.address_name or self.address
