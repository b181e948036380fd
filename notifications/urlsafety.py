"""Webhook URLs are typed by administrators and fetched by the server: guard against SSRF.

A URL must be https (http only when DEBUG), name a host, and every address that host resolves
to must be public: loopback, private, link-local, reserved, multicast and unspecified addresses
are refused. The check runs when a robot is saved AND again right before every send, so a name
that later resolves to an internal address (DNS rebinding) is refused at send time.
`NOTIFICATIONS_ALLOW_PRIVATE_WEBHOOKS` (tests, isolated intranets) lifts the address rule only.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def _address_is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
        or not ip.is_global
    )


def resolve_host(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    return sorted({info[4][0] for info in infos})


def validate_webhook_url(url: str) -> str:
    """Return the cleaned URL or raise ValidationError with a translated message."""
    url = (url or "").strip()
    if not url:
        raise ValidationError(_("请填写 Webhook 地址。"), code="required")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValidationError(_("Webhook 地址格式不正确。"), code="invalid")
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise ValidationError(
            _("Webhook 地址只能使用 https 协议,不支持 %(scheme)s。") % {"scheme": scheme or "?"},
            code="scheme",
        )
    if scheme == "http" and not settings.DEBUG:
        raise ValidationError(_("Webhook 地址必须使用 https。"), code="scheme")
    host = parts.hostname
    if not host:
        raise ValidationError(_("Webhook 地址缺少主机名。"), code="invalid")
    if parts.username or parts.password:
        raise ValidationError(_("Webhook 地址不能包含用户名或密码。"), code="invalid")
    if getattr(settings, "NOTIFICATIONS_ALLOW_PRIVATE_WEBHOOKS", False):
        return url
    try:
        addresses = resolve_host(host, port or (443 if scheme == "https" else 80))
    except (OSError, UnicodeError):
        raise ValidationError(
            _("无法解析主机名 %(host)s,请检查地址。") % {"host": host}, code="dns"
        )
    if not addresses:
        raise ValidationError(
            _("无法解析主机名 %(host)s,请检查地址。") % {"host": host}, code="dns"
        )
    for address in addresses:
        try:
            public = _address_is_public(address)
        except ValueError:
            public = False
        if not public:
            raise ValidationError(
                _("Webhook 地址指向内网、本机或保留地址(%(address)s),出于安全原因不允许。")
                % {"address": address},
                code="private",
            )
    return url
