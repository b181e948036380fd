from __future__ import annotations

import json
import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

csp_log = logging.getLogger("safehospital.csp")


def _connection_use() -> dict[str, int] | None:
    """How full the PostgreSQL server's connection slots are (None on SQLite)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity")
        (used,) = cursor.fetchone()
        cursor.execute("SELECT current_setting('max_connections')::int")
        (limit,) = cursor.fetchone()
    return {"used": used, "max": limit}


@login_not_required
def healthz(request: HttpRequest) -> JsonResponse:
    """For the load balancer: the database answers and has connections to spare (503 when
    almost every slot is taken: new web or worker processes would fail to connect)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    body: dict[str, object] = {"status": "ok", "database": connection.vendor}
    use = _connection_use()
    if use is not None:
        body["connections"] = use
        if use["used"] >= use["max"] * settings.HEALTHZ_MAX_CONNECTION_USE:
            body["status"] = "degraded"
            return JsonResponse(body, status=503)
    return JsonResponse(body)


# What a report says, in both formats browsers send: the CSP2 `report-uri` document
# ({"csp-report": {"document-uri": …}}) and the Reporting API's list of
# {"type": "csp-violation", "body": {"documentURL": …}}.
_CSP_FIELDS = (
    ("document", ("document-uri", "documentURL")),
    ("directive", ("effective-directive", "effectiveDirective", "violated-directive")),
    ("blocked", ("blocked-uri", "blockedURL")),
    ("source", ("source-file", "sourceFile")),
    ("line", ("line-number", "lineNumber")),
    ("sample", ("script-sample", "sample")),
)


def _csp_reports(payload: object) -> list[dict[str, object]]:
    if isinstance(payload, dict) and isinstance(payload.get("csp-report"), dict):
        return [payload["csp-report"]]
    if isinstance(payload, list):
        return [
            item["body"]
            for item in payload
            if isinstance(item, dict) and isinstance(item.get("body"), dict)
        ]
    return []


@login_not_required
@csrf_exempt
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    """Browsers post Content-Security-Policy violations here (the policy's report-uri); each is
    logged at WARNING on "safehospital.csp". Anonymous and CSRF-exempt by nature (the browser
    sends it, not a form); the body is capped at CSP_REPORT_MAX_BYTES and every logged value
    is shortened and repr()-quoted, so a forged report cannot flood or forge log lines."""
    limit = settings.CSP_REPORT_MAX_BYTES
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        return HttpResponse(status=413)
    raw = request.read(limit + 1)
    if len(raw) > limit:
        return HttpResponse(status=413)
    try:
        payload = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return HttpResponse(status=400)
    reports = _csp_reports(payload)
    if not reports:
        return HttpResponse(status=400)
    for report in reports[:10]:
        values = {}
        for name, keys in _CSP_FIELDS:
            value = next((report[key] for key in keys if report.get(key) not in (None, "")), "")
            values[name] = str(value)[:300]
        csp_log.warning(
            "csp-violation directive=%r blocked=%r document=%r source=%r line=%r sample=%r",
            values["directive"],
            values["blocked"],
            values["document"],
            values["source"],
            values["line"],
            values["sample"],
        )
    return HttpResponse(status=204)
