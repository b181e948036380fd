"""Read-only admin views for support staff. Checklists are edited in the app (which enforces
versioning) and inspections only change through their services, so nothing is editable here."""

from __future__ import annotations

from django.contrib import admin

from .models import Amendment, Assignment, ChecklistItem, ChecklistTemplate, Inspection


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(ReadOnlyAdmin):
    list_display = ("name", "code", "version", "effective_from", "region", "is_active")
    list_filter = ("code", "is_active")


@admin.register(ChecklistItem)
class ChecklistItemAdmin(ReadOnlyAdmin):
    list_display = ("code", "template", "section", "category", "default_risk_level")
    list_filter = ("template", "category")
    list_select_related = ("template", "section")


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ("hospital", "kind", "due_date", "department")
    list_filter = ("kind", "period")
    list_select_related = ("hospital", "department")
    date_hierarchy = "due_date"


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdmin):
    list_display = ("hospital", "kind", "inspected_on", "status", "failed_count", "created_by")
    list_filter = ("kind", "status")
    list_select_related = ("hospital", "created_by")
    date_hierarchy = "inspected_on"


@admin.register(Amendment)
class AmendmentAdmin(ReadOnlyAdmin):
    list_display = ("inspection", "field", "by", "at")
    list_select_related = ("inspection", "inspection__hospital", "by")
