from django.apps import AppConfig


class OcradminConfig(AppConfig):
    name = "ocradmin"
    verbose_name = "Platform"

    def ready(self):
        from . import documents, panels  # noqa: F401  (register the font check and the panels)
