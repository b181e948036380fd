from django.contrib import admin

from .models import ReportExport


@admin.register(ReportExport)
class ReportExportAdmin(admin.ModelAdmin):
    list_display = (
        "pk",
        "report_type",
        "region",
        "hospital",
        "period_key",
        "status",
        "attempts",
        "row_count",
        "requested_by",
        "is_scheduled",
        "created_at",
        "finished_at",
    )
    list_filter = ("status", "report_type", "is_scheduled")
    search_fields = ("region__name", "hospital__name", "requested_by__username", "period_key")
    list_select_related = ("region", "hospital", "requested_by")
    readonly_fields = [field.name for field in ReportExport._meta.fields]

    def has_add_permission(self, request):
        return False  # requested from the reports page or built by the schedule
