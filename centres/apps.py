from django.apps import AppConfig


class CentresConfig(AppConfig):
    name = "centres"
    verbose_name = "Centres"

    def ready(self):
        from . import panels  # noqa: F401  (registers the dashboard panels)
