from django.urls import path

from . import views

app_name = "incidents"

urlpatterns = [
    path("", views.incident_list, name="incident_list"),
    path("export/", views.incident_export, name="incident_export"),
    path("new/", views.incident_new, name="incident_new"),
    path("<int:pk>/", views.incident_detail, name="incident_detail"),
    path("<int:pk>/edit/", views.incident_edit, name="incident_edit"),
    path("<int:pk>/attachments/", views.incident_attach, name="incident_attach"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("patrols/", views.patrol_list, name="patrol_list"),
    path("patrols/export/", views.patrol_export, name="patrol_export"),
    path("patrols/new/", views.patrol_new, name="patrol_new"),
    path("patrols/short-days/", views.short_days, name="short_days"),
    path("patrols/targets/", views.patrol_targets, name="patrol_targets"),
    path("patrols/<int:pk>/", views.patrol_detail, name="patrol_detail"),
    path("patrols/<int:pk>/edit/", views.patrol_edit, name="patrol_edit"),
    path("patrols/<int:pk>/hazard/", views.patrol_raise, name="patrol_raise"),
]
