from django.apps import AppConfig


class OcradminConfig(AppConfig):
    name = "ocradmin"
    verbose_name = "Platform"

    def ready(self):
        from . import (  # noqa: F401  (their sign-in signal receivers)
            panels,
            sessions,
            twofactor,
        )
