from django.urls import path

from . import views

app_name = "security"
urlpatterns = [
    path("", views.index, name="index"),
    path("overview/", views.overview, name="overview"),
    path("plans/", views.plans_page, name="plans"),
    path("plans/<int:region_pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:region_pk>/versions/", views.plan_versions, name="plan_versions"),
    path("hospitals/<int:pk>/", views.hospital_page, name="hospital"),
    path("hospitals/<int:pk>/items/new/", views.custom_item_new, name="custom_item_new"),
    path("hospitals/<int:pk>/guards/", views.guards_page, name="guards"),
    path("hospitals/<int:pk>/facilities/", views.facilities_page, name="facilities"),
    path("hospitals/<int:pk>/alarm-drills/", views.alarm_drills_page, name="alarm_drills"),
    path("hospitals/<int:pk>/drills/", views.drills_page, name="drills"),
    path("hospitals/<int:pk>/reports/", views.reports_page, name="reports"),
    path("hospitals/<int:pk>/<slug:kind>/new/", views.record_new, name="record_new"),
    path("records/<slug:kind>/<int:record_pk>/edit/", views.record_edit, name="record_edit"),
    path("records/<slug:kind>/<int:record_pk>/delete/", views.record_delete, name="record_delete"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/progress/", views.item_progress, name="item_progress"),
    path("items/<int:pk>/submit/", views.item_submit, name="item_submit"),
    path("items/<int:pk>/confirm/", views.item_confirm, name="item_confirm"),
    path("items/<int:pk>/send-back/", views.item_send_back, name="item_send_back"),
    path("items/<int:pk>/evidence/", views.item_evidence, name="item_evidence"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:pk>/delete/", views.item_delete, name="item_delete"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("evidence/<int:pk>/delete/", views.evidence_delete, name="evidence_delete"),
    path("drills/<int:pk>/", views.drill_detail, name="drill"),
    path("drills/<int:pk>/findings/", views.finding_new, name="finding_new"),
    path("findings/<int:pk>/raise/", views.finding_raise, name="finding_raise"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/submit/", views.report_submit, name="report_submit"),
    path("reports/<int:pk>/pdf/", views.report_pdf, name="report_pdf"),
    path(
        "reports/<int:pk>/resend-police/",
        views.report_police_resend,
        name="report_police_resend",
    ),
]
