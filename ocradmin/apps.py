from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class OcradminConfig(AppConfig):
    name = "ocradmin"
    verbose_name = "Platform"

    def ready(self):
        # documents registers the font check, panels the platform's panels; sessions and
        # twofactor their sign-in signal receivers.
        from django.db.models.signals import post_delete, post_save

        from . import documents, panels, sessions, twofactor  # noqa: F401
        from .models import ClosureDay
        from .workdays import forget_closure_days

        for signal in (post_save, post_delete):
            signal.connect(forget_closure_days, sender=ClosureDay, dispatch_uid="closure-days")


class OcradminAdminConfig(AdminConfig):
    """django.contrib.admin with the project's site (ocradmin/sites.py) as `admin.site`."""

    default_site = "ocradmin.sites.OcradminAdminSite"
