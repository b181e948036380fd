from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("session/keepalive/", views.session_keepalive, name="session_keepalive"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/active/", views.user_toggle_active, name="user_toggle_active"),
    path("users/<int:pk>/unlock/", views.user_unlock_view, name="user_unlock"),
    path("users/<int:pk>/password/", views.user_password, name="user_password"),
    path(
        "users/<int:pk>/two-factor/reset/",
        views.user_two_factor_reset_view,
        name="user_two_factor_reset",
    ),
    path("security/", views.account_security, name="security"),
    path("two-factor/", views.two_factor_verify, name="two_factor_verify"),
    path("two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
]
