"""Load the demo data: every app's ``demo.seed()``, in lifecycle (INSTALLED_APPS) order.

Idempotent: each seed function looks rows up by their natural keys and creates only what is
missing, so running the command twice changes nothing.
"""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

DEMO_PASSWORD = "ocradmin-demo"


class Command(BaseCommand):
    help = "Create the demo centres, people and data (safe to run more than once)."

    def handle(self, *args, **options):
        with transaction.atomic():
            for config in apps.get_app_configs():
                module_name = f"{config.name}.demo"
                if find_spec(module_name) is None:
                    continue
                import_module(module_name).seed(password=DEMO_PASSWORD, log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
