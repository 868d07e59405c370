from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = "Moderation"

    def ready(self):
        from . import panels  # noqa: F401  (dashboard tasks, staff board, the claim page's panels)
