from django.apps import AppConfig


class GradesConfig(AppConfig):
    name = "grades"
    verbose_name = "2021 teacher-assessed grades"

    def ready(self):
        from . import panels  # noqa: F401  (registers tabs, panels and staff board sections)
        from .services import (
            series,  # noqa: F401  (registers the head-of-centre details gate)
            submission,  # noqa: F401  (submitted grades fix the candidate)
        )
