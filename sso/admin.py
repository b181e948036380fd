from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ExternalIdentity


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(SimpleHistoryAdmin):
    list_display = ("user", "provider", "subject", "created_at", "last_login_at")
    list_filter = ("provider",)
    search_fields = ("subject", "user__username", "user__full_name")
    raw_id_fields = ("user",)
