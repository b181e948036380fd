from django.apps import AppConfig, apps
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _

from hospitals.registry import FAN_OUT, register_demo_builder
from notifications.registry import register_reminders

# Apps whose records feed a hospital's figures: a write to any of their models that belongs to a
# hospital marks that hospital's stored figure lines dirty (`reports.snapshots`).
FIGURE_SOURCE_APPS = ("hazards", "inspections", "security")


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("报表")

    def ready(self) -> None:
        # Inside ready(): these modules import models, which load only once the registry is ready.
        from hospitals.models import Hospital, Region

        from . import demo, reminders
        from .snapshots import regions_changed_on_commit, touch_on_commit

        register_demo_builder(self.name, demo.seed, stage=FAN_OUT)
        register_reminders(reminders)

        # Local functions: connected with weak=False, or they would be garbage-collected.
        def hospital_written(sender, instance, **kwargs):
            touch_on_commit(instance.pk)
            regions_changed_on_commit()  # added, moved or removed: the scope's members change

        def record_written(sender, instance, **kwargs):
            touch_on_commit(getattr(instance, "hospital_id", None))

        def region_written(sender, instance, **kwargs):
            regions_changed_on_commit()

        for signal in (post_save, post_delete):
            signal.connect(
                region_written, sender=Region, weak=False, dispatch_uid=f"figures-region-{signal}"
            )

        for signal in (post_save, post_delete):
            signal.connect(
                hospital_written, sender=Hospital, weak=False, dispatch_uid=f"figures-h-{signal}"
            )
        for label in FIGURE_SOURCE_APPS:
            for model in apps.get_app_config(label).get_models():
                field = next((f for f in model._meta.concrete_fields if f.name == "hospital"), None)
                if field is None or field.related_model is not Hospital:
                    continue
                uid = f"figures-{model._meta.label_lower}"
                post_save.connect(record_written, sender=model, weak=False, dispatch_uid=uid)
                post_delete.connect(
                    record_written, sender=model, weak=False, dispatch_uid=f"{uid}-delete"
                )
