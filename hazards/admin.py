"""Read-only admin: hazards change only through hazards.services (events, rules, notifications)."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ExtensionRequest, Hazard, HazardEvent, HazardEvidence


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class HazardEventInline(ReadOnlyMixin, admin.TabularInline):
    model = HazardEvent
    extra = 0
    fields = ("at", "kind", "actor", "from_status", "to_status", "note")
    readonly_fields = fields


@admin.register(Hazard)
class HazardAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ("code", "hospital", "risk_level", "category", "status", "found_on", "deadline")
    list_filter = ("status", "risk_level", "category", "source", "found_side")
    search_fields = ("code", "location", "description", "hospital__name")
    list_select_related = ("hospital",)
    inlines = [HazardEventInline]


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("hazard", "requested_deadline", "status", "requested_by", "decided_by")
    list_filter = ("status",)


@admin.register(HazardEvidence)
class HazardEvidenceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("hazard", "stage", "original_name", "content_type", "size", "uploaded_at")
    list_filter = ("stage",)
