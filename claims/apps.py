from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = "Claims"

    def ready(self):
        from entries.hooks import entry_withdrawal_blockers, results_exist_checks

        from . import panels, uploads  # noqa: F401  (the tab, panels, candidate-page section; importer)
        from .selectors import candidate_in_submitted_claim
        from .services.hooks import live_claim_blocks_entry_withdrawal

        entry_withdrawal_blockers.register(live_claim_blocks_entry_withdrawal)
        results_exist_checks.register(candidate_in_submitted_claim)
