from django.urls import path

from . import views

app_name = "hazards"
urlpatterns = [
    path("<int:pk>/", views.hazard_detail, name="detail"),
    path("<int:pk>/evidence/<int:evidence_pk>/", views.evidence_download, name="evidence"),
]
