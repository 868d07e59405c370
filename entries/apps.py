from django.apps import AppConfig


class EntriesConfig(AppConfig):
    name = "entries"
    verbose_name = "Entries"

    def ready(self):
        from . import panels  # noqa: F401  (registers tabs, panels and staff board sections)
        from .services import entries  # noqa: F401  (registers the approval-withdrawal blocker)
