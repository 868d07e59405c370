from django.apps import AppConfig


class CentresConfig(AppConfig):
    name = "centres"
    verbose_name = "Centres"

    def ready(self):
        from ocradmin.hooks import two_factor_required

        from . import panels  # noqa: F401  (registers the dashboard panels)
        from .selectors import holds_approving_role

        # Heads of centre and centre admins need two-factor sign-in (when it is required).
        two_factor_required.register(holds_approving_role)
