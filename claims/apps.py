from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = "Claims"

    def ready(self):
        from . import panels  # noqa: F401  (registers the tab, panels and the candidate-page section)
        from .services import hooks  # noqa: F401  (registers on the entries hooks)
