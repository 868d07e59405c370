"""The national dataset that ``seed_national`` builds, and what every app's part of it shares.

Each app may have a ``national.py`` with ``seed(plan)``; the command calls them in lifecycle
(INSTALLED_APPS) order after the demo data, so a later app reads the rows an earlier one made
(the candidates and entries are in the database when the grades part runs). Rows are written
with ``bulk_create`` in batches of ``plan.batch_size``, a few centres at a time, so memory stays
flat whatever the size.

The platform's own part (this module's ``seed``) adds the examiner-moderators.
"""

import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from django.contrib.auth.hashers import make_password
from django.db import connection

from .models import AuditEvent, User

# The demo centre that the page benchmark signs in to is made this large.
DEMO_CENTRE = "12345"
DEMO_CENTRE_CANDIDATES = 3_000
DEMO_GRID_CANDIDATES = 300

# National centres are numbered from here; the demo centres are 12345 and 23456.
FIRST_NUMBER = 30_000

# Candidates per centre: most between 50 and 300, a few small or large ones (mean about 130).
SIZES = [(0.06, 15, 49), (0.62, 50, 110), (0.27, 111, 300), (0.05, 301, 600)]


@dataclass
class Plan:
    centres: int
    batch_size: int = 5_000
    demo_centre_candidates: int = DEMO_CENTRE_CANDIDATES
    log: Callable[[str], None] = print
    rng: random.Random = field(default_factory=lambda: random.Random(2021))
    # Filled in as the apps run: centre id → (number, candidates wanted); centre id → the
    # qualification ids it is approved for; rows added per table.
    centre_sizes: dict = field(default_factory=dict)
    approved: dict = field(default_factory=dict)
    counts: dict = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)

    def candidates_for(self) -> int:
        share, low, high = self.rng.random(), 0, 0
        for weight, low, high in SIZES:  # noqa: B007 (the last band is the default)
            if share < weight:
                break
            share -= weight
        return self.rng.randint(low, high)

    def chunks(self, size: int = 50) -> Iterator[list[int]]:
        """The national centres' ids, a few at a time (each chunk is one transaction)."""
        ids = sorted(self.centre_sizes)
        for start in range(0, len(ids), size):
            yield ids[start : start + size]

    def add(self, model, rows: Iterable) -> list:
        """``bulk_create`` in batches; returns the saved rows (with their ids)."""
        saved = []
        rows = iter(rows)
        while batch := list(islice(rows, self.batch_size)):
            saved.extend(model.objects.bulk_create(batch, batch_size=self.batch_size))
        name = model._meta.label
        self.counts[name] = self.counts.get(name, 0) + len(saved)
        return saved

    def audit(self, events: Iterable[AuditEvent]) -> None:
        self.add(AuditEvent, events)

    def progress(self, what: str, done: int, total: int) -> None:
        if done == total or done % 500 == 0:
            self.log(
                f"  {what}: {done:,} of {total:,} centres ({time.monotonic() - self.started:.0f} s)"
            )


# One hash for every national user: they cannot sign in (an unusable password), and no
# password is hashed 5,000 times.
UNUSABLE_PASSWORD = make_password(None)


def national_user(email: str, full_name: str, **flags) -> User:
    return User(email=email, full_name=full_name, password=UNUSABLE_PASSWORD, **flags)


def refusal() -> str | None:
    """Why the database must not be seeded, or None. The rule: every user's email address
    must be in the reserved ``.example`` domain (an empty database, the demo data or an earlier
    national build); a live database always has real people in it."""
    real = User.objects.exclude(email__iendswith=".example").count()
    if real:
        return (
            f"This database has {real:,} users with real email addresses, so it is not a demo "
            "or test database. seed_national adds thousands of made-up centres; add --force to "
            "write to this database anyway."
        )
    return None


def analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


MODERATORS = 250


def seed(plan: Plan) -> None:
    """Examiner-moderators for the national centres' allocations (the entries part)."""
    start = User.objects.filter(email__startswith="moderator-", email__endswith="@national.example")
    first = start.count()
    plan.add(
        User,
        (
            national_user(
                f"moderator-{n:04d}@national.example",
                f"Moderator {n:04d}",
                is_examiner_moderator=True,
            )
            for n in range(first + 1, MODERATORS + 1)
        ),
    )
