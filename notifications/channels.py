"""Delivery channels: small classes with one `send()` that raises DeliveryError.

`DeliveryError(permanent=True)` means "do not try again" (a 4xx, a refused address, a robot
error code); a transient error (5xx, timeout, connection error, rate limit) is retried later.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import smtplib
import time
from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import quote_plus

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from .attachments import AttachmentUnavailable, build
from .choices import RobotKind
from .urlsafety import validate_webhook_url

logger = logging.getLogger(__name__)

# WeCom limits markdown content to 4096 bytes; DingTalk allows more, but one budget keeps the
# digest logic simple and messages readable on a phone.
ROBOT_MAX_BYTES = 4096
WECOM_RATE_LIMIT_CODES = {45009}
DINGTALK_RATE_LIMIT_CODES = {130101, 660026}


class DeliveryError(Exception):
    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


def absolute_url(url: str) -> str:
    if not url:
        return ""
    if url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL.rstrip("/") + "/" + url.lstrip("/")


class InAppChannel:
    """Always on: the Notification row written by notify() is the delivery."""

    code = "inapp"

    def send(self, notification) -> None:  # pragma: no cover - nothing to transmit
        return None


class EmailChannel:
    code = "email"

    def send(self, delivery) -> None:
        """One delivery: to an account's address or to a plain address (no account), with its
        attachment rebuilt from its object (notifications.attachments)."""
        address = delivery.to_address
        if not address:
            raise DeliveryError("收件人没有电子邮箱地址", permanent=True)
        attachments = []
        if delivery.attachment:
            try:
                attachments.append(build(delivery.attachment, delivery.attachment_object_id))
            except AttachmentUnavailable as exc:
                raise DeliveryError(f"附件无法生成: {exc}", permanent=True)
        user = delivery.recipient or SimpleNamespace(display_name=delivery.to_name)
        context = {
            "delivery": delivery,
            "user": user,
            "title": delivery.title,
            "body": delivery.body,
            "link": absolute_url(delivery.url),
            "event_label": delivery.get_event_display(),
            "site_name": settings.SITE_NAME,
            "site_url": settings.SITE_URL,
        }
        with translation.override(settings.LANGUAGE_CODE):
            subject = f"[{settings.SITE_NAME}] {delivery.title}"
            text = render_to_string("notifications/email/notification.txt", context)
            html = render_to_string("notifications/email/notification.html", context)
        self._send(address, subject, text, html, attachments)

    def send_digest(self, user, deliveries) -> None:
        """Several reminders of one run in one e-mail."""
        if user is None or not user.email:
            raise DeliveryError("收件人没有电子邮箱地址", permanent=True)
        items = [
            {
                "title": d.title,
                "body": d.body,
                "link": absolute_url(d.url),
                "event_label": d.get_event_display(),
            }
            for d in deliveries
        ]
        context = {
            "user": user,
            "items": items,
            "count": len(items),
            "site_name": settings.SITE_NAME,
            "site_url": settings.SITE_URL,
        }
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("[%(site)s] 您有 %(count)s 条新提醒") % {
                "site": settings.SITE_NAME,
                "count": len(items),
            }
            text = render_to_string("notifications/email/digest.txt", context)
            html = render_to_string("notifications/email/digest.html", context)
        self._send(user.email, subject, text, html)

    def _send(self, address: str, subject: str, text: str, html: str, attachments=()) -> None:
        message = EmailMultiAlternatives(
            subject=str(subject).replace("\n", " "),
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
        )
        message.attach_alternative(html, "text/html")
        for attachment in attachments:
            message.attach(attachment.filename, attachment.content, attachment.mimetype)
        try:
            message.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(f"收件地址被拒绝: {exc}", permanent=True)
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"邮件发送失败: {exc}")


@dataclass
class RobotMessage:
    title: str
    text: str  # markdown


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """sign = urlencode(base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}")))."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode())


