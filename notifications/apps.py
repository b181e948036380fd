from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from hospitals.registry import FAN_OUT, register_demo_builder


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("消息通知")

    def ready(self) -> None:
        from . import demo  # models are loaded only once the registry is ready

        register_demo_builder(self.name, demo.seed, stage=FAN_OUT)
