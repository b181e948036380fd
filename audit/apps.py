from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("审计日志")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Inside ready(): the receivers and checks need the app registry.
        from . import checks, signals  # noqa: F401  (signal receivers, system checks)
