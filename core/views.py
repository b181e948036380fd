from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse


def home(request):
    """The landing page after login. Each role's dashboard is provided by the reports app."""
    from reports.views import dashboard

    return dashboard(request)


def _connection_use() -> dict | None:
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
def healthz(request):
    """For the load balancer: the database answers and has connections to spare (503 when
    almost every slot is taken: new web or worker processes would fail to connect)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    body = {"status": "ok", "database": connection.vendor}
    use = _connection_use()
    if use is not None:
        body["connections"] = use
        if use["used"] >= use["max"] * settings.HEALTHZ_MAX_CONNECTION_USE:
            body["status"] = "degraded"
            return JsonResponse(body, status=503)
    return JsonResponse(body)
