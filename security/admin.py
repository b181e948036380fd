from django.contrib import admin

from .models import (
    AlarmDrill,
    AlarmPoint,
    ChecklistItem,
    EmergencyDrill,
    Entrance,
    GuardPost,
    HalfYearReport,
    ItemEvent,
    SecurityPlan,
    SecurityProfile,
    VideoSystem,
)


@admin.register(SecurityPlan)
class SecurityPlanAdmin(admin.ModelAdmin):
    list_display = ["region", "name", "guards_deadline", "screening_deadline", "updated_at"]
    filter_horizontal = ["include_hospitals", "exclude_hospitals"]


class ItemEventInline(admin.TabularInline):
    model = ItemEvent
    extra = 0
    readonly_fields = ["actor", "action", "from_status", "to_status", "note", "at"]
    can_delete = False


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    list_display = ["hospital", "kind", "name", "status", "met_on", "confirmed_by"]
    list_filter = ["kind", "status"]
    search_fields = ["hospital__name", "name"]
    list_select_related = ["hospital", "confirmed_by"]
    inlines = [ItemEventInline]
    readonly_fields = ["status", "met_on", "confirmed_by", "confirmed_at", "submitted_at"]


@admin.register(HalfYearReport)
class HalfYearReportAdmin(admin.ModelAdmin):
    list_display = ["hospital", "year", "half", "status", "submitted_at"]
    list_filter = ["year", "half", "status"]
    search_fields = ["hospital__name"]
    readonly_fields = ["snapshot", "addressed_to", "submitted_by", "submitted_at"]


for model in (
    SecurityProfile,
    GuardPost,
    Entrance,
    AlarmPoint,
    VideoSystem,
    AlarmDrill,
    EmergencyDrill,
):
    admin.site.register(model)
