from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from hospitals.registry import register_demo_builder
from notifications.registry import register_reminders


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = _("安全检查")

    def ready(self) -> None:
        from . import demo, reminders  # models are loaded only once the registry is ready

        register_demo_builder(self.name, demo.seed)
        register_reminders(reminders)
