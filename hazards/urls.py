from django.urls import path

from . import views

app_name = "hazards"
urlpatterns = [
    path("", views.hazard_list, name="list"),
    path("todo/", views.hazard_list, {"view": "todo"}, name="todo"),
    path("overdue/", views.hazard_list, {"view": "overdue"}, name="overdue"),
    path("due/", views.hazard_list, {"view": "due"}, name="due"),
    path("ledger/<str:view>.xlsx", views.ledger_download, name="ledger"),
    path("bulk/", views.bulk_action, name="bulk"),
    path("new/", views.hazard_create, name="create"),
    path("<int:pk>/", views.hazard_detail, name="detail"),
    path("<int:pk>/edit/", views.hazard_edit, name="edit"),
    path("<int:pk>/dossier/", views.dossier, name="dossier"),
    path("<int:pk>/dossier.xlsx", views.dossier_download, name="dossier_xlsx"),
    path("<int:pk>/dossier.pdf", views.dossier_pdf_download, name="dossier_pdf"),
    path("<int:pk>/evidence/<int:evidence_pk>/", views.evidence_download, name="evidence"),
    path(
        "<int:pk>/extension/<int:extension_pk>/",
        views.extension_decide,
        name="extension_decide",
    ),
    path("<int:pk>/<slug:action>/", views.hazard_action, name="action"),
]
