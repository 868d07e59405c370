from django.apps import AppConfig


class EntriesConfig(AppConfig):
    name = "entries"
    verbose_name = "Entries"

    def ready(self):
        from centres.hooks import withdrawal_blockers

        from . import panels  # noqa: F401  (registers tabs, panels and staff board sections)
        from .services.entries import live_entries_block_approval_withdrawal

        withdrawal_blockers.register(live_entries_block_approval_withdrawal)
