"""Webhook URLs are typed by administrators and fetched by the server: guard against SSRF.

A URL must be https (http only when DEBUG), name a host, and every address that host resolves
to must be public: loopback, private, link-local, reserved, multicast and unspecified addresses
are refused. The check runs when a robot is saved AND again right before every send, so a name
that later resolves to an internal address (DNS rebinding) is refused at send time.
`NOTIFICATIONS_ALLOW_PRIVATE_WEBHOOKS` (tests, isolated intranets) lifts the address rule only.

Integration webhooks (`validate_endpoint_url`) follow the same rule with their own, narrower
exception: only the hosts and networks listed in `WEBHOOK_ALLOWED_HOSTS` may be private (and
plain http); the robots' switch does not apply to them.
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


def _private_refused(address: str) -> ValidationError:
    return ValidationError(
        _("Webhook 地址指向内网、本机或保留地址(%(address)s),出于安全原因不允许。")
        % {"address": address},
        code="private",
    )


def _allow_list() -> tuple[set[str], list]:
    """WEBHOOK_ALLOWED_HOSTS as (host names, IP networks)."""
    names: set[str] = set()
    networks: list = []
    for entry in getattr(settings, "WEBHOOK_ALLOWED_HOSTS", ()) or ():
        entry = str(entry).strip().lower().strip("[]")
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            names.add(entry.rstrip("."))
    return names, networks


def _in_networks(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip.version == network.version and ip in network for network in networks)


def validate_endpoint_url(url: str) -> str:
    """An integration webhook's URL: the cleaned URL, or ValidationError (translated).

    https on a public address, like a robot's, unless the host name or every address it
    resolves to is listed in WEBHOOK_ALLOWED_HOSTS (an intranet receiver): then private and
    loopback addresses and plain http are accepted for that target only."""
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
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise ValidationError(_("Webhook 地址缺少主机名。"), code="invalid")
    if parts.username or parts.password:
        raise ValidationError(_("Webhook 地址不能包含用户名或密码。"), code="invalid")
    names, networks = _allow_list()
    if host in names:
        return url
    try:
        addresses = resolve_host(host, port or (443 if scheme == "https" else 80))
    except (OSError, UnicodeError):
        addresses = []
    if not addresses:
        raise ValidationError(
            _("无法解析主机名 %(host)s,请检查地址。") % {"host": host}, code="dns"
        )
    listed = [address for address in addresses if _in_networks(address, networks)]
    for address in addresses:
        if address in listed:
            continue
        try:
            public = _address_is_public(address)
        except ValueError:
            public = False
        if not public:
            raise _private_refused(address)
    if scheme == "http" and len(listed) < len(addresses) and not settings.DEBUG:
        raise ValidationError(_("Webhook 地址必须使用 https。"), code="scheme")
    return url


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
            raise _private_refused(address)
    return url
