from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    list_display = ("username", "full_name", "role", "region", "hospital", "is_active")
    list_filter = ("role", "is_active", "is_staff", "region")
    search_fields = ("username", "full_name", "email")  # phone: encrypted, not searchable
    list_select_related = ("region", "hospital")
    autocomplete_fields = ("hospital", "region", "department")
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (
        (
            _("平安医院"),
            {"fields": ("full_name", "role", "region", "hospital", "department")},
        ),
    )
    fieldsets = DjangoUserAdmin.fieldsets + (
        (
            _("平安医院"),
            {"fields": ("full_name", "phone", "role", "region", "hospital", "department")},
        ),
    )
