from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from hospitals.registry import register_demo_builder


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("治安事件与安保巡查")

    def ready(self) -> None:
        from . import demo  # models are loaded only once the registry is ready

        register_demo_builder(self.name, demo.seed)
