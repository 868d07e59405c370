from django.apps import AppConfig


class OcradminConfig(AppConfig):
    name = "ocradmin"
    verbose_name = "Platform"

    def ready(self):
        from . import panels  # noqa: F401  (registers the platform panels)
