from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse


def home(request):
    """The landing page after login. Each role's dashboard is provided by the reports app."""
    from reports.views import dashboard

    return dashboard(request)


@login_not_required
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
