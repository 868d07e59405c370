from django.apps import AppConfig


class GradesConfig(AppConfig):
    name = "grades"
    verbose_name = "2021 teacher-assessed grades"

    def ready(self):
        from centres.hooks import head_details_gates
        from entries.hooks import results_exist_checks

        from . import panels, uploads  # noqa: F401  (tabs, panels, board sections; the importer)
        from .services.series import head_details_gate
        from .services.submission import grades_submitted

        head_details_gates.register(head_details_gate)
        results_exist_checks.register(grades_submitted)
