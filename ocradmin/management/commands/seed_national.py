"""Build a national-size dataset for measuring pages: ``seed_national --centres 5000``."""

import time
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from ocradmin.models import AuditEvent
from ocradmin.national import DEMO_CENTRE_CANDIDATES, Plan, analyze, refusal


class Command(BaseCommand):
    help = (
        "Add a national-size dataset to the configured database for measuring pages: the demo "
        "data, then N made-up centres (most with 50-300 candidates, about 130 on average) with "
        "their people, qualification approvals, candidates, entries, allocated moderators, claims "
        "in every state with their lines and work, 2021 grades in every state (about 40%% of "
        "centres submitted) and audit events, then VACUUM and ANALYZE. "
        "The demo centre 12345 is made large (3,000 candidates; one qualification's grid has "
        "300). At --centres 1000: 136,000 candidates, 296,000 entries, 190,000 grades, 478,000 "
        "audit events; at 5000 about five times as many (0.65 M candidates, 1.45 M entries). "
        "Refuses a database with any user outside the reserved .example domain (a live "
        "database) unless --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--centres", type=int, default=5000, help="how many centres to add")
        parser.add_argument(
            "--batch-size", type=int, default=5000, help="rows per COPY (INSERT on SQLite)"
        )
        parser.add_argument(
            "--demo-centre-candidates",
            type=int,
            default=DEMO_CENTRE_CANDIDATES,
            help="how many candidates the demo centre 12345 is given",
        )
        parser.add_argument(
            "--force", action="store_true", help="write even to a database with real users"
        )

    def handle(self, *args, centres, batch_size, demo_centre_candidates, force, **options):
        if centres < 1:
            raise CommandError("--centres must be at least 1.")
        if not force and (reason := refusal()):
            raise CommandError(reason)
        started = time.monotonic()
        call_command("seed_demo", stdout=self.stdout)
        plan = Plan(
            centres=centres,
            batch_size=batch_size,
            demo_centre_candidates=demo_centre_candidates,
            log=self.stdout.write,
        )
        # Every part adds audit events; none reads them.
        with plan.build(), plan.bulk_load(AuditEvent):
            for config in apps.get_app_configs():
                module_name = f"{config.name}.national"
                if find_spec(module_name) is None:
                    continue
                part = time.monotonic()
                import_module(module_name).seed(plan)
                self.stdout.write(f"{config.label}: done in {time.monotonic() - part:.0f} s")
        part = time.monotonic()
        analyze()
        self.stdout.write(f"VACUUM and ANALYZE in {time.monotonic() - part:.0f} s")
        for name, count in plan.counts.items():
            self.stdout.write(f"  {name:<28} {count:>10,} rows added")
        self.stdout.write(
            self.style.SUCCESS(
                f"National data ready: {centres:,} centres in {time.monotonic() - started:.0f} s."
            )
        )
