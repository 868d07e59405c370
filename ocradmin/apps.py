from django.apps import AppConfig


class OcradminConfig(AppConfig):
    name = "ocradmin"
    verbose_name = "Platform"

    def ready(self):
        # documents registers the font check, panels the platform's panels; sessions and
        # twofactor their sign-in signal receivers.
        from . import documents, panels, sessions, twofactor  # noqa: F401
