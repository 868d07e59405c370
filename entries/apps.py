from django.apps import AppConfig


class EntriesConfig(AppConfig):
    name = "entries"
    verbose_name = "Entries"

    def ready(self):
        from centres.hooks import withdrawal_blockers

        from . import panels, uploads  # noqa: F401  (tabs, panels, board sections; the importer)
        from .services.entries import live_entries_block_approval_withdrawal

        withdrawal_blockers.register(live_entries_block_approval_withdrawal)
