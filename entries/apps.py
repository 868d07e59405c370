from django.apps import AppConfig


class EntriesConfig(AppConfig):
    name = "entries"
    verbose_name = "Entries"

    def ready(self):
        # Registers the tabs, panels and staff board sections, the approval-withdrawal blocker
        # and the entries importer.
        from . import panels, uploads  # noqa: F401
        from .services import entries  # noqa: F401
