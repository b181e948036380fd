from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import BureauDepartment, Hospital, MedicalConsortium, Region


@admin.register(Region)
class RegionAdmin(SimpleHistoryAdmin):
    list_display = ("name", "code", "level", "parent", "path")
    list_filter = ("level",)
    search_fields = ("name", "code")
    readonly_fields = ("path",)


@admin.register(BureauDepartment)
class BureauDepartmentAdmin(SimpleHistoryAdmin):
    list_display = ("name", "region")
    list_filter = ("region",)
    search_fields = ("name", "region__name")
    list_select_related = ("region",)
    autocomplete_fields = ("region",)


@admin.register(MedicalConsortium)
class MedicalConsortiumAdmin(admin.ModelAdmin):
    list_display = ("name", "region")
    list_filter = ("region",)
    search_fields = ("name",)
    list_select_related = ("region",)
    autocomplete_fields = ("region",)


@admin.register(Hospital)
class HospitalAdmin(SimpleHistoryAdmin):
    list_display = ("name", "credit_code", "level", "type", "ownership", "region", "is_active")
    list_filter = ("level", "type", "ownership", "demonstration", "is_active", "region")
    search_fields = ("name", "credit_code")
    list_select_related = ("region",)
    autocomplete_fields = ("region", "consortium", "linked_department")
