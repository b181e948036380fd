"""HTTP helpers shared by download views."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Iterable
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network
from typing import IO, Any
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[IPv4Network | IPv6Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry)


def _trusted(address: str, networks: Iterable[IPv4Network | IPv6Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request: HttpRequest) -> str:
    """The address of the person at the other end: THE one reading, used by the login lockout,
    the login throttle and the access log.

    `X-Forwarded-For` is believed only when the connection comes from a proxy listed in
    `TRUSTED_PROXIES` (addresses or networks): the header is then read from the right, skipping
    our own proxies, and the first address that is not one of them is the client. Anything a
    client writes into the header itself lies to the left of that and is ignored. Without
    trusted proxies the header is ignored altogether, so nobody can pick the address they are
    locked out under."""
    remote = (request.META.get("REMOTE_ADDR") or "").strip()
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    if not networks or not _trusted(remote, networks):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote  # a malformed hop: fall back to what we know for sure
    return hops[0] if hops else remote


_ASCII_PART = re.compile(r"[^A-Za-z0-9.-]+")


def ascii_filename(*parts: object, ext: str) -> str:
    """An ASCII download name that keeps what the Chinese one says: type, scope and period,
    e.g. ascii_filename("ledger", "JJ", "2026Q3", ext=".xlsx") → "ledger_JJ_2026Q3.xlsx".
    Non-ASCII characters are dropped from each part; empty parts are left out."""
    kept = [_ASCII_PART.sub("-", str(part)).strip("-.") for part in parts if part]
    stem = "_".join(part for part in kept if part) or "download"
    return stem + ext


def scope_code(scope: Any) -> str:
    """The ASCII code of a scope for file names: a region's code ("JJ"), a hospital as its
    region's code and its id ("JJ-H12"); "" for anything else."""
    if scope is None or isinstance(scope, str):
        return ""
    region = getattr(scope, "region", None)
    if region is not None and hasattr(scope, "credit_code"):  # a hospital
        return f"{getattr(region, 'code', '')}-H{scope.pk}".strip("-")
    return str(getattr(scope, "code", "") or "")


def _derived_fallback(filename: str) -> str:
    """Old clients that ignore filename* get the ASCII runs of the name (the code, the date…)
    rather than a bare "download"."""
    stem, ext = os.path.splitext(filename)
    runs = re.findall(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?", stem)
    return ascii_filename("download", *runs, ext=ext.encode("ascii", "ignore").decode())


def content_disposition(filename: str, *, inline: bool = False, fallback: str = "") -> str:
    """RFC 6266 / RFC 5987 header value that keeps a Chinese file name intact in every browser.
    `fallback` is the plain `filename` old clients read (ASCII; see `ascii_filename`)."""
    kind = "inline" if inline else "attachment"
    if fallback and fallback.isascii():
        ascii_fallback = fallback.replace('"', "").replace("\\", "")
    elif filename.isascii():
        ascii_fallback = filename.replace('"', "").replace("\\", "") or "download"
    else:
        ascii_fallback = _derived_fallback(filename)
    return f"{kind}; filename=\"{ascii_fallback}\"; filename*=UTF-8''{quote(filename)}"


def attachment_response(
    content: bytes, filename: str, content_type: str, *, fallback: str = ""
) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename, fallback=fallback)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# Only images we decoded and re-encoded ourselves may be shown in the browser; everything else
# (PDF above all: a viewer runs its scripts) is a download.
INLINE_CONTENT_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})


def file_response(
    fileobj: IO[bytes] | Any,
    filename: str,
    content_type: str,
    *,
    inline: bool = False,
    fallback: str = "",
) -> FileResponse:
    """A private file: inline only for re-encoded images, never cached, and sandboxed so that
    even a file opened directly cannot run script in our origin."""
    response = FileResponse(fileobj, content_type=content_type)
    inline = inline and content_type in INLINE_CONTENT_TYPES
    response["Content-Disposition"] = content_disposition(
        filename, inline=inline, fallback=fallback
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    response["Cache-Control"] = "private, no-store"
    return response


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
