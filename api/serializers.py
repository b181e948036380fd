"""What the API answers: read-only representations of the records the pages show. Evidence is
described (name, type, size, who, when) with a download link, never inlined."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from hazards.models import ExtensionRequest, Hazard, HazardEvent, HazardEvidence
from hazards.services import allowed_actions
from hospitals.models import Hospital, Region
from inspections.models import Answer, Inspection
from reports.models import ReportExport
from security.models import ChecklistItem as SecurityItem

from .choices import Scope


class RegionSerializer(serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Region
        fields = ["id", "name", "code", "level", "level_display", "parent"]


class HospitalSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = Hospital
        fields = [
            "id",
            "name",
            "credit_code",
            "level",
            "type",
            "ownership",
            "region",
            "region_name",
            "address",
            "beds_authorized",
            "beds_actual",
            "on_duty_staff",
            "daily_outpatients",
            "is_consortium_lead",
            "demonstration",
            "legal_representative",
            "security_head",
            "security_head_phone",
            "contact_person",
            "contact_phone",
            "is_active",
            "updated_at",
        ]


class AnswerSerializer(serializers.ModelSerializer):
    item_code = serializers.CharField(source="item.code", read_only=True)
    item_text = serializers.CharField(source="item.text", read_only=True)

    class Meta:
        model = Answer
        fields = [
            "id",
            "item",
            "item_code",
            "item_text",
            "result",
            "note",
            "hazard_location",
            "hazard_description",
            "hazard_category",
            "hazard_risk_level",
            "hazard_deadline",
            "rectification_measures",
            "fixed_on_the_spot",
            "hazard",
        ]


class InspectionSerializer(serializers.ModelSerializer):
    hospital_name = serializers.CharField(source="hospital.name", read_only=True)
    created_by_name = serializers.CharField(source="created_by.display_name", read_only=True)

    class Meta:
        model = Inspection
        fields = [
            "id",
            "hospital",
            "hospital_name",
            "kind",
            "status",
            "inspected_on",
            "location",
            "participants",
            "summary",
            "third_party_firm",
            "created_by",
            "created_by_name",
            "submitted_at",
            "failed_count",
        ]


class InspectionDetailSerializer(InspectionSerializer):
    answers = AnswerSerializer(many=True, read_only=True)

    class Meta(InspectionSerializer.Meta):
        fields = [*InspectionSerializer.Meta.fields, "answers"]


class HazardSerializer(serializers.ModelSerializer):
    hospital_name = serializers.CharField(source="hospital.name", read_only=True)
    found_by_name = serializers.CharField(source="found_by.display_name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Hazard
        fields = [
            "id",
            "code",
            "hospital",
            "hospital_name",
            "source",
            "source_label",
            "found_side",
            "category",
            "risk_level",
            "location",
            "description",
            "found_on",
            "found_by",
            "found_by_name",
            "mode",
            "deadline",
            "status",
            "status_display",
            "supervision_level",
            "suspension",
            "closed_on",
            "updated_at",
        ]


class HazardEventSerializer(serializers.ModelSerializer):
    actor_name = serializers.CharField(source="actor.display_name", read_only=True)

    class Meta:
        model = HazardEvent
        fields = ["id", "kind", "actor", "actor_name", "from_status", "to_status", "note", "at"]


class HazardEvidenceSerializer(serializers.ModelSerializer):
    uploaded_by_name = serializers.CharField(source="uploaded_by.display_name", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = HazardEvidence
        fields = [
            "id",
            "stage",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_by",
            "uploaded_by_name",
            "uploaded_at",
            "download_url",
        ]

    @extend_schema_field(OpenApiTypes.STR)
    def get_download_url(self, obj) -> str:
        return reverse("api:hazard-evidence", args=[obj.hazard_id, obj.pk])


class ExtensionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExtensionRequest
        fields = [
            "id",
            "status",
            "current_deadline",
            "requested_deadline",
            "reason",
            "created_at",
            "decided_at",
            "decision_note",
        ]


class HazardDetailSerializer(HazardSerializer):
    events = HazardEventSerializer(many=True, read_only=True)
    evidence = HazardEvidenceSerializer(many=True, read_only=True)
    extensions = ExtensionSerializer(many=True, read_only=True)
    allowed_actions = serializers.SerializerMethodField()

    class Meta(HazardSerializer.Meta):
        fields = [
            *HazardSerializer.Meta.fields,
            "responsible_department",
            "responsible_person",
            "rectification_measures",
            "funds",
            "interim_measures",
            "progress",
            "overdue_explanation",
            "present_state_and_cause",
            "danger_analysis",
            "plan_goal",
            "plan_methods",
            "plan_funds_materials",
            "plan_organisation",
            "plan_time_limit",
            "plan_safety_emergency",
            "supervision_notice_no",
            "suspension_scope",
            "suspension_notice_no",
            "submitted_at",
            "rechecked_at",
            "recheck_note",
            "closed_at",
            "closed_by",
            "created_at",
            "events",
            "evidence",
            "extensions",
            "allowed_actions",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, obj) -> list[str]:
        return sorted(allowed_actions(self.context["request"].user, obj))


class SecurityItemSerializer(serializers.ModelSerializer):
    hospital_name = serializers.CharField(source="hospital.name", read_only=True)
    number = serializers.CharField(read_only=True)
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = SecurityItem
        fields = [
            "id",
            "hospital",
            "hospital_name",
            "kind",
            "number",
            "display_name",
            "name",
            "description",
            "target_date",
            "status",
            "progress_note",
            "met_on",
            "confirmed_at",
            "review_note",
            "submitted_at",
            "updated_at",
        ]


class ReportExportSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ReportExport
        fields = [
            "id",
            "report_type",
            "region",
            "hospital",
            "period_kind",
            "period_key",
            "period_start",
            "period_end",
            "as_of",
            "status",
            "row_count",
            "filename",
            "created_at",
            "finished_at",
            "download_url",
        ]

    @extend_schema_field(OpenApiTypes.STR)
    def get_download_url(self, obj) -> str:
        return reverse("api:report-download", args=[obj.pk]) if obj.is_downloadable else ""


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    role = serializers.CharField()
    region = serializers.IntegerField(allow_null=True)
    hospital = serializers.IntegerField(allow_null=True)
    scope = serializers.ChoiceField(choices=Scope.choices, allow_null=True)
    token_expires_at = serializers.DateTimeField(allow_null=True)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    field = serializers.CharField(allow_null=True)
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )
