from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.entry_list, name="list"),
    path("export/", views.entry_export, name="export"),
    path("<int:pk>/", views.entry_detail, name="detail"),
]
