"""Benchmark: the results clock at 1k, 10k and 100k claims — the staff board's one-query summary,
the hourly scan (at risk and breached, first run and a rerun with nothing to send) — against a
bare indexed COUNT of the claims with the moderator, measured in the same run.

Runs only with ``make benchmarks``. Prints seconds, queries and ratios; asserts nothing about
time (it checks each at-risk and breached claim was told once).
"""

import time
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from centres.models import Centre
from claims.models import Claim
from moderation.services.clock import (
    RESULTS_CLOCK,
    flag_results_at_risk,
    flag_results_breached,
)
from ocradmin.models import Notification, User

from ..entries.factories import QualificationFactory

NOW = datetime(2021, 6, 1, 11, 0, tzinfo=UTC)  # a Tuesday, the day after a bank holiday
TODAY = date(2021, 6, 1)
CENTRES = 200
MODERATORS = 50


def analyze():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def timed(func):
    started = time.perf_counter()
    result = func()
    return time.perf_counter() - started, result


def make_claims(size: int) -> None:
    """``size`` claims: 80% with the moderator (results due over the next six weeks, 2% past
    it), 20% moderated. About 8% of those on the clock are at risk."""
    qualification = QualificationFactory(entry_code="05999")
    centres = Centre.objects.bulk_create(
        [Centre(number=f"{70000 + i:05d}", name=f"Clock Centre {i}") for i in range(CENTRES)]
    )
    moderators = User.objects.bulk_create(
        [
            User(
                email=f"clock{i}@moderators.example",
                full_name=f"Mod {i}",
                is_examiner_moderator=True,
            )
            for i in range(MODERATORS)
        ]
    )
    rows = []
    for n in range(size):
        on_clock = n % 5 != 0
        due = TODAY + timedelta(days=(n * 7) % 45 - 1) if n % 50 != 1 else TODAY - timedelta(days=3)
        received = NOW - timedelta(days=20)
        rows.append(
            Claim(
                centre=centres[n % CENTRES],
                qualification=qualification,
                moderator=moderators[n % MODERATORS],
                status=Claim.Status.WITH_MODERATOR if on_clock else Claim.Status.MODERATED,
                number=f"C{n:07d}",
                submitted_at=received,
                work_due_at=received,
                work_received_at=received,
                results_due_on=due,
                moderated_at=None if on_clock else NOW,
                moderation_outcome="" if on_clock else "confirmed_unchanged",
            )
        )
    Claim.objects.bulk_create(rows, batch_size=5_000)
    analyze()


@pytest.mark.django_db
@pytest.mark.parametrize("size", [1_000, 10_000, 100_000])
def test_results_clock(size):
    make_claims(size)
    with time_machine.travel(NOW, tick=True):
        bare, live = timed(lambda: Claim.objects.filter(status=Claim.Status.WITH_MODERATOR).count())
        bare, live = timed(
            lambda: Claim.objects.filter(status=Claim.Status.WITH_MODERATOR).count()
        )  # warm: the second of two runs, like the others
        RESULTS_CLOCK.summary()
        board, summary = timed(RESULTS_CLOCK.summary)
        with CaptureQueriesContext(connection) as first_queries:
            scan, told = timed(lambda: (flag_results_at_risk(), flag_results_breached()))
        with CaptureQueriesContext(connection) as rerun_queries:
            rerun, again = timed(lambda: (flag_results_at_risk(), flag_results_breached()))
    assert summary.waiting == live
    assert told == (summary.amber, summary.breached) and again == (0, 0)
    assert Notification.objects.count() == summary.amber + summary.breached

    print(f"\nResults clock, {size:,} claims ({connection.vendor}): {live:,} with the moderator")
    print(f"  bare indexed COUNT of claims with the moderator  {bare:8.4f} s   ×{1:8.1f}")
    print(
        f"  staff board summary (one query)                  {board:8.4f} s   "
        f"×{board / bare:8.1f}   {summary.amber:,} at risk, {summary.breached:,} breached"
    )
    print(
        f"  scan, first run (tells {sum(told):,})                 {scan:8.4f} s   "
        f"×{scan / bare:8.1f}   {len(first_queries)} queries"
    )
    print(
        f"  scan, rerun (nothing to send)                    {rerun:8.4f} s   "
        f"×{rerun / bare:8.1f}   {len(rerun_queries)} queries"
    )
