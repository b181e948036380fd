"""HTTP helpers shared by download views."""

from __future__ import annotations

import os
from urllib.parse import quote

from django.http import FileResponse, HttpResponse


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """RFC 6266 / RFC 5987 header value that keeps a Chinese file name intact in every browser."""
    kind = "inline" if inline else "attachment"
    if filename.isascii():
        ascii_fallback = filename.replace('"', "").replace("\\", "") or "download"
    else:
        # Old clients that ignore filename* get a neutral name with the right extension.
        ascii_fallback = (
            "download" + os.path.splitext(filename)[1].encode("ascii", "ignore").decode()
        )
    return f"{kind}; filename=\"{ascii_fallback}\"; filename*=UTF-8''{quote(filename)}"


def attachment_response(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def file_response(fileobj, filename: str, content_type: str, *, inline: bool = False):
    response = FileResponse(fileobj, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename, inline=inline)
    response["X-Content-Type-Options"] = "nosniff"
    return response


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