class RobotChannel:
    kind: str = ""
    rate_limit_codes: set[int] = set()

    def payload(self, robot, message: RobotMessage) -> dict:
        raise NotImplementedError

    def url(self, robot) -> str:
        return robot.webhook_url

    def send(self, robot, message: RobotMessage) -> None:
        self._post(robot, self.payload(robot, message))

    def _post(self, robot, payload: dict) -> None:
        # Re-check the address right before sending (the name may resolve elsewhere by now).
        try:
            validate_webhook_url(robot.webhook_url)
        except ValidationError as exc:
            code = getattr(exc, "code", "")
            raise DeliveryError("; ".join(exc.messages), permanent=code != "dns")
        timeout = getattr(settings, "NOTIFICATIONS_WEBHOOK_TIMEOUT", (3.05, 10))
        try:
            response = requests.post(
                self.url(robot),
                data=json.dumps(payload, ensure_ascii=False).encode(),
                headers={"Content-Type": "application/json; charset=utf-8"},
                timeout=timeout,
                allow_redirects=False,
            )
        except requests.Timeout as exc:
            raise DeliveryError(f"请求超时: {exc}")
        except requests.RequestException as exc:
            raise DeliveryError(f"连接失败: {exc}")
        status = response.status_code
        snippet = response.text[:300]
        if status == 429 or status >= 500:
            raise DeliveryError(f"HTTP {status}: {snippet}")
        if status >= 300:
            raise DeliveryError(f"HTTP {status}: {snippet}", permanent=True)
        try:
            data = response.json()
        except ValueError:
            raise DeliveryError(f"机器人返回了无法识别的响应: {snippet}", permanent=True)
        errcode = data.get("errcode", 0) if isinstance(data, dict) else 0
        if errcode not in (0, "0", None):
            errmsg = data.get("errmsg", "")
            try:
                code = int(errcode)
            except (TypeError, ValueError):
                code = -1
            raise DeliveryError(
                f"errcode {errcode}: {errmsg}", permanent=code not in self.rate_limit_codes
            )


class WeComChannel(RobotChannel):
    kind = RobotKind.WECOM
    rate_limit_codes = WECOM_RATE_LIMIT_CODES

    def send(self, robot, message: RobotMessage) -> None:
        super().send(robot, message)
        mobiles = robot.mobiles
        if mobiles:
            # WeCom markdown cannot @ people; a short text message can. Best effort: the digest
            # itself was delivered, so a failure here must not make it be sent again.
            try:
                self._post(
                    robot,
                    {
                        "msgtype": "text",
                        "text": {"content": message.title, "mentioned_mobile_list": mobiles},
                    },
                )
            except DeliveryError as exc:
                logger.warning("WeCom mention message to robot %s failed: %s", robot.pk, exc)

    def payload(self, robot, message: RobotMessage) -> dict:
        content = f"### {message.title}\n{message.text}" if message.title else message.text
        return {"msgtype": "markdown", "markdown": {"content": truncate_bytes(content)}}


class DingTalkChannel(RobotChannel):
    kind = RobotKind.DINGTALK
    rate_limit_codes = DINGTALK_RATE_LIMIT_CODES

    def url(self, robot) -> str:
        if not robot.secret:
            return robot.webhook_url
        timestamp = int(time.time() * 1000)
        separator = "&" if "?" in robot.webhook_url else "?"
        sign = dingtalk_sign(robot.secret, timestamp)
        return f"{robot.webhook_url}{separator}timestamp={timestamp}&sign={sign}"

    def payload(self, robot, message: RobotMessage) -> dict:
        mobiles = robot.mobiles
        text = f"### {message.title}\n{message.text}"
        if mobiles:
            text += "\n\n" + " ".join(f"@{mobile}" for mobile in mobiles)
        return {
            "msgtype": "markdown",
            "markdown": {"title": message.title[:60], "text": truncate_bytes(text)},
            "at": {"atMobiles": mobiles, "isAtAll": False},
        }


ROBOT_CHANNELS: dict[str, RobotChannel] = {
    RobotKind.WECOM: WeComChannel(),
    RobotKind.DINGTALK: DingTalkChannel(),
}


def robot_channel(kind: str) -> RobotChannel:
    return ROBOT_CHANNELS[kind]


def truncate_bytes(text: str, limit: int = ROBOT_MAX_BYTES) -> str:
    encoded = text.encode()
    if len(encoded) <= limit:
        return text
    return encoded[: limit - 3].decode(errors="ignore") + "…"
