from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _

from hospitals.registry import register_demo_builder
from notifications.attachments import register
from notifications.registry import register_reminders


class SecurityConfig(AppConfig):
    name = "security"
    verbose_name = _("平安医院“4+N”")

    def ready(self):
        # Inside ready(): these modules import models, which load only once the registry is ready.
        from . import demo, reminders
        from .report_pdf import ATTACHMENT_NAME, report_attachment

        register_demo_builder(self.name, demo.seed)
        register_reminders(reminders)
        # The half-year report PDF travels with the e-mail to the police contact; the delivery
        # rebuilds it from the report at every attempt.
        register(ATTACHMENT_NAME, report_attachment)

        self._watch_overview_records()

    def _watch_overview_records(self):
        """Every record the 4+N overview's figures read bumps its cache version."""
        # Inside ready(): models load only once the registry is ready.
        from hospitals.models import Hospital, Region

        from . import models
        from .selectors import bump_overview_version

        for model in (
            Hospital,
            Region,
            models.SecurityPlan,
            models.PlanVersion,
            models.ChecklistItem,
            models.ItemEvent,
            models.SecurityProfile,
            models.GuardPost,
            models.Entrance,
            models.AlarmPoint,
            models.VideoSystem,
            models.HalfYearReport,
        ):
            uid = f"security-overview-{model._meta.label}"
            post_save.connect(bump_overview_version, sender=model, dispatch_uid=uid + "-save")
            post_delete.connect(bump_overview_version, sender=model, dispatch_uid=uid + "-del")
        for through in (
            models.SecurityPlan.include_hospitals.through,
            models.SecurityPlan.exclude_hospitals.through,
        ):
            m2m_changed.connect(
                bump_overview_version, sender=through, dispatch_uid=f"security-overview-{through}"
            )
