from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language

from accounts.views import OwnPasswordChangeView, ThrottledLoginView
from core import views as core_views
from inspections.offline import service_worker
from reports import views as report_views

urlpatterns = [
    # The landing page after login: each role's dashboard, provided by the reports app.
    path("", report_views.dashboard, name="home"),
    path("my-work/", report_views.my_work, name="my_work"),
    path("healthz", core_views.healthz, name="healthz"),
    # The offline app's service worker, at the root so that its scope is the whole site.
    path("sw.js", service_worker, name="service_worker"),
    path(settings.CSP_REPORT_PATH.strip("/") + "/", core_views.csp_report, name="csp_report"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("jsi18n/", login_not_required(JavaScriptCatalog.as_view()), name="javascript-catalog"),
    path("accounts/login/", ThrottledLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        OwnPasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/", include("accounts.urls")),
    path("hospitals/", include("hospitals.urls")),
    path("inspections/", include("inspections.urls")),
    path("hazards/", include("hazards.urls")),
    path("security/", include("security.urls")),
    path("training/", include("training.urls")),
    path("incidents/", include("incidents.urls")),
    path("reports/", include("reports.urls")),
    path("notifications/", include("notifications.urls")),
    path("sso/", include("sso.urls")),
    path("api/", include("api.urls")),
    path("api-tokens/", include("api.token_urls")),
    path("audit/", include("audit.urls")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = settings.SITE_NAME
admin.site.site_title = settings.SITE_NAME
