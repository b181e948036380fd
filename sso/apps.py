from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SsoConfig(AppConfig):
    name = "sso"
    verbose_name = _("单点登录")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks; needs settings loaded)
