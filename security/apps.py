from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "security"
    verbose_name = _("平安医院“4+N”")

    def ready(self):
        # The half-year report PDF travels with the e-mail to the police contact; the delivery
        # rebuilds it from the report at every attempt.
        from notifications.attachments import register

        from .report_pdf import ATTACHMENT_NAME, report_attachment

        register(ATTACHMENT_NAME, report_attachment)
