"""/api/: the versioned REST API (token or session), its OpenAPI schema and the docs page.
Every view here authenticates through DRF (a bearer token or the session), so the site's
login-redirect middleware is told to leave them alone: an API client gets 401 JSON, never a
redirect to the login page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from . import views
from .docs import docs

app_name = "api"


def _open(view):
    return login_not_required(view)


def _viewset(cls, **actions):
    return _open(cls.as_view(actions))


READ = {"get": "list"}
DETAIL = {"get": "retrieve"}

urlpatterns = [
    path("schema/", _open(SpectacularAPIView.as_view(api_version="v1")), name="schema"),
    path("docs/", docs, name="docs"),
    path("v1/me/", _open(views.MeView.as_view()), name="me"),
    path("v1/regions/", _viewset(views.RegionViewSet, **READ), name="region-list"),
    path("v1/regions/<int:pk>/", _viewset(views.RegionViewSet, **DETAIL), name="region-detail"),
    path("v1/hospitals/", _viewset(views.HospitalViewSet, **READ), name="hospital-list"),
    path(
        "v1/hospitals/<int:pk>/",
        _viewset(views.HospitalViewSet, **DETAIL),
        name="hospital-detail",
    ),
    path("v1/inspections/", _viewset(views.InspectionViewSet, **READ), name="inspection-list"),
    path(
        "v1/inspections/<int:pk>/",
        _viewset(views.InspectionViewSet, **DETAIL),
        name="inspection-detail",
    ),
    path(
        "v1/hazards/",
        _viewset(views.HazardViewSet, get="list", post="create"),
        name="hazard-list",
    ),
    path(
        "v1/hazards/ledger.xlsx",
        _viewset(views.HazardViewSet, get="ledger"),
        name="hazard-ledger",
    ),
    path("v1/hazards/<int:pk>/", _viewset(views.HazardViewSet, **DETAIL), name="hazard-detail"),
    path(
        "v1/hazards/<int:pk>/evidence/<int:evidence_pk>/",
        _viewset(views.HazardViewSet, get="evidence"),
        name="hazard-evidence",
    ),
    path(
        "v1/hazards/<int:pk>/extensions/<int:extension_pk>/decide/",
        _open(views.ExtensionDecideView.as_view()),
        name="hazard-extension-decide",
    ),
    *[
        path(
            f"v1/hazards/<int:pk>/{name}/",
            _open(view.as_view()),
            name=f"hazard-action-{name.replace('_', '-')}",
        )
        for name, view in views.HAZARD_ACTION_VIEWS.items()
    ],
    path(
        "v1/security-items/",
        _viewset(views.SecurityItemViewSet, **READ),
        name="security-item-list",
    ),
    path(
        "v1/security-items/<int:pk>/",
        _viewset(views.SecurityItemViewSet, **DETAIL),
        name="security-item-detail",
    ),
    path("v1/reports/", _viewset(views.ReportExportViewSet, **READ), name="report-list"),
    path(
        "v1/reports/<int:pk>/",
        _viewset(views.ReportExportViewSet, **DETAIL),
        name="report-detail",
    ),
    path(
        "v1/reports/<int:pk>/download/",
        _viewset(views.ReportExportViewSet, get="download"),
        name="report-download",
    ),
    # Anything else under /api/: a JSON 404 in the API's shape, not the site's HTML page.
    re_path(r"^.*$", _open(views.NotFoundView.as_view()), name="not-found"),
]
