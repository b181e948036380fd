from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Certificate, ResponsibilityLetter, TrainingSession, TrainingYear


@admin.register(TrainingSession)
class TrainingSessionAdmin(SimpleHistoryAdmin):
    list_display = ["held_on", "hospital", "kind", "title", "attendee_count"]
    list_filter = ["kind"]
    search_fields = ["title", "hospital__name"]
    raw_id_fields = ["hospital", "created_by"]


@admin.register(Certificate)
class CertificateAdmin(SimpleHistoryAdmin):
    list_display = ["holder", "hospital", "cert_type", "number", "valid_until"]
    list_filter = ["cert_type"]
    search_fields = ["holder", "number", "hospital__name"]
    raw_id_fields = ["hospital", "created_by"]


@admin.register(TrainingYear)
class TrainingYearAdmin(SimpleHistoryAdmin):
    list_display = ["hospital", "year", "new_staff", "special_posts"]
    raw_id_fields = ["hospital"]


@admin.register(ResponsibilityLetter)
class ResponsibilityLetterAdmin(SimpleHistoryAdmin):
    list_display = ["year", "hospital", "level", "party_a", "party_b", "signed_on"]
    list_filter = ["level", "year"]
    search_fields = ["party_a", "party_b", "hospital__name"]
    raw_id_fields = ["hospital", "created_by"]
