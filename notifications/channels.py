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
from .urlsafety import validate_endpoint_url, validate_webhook_url

logger = logging.getLogger(__name__)

# A digest message is planned to fit in 4096 bytes of UTF-8 (readable on a phone, and WeCom's
# limit); each channel then cuts the final markdown to its platform's own limit.
ROBOT_MAX_BYTES = 4096
# WeCom group robot: "markdown.content 最长不超过4096个字节,必须是utf8编码" (errcode 40058 above).
WECOM_MARKDOWN_MAX_BYTES = 4096
# DingTalk custom robot: its documentation states no number for markdown.text; a request body of
# about 20 KB is what it accepts in practice, so the text gets 20000 bytes (title, @ list and the
# JSON around it stay well under 480 more).
DINGTALK_MARKDOWN_MAX_BYTES = 20000
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


# Characters WeCom's or DingTalk's markdown gives a meaning: links and images ([ ] ( ) !),
# emphasis and strike-through (* _ ~), code (`), headings (#), tables (|), quotes and HTML such
# as <font> or <img> (< >), and the backslash itself.
_MARKDOWN_SPECIAL = frozenset("\\`*_[]()<>#!~|")


def markdown_escape(value) -> str:
    """The one way a user-supplied string (title, description, location, hospital or person
    name) enters robot markdown: every special character backslash-escaped, so it shows as
    typed and cannot forge a link, an image or markup in the group chat; line breaks become
    spaces (each item is one line, so nothing can start a heading or quote of its own)."""
    text = " ".join(str(value).split("\n")).replace("\r", " ")
    return "".join(f"\\{char}" if char in _MARKDOWN_SPECIAL else char for char in text)


def markdown_url(url: str) -> str:
    """A link target that cannot end the (…) early or break out of it."""
    return (
        url.replace("(", "%28").replace(")", "%29").replace(" ", "%20").replace("<", "%3C")
    ).replace(">", "%3E")


@dataclass
class RobotMessage:
    title: str  # plain text: escaped where it is put into markdown
    text: str  # markdown; user-supplied parts already went through markdown_escape()

    def markdown(self) -> str:
        if not self.title:
            return self.text
        return f"### {markdown_escape(self.title)}\n{self.text}"


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
        content = message.markdown()
        return {
            "msgtype": "markdown",
            "markdown": {"content": truncate_bytes(content, WECOM_MARKDOWN_MAX_BYTES)},
        }


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
        # The @ list must survive the cut: DingTalk only notifies numbers that appear in the text.
        mentions = ("\n\n" + " ".join(f"@{mobile}" for mobile in mobiles)) if mobiles else ""
        budget = DINGTALK_MARKDOWN_MAX_BYTES - len(mentions.encode())
        text = truncate_bytes(message.markdown(), budget) + mentions
        return {
            "msgtype": "markdown",
            # Plain text (the chat list preview), not rendered as markdown.
            "markdown": {"title": message.title[:60], "text": text},
            "at": {"atMobiles": mobiles, "isAtAll": False},
        }


ROBOT_CHANNELS: dict[str, RobotChannel] = {
    RobotKind.WECOM: WeComChannel(),
    RobotKind.DINGTALK: DingTalkChannel(),
}


def robot_channel(kind: str) -> RobotChannel:
    return ROBOT_CHANNELS[kind]


ELLIPSIS = "…"


def truncate_bytes(text: str, limit: int) -> str:
    """`text` cut to at most `limit` bytes of UTF-8, ending in "…" when cut: never in the middle
    of a multi-byte character, nor between a backslash and the character it escapes."""
    encoded = text.encode()
    if len(encoded) <= limit:
        return text
    room = limit - len(ELLIPSIS.encode())
    if room <= 0:
        return ""
    kept = encoded[:room].decode("utf-8", errors="ignore")
    trailing = len(kept) - len(kept.rstrip("\\"))
    if trailing % 2:  # an escape's backslash without its character
        kept = kept[:-1]
    return kept + ELLIPSIS


# --- Integration webhooks (notifications.webhooks) ---------------------------------------------

WEBHOOK_USER_AGENT = "SafeHospital-Webhooks/1"


def webhook_signature(secret: str, timestamp: int, body: bytes) -> str:
    """The X-SafeHospital-Signature value: "sha256=" + hex HMAC-SHA256 of
    b"<timestamp>.<raw body>" keyed with the endpoint's secret."""
    message = str(int(timestamp)).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


class WebhookChannel:
    """POST a delivery's stored payload to its endpoint, signed; 2xx is success.

    5xx, 408, 429, timeouts and refused connections are transient (retried with backoff);
    another 3xx/4xx, an address the SSRF guard refuses or a switched-off endpoint is permanent."""

    code = "webhook"

    def send(self, delivery) -> None:
        endpoint = delivery.webhook
        if endpoint is None or not endpoint.is_active or not endpoint.owner.is_active:
            raise DeliveryError(_("Webhook 推送已停用"), permanent=True)
        try:
            validate_endpoint_url(endpoint.url)
        except ValidationError as exc:
            code = getattr(exc, "code", "")
            raise DeliveryError("; ".join(exc.messages), permanent=code != "dns")
        body = delivery.payload.encode()
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": WEBHOOK_USER_AGENT,
            "X-SafeHospital-Event": delivery.event,
            "X-SafeHospital-Delivery": str(delivery.pk),
            "X-SafeHospital-Timestamp": str(timestamp),
            "X-SafeHospital-Signature": webhook_signature(endpoint.secret, timestamp, body),
        }
        timeout = getattr(settings, "NOTIFICATIONS_WEBHOOK_TIMEOUT", (3.05, 10))
        try:
            response = requests.post(
                endpoint.url, data=body, headers=headers, timeout=timeout, allow_redirects=False
            )
        except requests.Timeout as exc:
            raise DeliveryError(f"请求超时: {exc}")
        except requests.RequestException as exc:
            raise DeliveryError(f"连接失败: {exc}")
        status = response.status_code
        if 200 <= status < 300:
            return
        snippet = response.text[:300]
        if status in (408, 429) or status >= 500:
            raise DeliveryError(f"HTTP {status}: {snippet}")
        raise DeliveryError(f"HTTP {status}: {snippet}", permanent=True)
