from django.urls import path

from . import pages

app_name = "api_tokens"
urlpatterns = [
    path("", pages.token_list, name="list"),
    path("new/", pages.token_create, name="create"),
    path("<int:pk>/revoke/", pages.token_revoke_view, name="revoke"),
    path("integrations/new/", pages.integration_create, name="integration_create"),
]
