from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from hospitals.registry import LAST, register_demo_builder


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("账号")

    def ready(self):
        # Inside ready(): models are loaded only once the app registry is ready.
        from . import demo, sessions, throttle, twofactor  # noqa: F401  (signal receivers)

        register_demo_builder(self.name, demo.seed)
        register_demo_builder("accounts.logins", demo.print_logins, stage=LAST)
