from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:pk>/open/", views.notification_open, name="open"),
    path("<int:pk>/read/", views.notification_mark_read, name="mark_read"),
    path("read-all/", views.notification_mark_all_read, name="mark_all_read"),
    path("preferences/", views.preferences, name="preferences"),
    path("robots/", views.robot_list, name="robot_list"),
    path("robots/new/", views.robot_create, name="robot_create"),
    path("robots/<int:pk>/", views.robot_edit, name="robot_edit"),
    path("robots/<int:pk>/delete/", views.robot_delete, name="robot_delete"),
    path("robots/<int:pk>/test/", views.robot_test, name="robot_test"),
    path("deliveries/", views.delivery_list, name="delivery_list"),
    path("deliveries/<int:pk>/retry/", views.delivery_retry, name="delivery_retry"),
]
