from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("账号")

    def ready(self):
        from . import sessions, throttle  # noqa: F401  (connect their signal receivers)
