from django.urls import path

from . import views
from .choices import Provider

app_name = "sso"
urlpatterns = [
    path("oidc/authenticate/", views.oidc_authenticate, name="oidc_authenticate"),
    path("oidc/callback/", views.oidc_callback, name="oidc_callback"),
    path("cas/login/", views.cas_login, name="cas_login"),
    path(
        "wecom/login/",
        views.oauth_login,
        {"provider": Provider.WECOM},
        name="wecom_login",
    ),
    path(
        "wecom/callback/",
        views.oauth_callback,
        {"provider": Provider.WECOM},
        name="wecom_callback",
    ),
    path(
        "dingtalk/login/",
        views.oauth_login,
        {"provider": Provider.DINGTALK},
        name="dingtalk_login",
    ),
    path(
        "dingtalk/callback/",
        views.oauth_callback,
        {"provider": Provider.DINGTALK},
        name="dingtalk_callback",
    ),
    path(
        "wecom/bind/",
        views.oauth_bind,
        {"provider": Provider.WECOM},
        name="wecom_bind",
    ),
    path(
        "dingtalk/bind/",
        views.oauth_bind,
        {"provider": Provider.DINGTALK},
        name="dingtalk_bind",
    ),
    path("me/", views.my_identities, name="my_identities"),
    path("users/<int:pk>/identities/", views.identity_add, name="identity_add"),
    path("identities/<int:pk>/delete/", views.identity_remove, name="identity_remove"),
]
