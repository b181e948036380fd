from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "core"

    def ready(self) -> None:
        # Inside ready(): registering the checks needs the settings, not the models.
        from . import checks  # noqa: F401  (system check registration)
