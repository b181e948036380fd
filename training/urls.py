from django.urls import path

from . import views

app_name = "training"

urlpatterns = [
    path("", views.index, name="index"),
    path("sessions/", views.session_list, name="sessions"),
    path("sessions/export/", views.session_export, name="sessions_export"),
    path("sessions/new/", views.session_new, name="session_new"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("files/<int:pk>/", views.session_file, name="file"),
    path("certificates/", views.certificate_list, name="certificates"),
    path("certificates/export/", views.certificate_export, name="certificates_export"),
    path("certificates/new/", views.certificate_new, name="certificate_new"),
    path("certificates/<int:pk>/", views.certificate_detail, name="certificate"),
    path("certificates/<int:pk>/edit/", views.certificate_edit, name="certificate_edit"),
    path("figures/", views.figures, name="figures"),
    path("figures/<int:pk>/<int:year>/", views.year_edit, name="year_edit"),
    path("letters/", views.letter_list, name="letters"),
    path("letters/export/", views.letter_export, name="letters_export"),
    path("letters/new/", views.letter_new, name="letter_new"),
    path("letters/missing/", views.letters_missing, name="letters_missing"),
    path("letters/<int:pk>/", views.letter_detail, name="letter"),
    path("letters/<int:pk>/edit/", views.letter_edit, name="letter_edit"),
    path("scans/<int:pk>/", views.letter_scan, name="scan"),
]
