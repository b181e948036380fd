from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.export_list, name="list"),
    path("<int:pk>/", views.export_detail, name="detail"),
    path("<int:pk>/status/", views.export_status, name="status"),
    path("<int:pk>/download/", views.export_download, name="download"),
    path("<int:pk>/retry/", views.export_retry_view, name="retry"),
    path("statutory/", views.statutory_list, name="statutory"),
    path(
        "statutory/<str:report_type>/<str:period_key>/download/",
        views.statutory_download,
        name="statutory_download",
    ),
    path(
        "statutory/<str:report_type>/<str:period_key>/<int:hospital_pk>/confirm/",
        views.statutory_confirm_view,
        name="statutory_confirm",
    ),
    path("narrative/", views.narrative_edit, name="narrative"),
]
