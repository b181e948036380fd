from django.urls import path

from . import views

app_name = "hospitals"
urlpatterns = [
    path("", views.hospital_list, name="list"),
    path("export/", views.hospital_export, name="export"),
    path("search/", views.hospital_search, name="search"),
    path("new/", views.hospital_create, name="create"),
    path("<int:pk>/", views.hospital_detail, name="detail"),
    path("<int:pk>/edit/", views.hospital_edit, name="edit"),
    path("<int:pk>/contacts/", views.hospital_contacts, name="contacts"),
    path("import/", views.hospital_import, name="import"),
    path("import/template/", views.hospital_import_template, name="import_template"),
    path("import/<int:pk>/", views.hospital_import_detail, name="import_detail"),
    path("import/<int:pk>/errors/", views.hospital_import_errors, name="import_errors"),
    path("regions/", views.region_list, name="region_list"),
    path("regions/new/", views.region_create, name="region_create"),
    path("regions/<int:pk>/", views.region_edit, name="region_edit"),
    path("departments/", views.department_list, name="department_list"),
    path("departments/new/", views.department_create, name="department_create"),
    path("departments/<int:pk>/", views.department_edit, name="department_edit"),
]
