from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from .registry import register_demo_builder


class HospitalsConfig(AppConfig):
    name = "hospitals"
    verbose_name = _("医疗机构")

    def ready(self) -> None:
        from . import demo  # models are loaded only once the registry is ready

        register_demo_builder(self.name, demo.seed)
