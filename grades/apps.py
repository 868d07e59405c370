from django.apps import AppConfig


class GradesConfig(AppConfig):
    name = "grades"
    verbose_name = "2021 teacher-assessed grades"

    def ready(self):
        # Registers the tabs, panels and staff board sections, the head-of-centre details gate
        # and the grades importer.
        from . import panels, uploads  # noqa: F401
        from .services import series  # noqa: F401
