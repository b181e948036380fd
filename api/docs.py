"""/api/docs/: Swagger UI from drf-spectacular-sidecar's copy under static/ (no CDN), started by
static/js/api-docs.js (no inline script: the site's CSP allows scripts from 'self' only)."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse


def docs(request):
    return render(request, "api/docs.html", {"schema_url": reverse("api:schema")})
