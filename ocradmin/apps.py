from django.apps import AppConfig


class OcradminConfig(AppConfig):
    name = "ocradmin"
    verbose_name = "Platform"

    def ready(self):
        # panels registers the platform's panels; sessions and twofactor their sign-in
        # signal receivers.
        from . import panels, sessions, twofactor  # noqa: F401
