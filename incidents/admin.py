from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Incident, Patrol, PatrolTarget


@admin.register(Incident)
class IncidentAdmin(SimpleHistoryAdmin):
    list_display = ["occurred_at", "hospital", "kind", "police_involved"]
    list_filter = ["kind", "police_involved"]
    raw_id_fields = ["hospital", "created_by"]


@admin.register(Patrol)
class PatrolAdmin(SimpleHistoryAdmin):
    list_display = ["patrolled_on", "started_at", "hospital", "patroller"]
    raw_id_fields = ["hospital", "created_by", "hazards"]


@admin.register(PatrolTarget)
class PatrolTargetAdmin(SimpleHistoryAdmin):
    list_display = ["hospital", "starts_on", "ends_on", "daily_target"]
    raw_id_fields = ["hospital", "created_by"]
