from django.apps import AppConfig


class GradesConfig(AppConfig):
    name = "grades"
    verbose_name = "2021 teacher-assessed grades"

    def ready(self):
        from centres.hooks import head_details_gates

        from . import panels  # noqa: F401  (registers tabs, panels and staff board sections)
        from .services.series import head_details_gate

        head_details_gates.register(head_details_gate)
