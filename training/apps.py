from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from hospitals.registry import register_demo_builder
from notifications.registry import register_reminders


class TrainingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "training"
    verbose_name = _("安全教育培训与安全生产责任书")

    def ready(self) -> None:
        from . import demo, reminders  # models are loaded only once the registry is ready

        register_demo_builder(self.name, demo.seed)
        register_reminders(reminders)
