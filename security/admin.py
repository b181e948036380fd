from django.contrib import admin

from .models import (
    THRESHOLD_FIELDS,
    AlarmDrill,
    AlarmPoint,
    ChecklistItem,
    EmergencyDrill,
    Entrance,
    GuardPost,
    HalfYearReport,
    ItemEvent,
    PlanVersion,
    SecurityPlan,
    SecurityProfile,
    VideoSystem,
)


class PlanVersionInline(admin.TabularInline):
    """Read-only: versions are added on the plan page (`plan_version_create`) so that a past
    period never changes under a report."""

    model = PlanVersion
    extra = 0
    can_delete = False
    fields = readonly_fields = ["effective_from", "standard", *THRESHOLD_FIELDS, "created_by"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SecurityPlan)
class SecurityPlanAdmin(admin.ModelAdmin):
    list_display = ["region", "name", "updated_at"]
    filter_horizontal = ["include_hospitals", "exclude_hospitals"]
    # The thresholds in force come from the versions; the plan's own columns only seed the
    # first version, so they are not edited here.
    readonly_fields = list(THRESHOLD_FIELDS)
    inlines = [PlanVersionInline]


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
