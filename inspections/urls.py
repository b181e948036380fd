from django.urls import path

from . import offline, views

app_name = "inspections"
urlpatterns = [
    path("", views.inspection_list, name="list"),
    path("export/", views.inspection_export, name="export"),
    path("calendar/", views.calendar_view, name="calendar"),
    path("assignments/generate/", views.assignments_generate, name="assignments_generate"),
    path("assignments/<int:pk>/start/", views.assignment_start, name="assignment_start"),
    path("new/", views.inspection_new, name="new"),
    path("<int:pk>/", views.inspection_detail, name="detail"),
    path("<int:pk>/record/", views.inspection_record, name="record"),
    path("<int:pk>/header/", views.inspection_header, name="header"),
    path("<int:pk>/answers/<int:answer_pk>/", views.answer_save, name="answer_save"),
    path(
        "<int:pk>/answers/<int:answer_pk>/photos/",
        views.answer_photo_upload,
        name="answer_photo_upload",
    ),
    path("<int:pk>/answers/<int:answer_pk>/amend/", views.answer_amend, name="answer_amend"),
    path("<int:pk>/sections/<int:section_pk>/pass/", views.section_pass, name="section_pass"),
    path("<int:pk>/pass-remaining/", views.inspection_pass_remaining, name="pass_remaining"),
    path("<int:pk>/photos/<int:photo_pk>/delete/", views.photo_delete, name="photo_delete"),
    path("photos/<int:photo_pk>/", views.photo_view, name="photo"),
    path("<int:pk>/review/", views.inspection_review, name="review"),
    path("<int:pk>/submit/", views.inspection_submit, name="submit"),
    path("<int:pk>/delete/", views.inspection_delete, name="delete"),
    path("<int:pk>/header/amend/", views.header_amend, name="header_amend"),
    # Offline inspections (the installable app): inspections/offline.py
    path("offline/", offline.offline_app, name="offline"),
    path("offline/fallback/", offline.offline_fallback, name="offline_fallback"),
    path("offline/assignments/", offline.offline_assignments, name="offline_assignments"),
    path("offline/assignments/<int:pk>/start/", offline.offline_start, name="offline_start"),
    path(
        "offline/assignments/<int:pk>/sync/",
        offline.offline_assignment_sync,
        name="offline_assignment_sync",
    ),
    path("<int:pk>/offline/", offline.offline_data, name="offline_data"),
    path("<int:pk>/offline/sync/", offline.offline_sync, name="offline_sync"),
    path("templates/", views.template_list, name="template_list"),
    path("templates/<int:pk>/", views.template_detail, name="template_detail"),
    path("templates/<int:pk>/copy/", views.template_copy, name="template_copy"),
    path("templates/<int:pk>/toggle/", views.template_toggle, name="template_toggle"),
    path("templates/<int:pk>/edit/", views.template_edit, name="template_edit"),
    path("templates/<int:pk>/delete/", views.template_delete, name="template_delete"),
    path("templates/<int:pk>/sections/new/", views.section_edit, name="section_new"),
    path("templates/<int:pk>/sections/<int:section_pk>/", views.section_edit, name="section_edit"),
    path(
        "templates/<int:pk>/sections/<int:section_pk>/delete/",
        views.section_delete,
        name="section_delete",
    ),
    path("templates/<int:pk>/items/new/", views.item_edit, name="item_new"),
    path("templates/<int:pk>/items/<int:item_pk>/", views.item_edit, name="item_edit"),
    path("templates/<int:pk>/items/<int:item_pk>/delete/", views.item_delete, name="item_delete"),
]
