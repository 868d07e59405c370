"""Benchmark: the entry-processing job (run with `make benchmarks`; prints, asserts nothing).

Baselines in the same run: a bare ``bulk_create`` of the same entries, and a bare guarded
``UPDATE`` of them to "accepted", which is the least any processing could cost.
"""

import time
from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from centres.models import ModeratorProfile, Qualification, QualificationApproval
from entries.models import Candidate, Entry
from entries.services import processing
from entries.validators import make_uci

from ..factories import CentreFactory, UserFactory


def keep_statistics_as_a_live_database_would():
    """Autovacuum keeps a live PostgreSQL database's statistics current; without them, just
    after a bulk load, the planner takes the table for empty and sorts the whole backlog for
    every batch. SQLite keeps none unless told to, and nothing here tells it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def timed(func):
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


CENTRES = 10
CANDIDATES_PER_CENTRE = 9_000


@pytest.fixture
def world(db):
    """Ten approved centres with 9,000 candidates each, one moderator for the qualification."""
    qualification = Qualification.objects.create(
        entry_code="05838",
        title="IT",
        qualification_type="cambridge_technical",
        level="3",
        is_remotely_moderated=True,
    )
    profile = ModeratorProfile.objects.create(
        user=UserFactory(email="bench@ocradmin.example", is_examiner_moderator=True),
        capacity=CENTRES,
    )
    profile.qualifications.add(qualification)
    centres = [CentreFactory(number=str(45600 + i)) for i in range(CENTRES)]
    QualificationApproval.objects.bulk_create(
        QualificationApproval(
            centre=centre,
            qualification=qualification,
            status="approved",
            delivered_by="IT",
            planned_start=date(2026, 9, 1),
        )
        for centre in centres
    )
    Candidate.objects.bulk_create(
        (
            Candidate(
                centre=centre,
                candidate_number=f"{n:04d}",
                uci=make_uci(centre_number=centre.number, year=2026, candidate_number=str(n)),
                first_name="Bench",
                last_name=f"Mark{n}",
                date_of_birth=date(2008, 1, 1),
                sex="F",
            )
            for centre in centres
            for n in range(1, CANDIDATES_PER_CENTRE + 1)
        ),
        batch_size=5000,
    )
    return qualification, list(Candidate.objects.select_related("centre"))


def entries_for(qualification, candidates, count, status=Entry.Status.SUBMITTED):
    """``count`` entries: one named entry per candidate while they last, then unnamed ones."""
    now = timezone.now()
    named = min(count, len(candidates))
    rows = [
        Entry(
            centre=candidate.centre,
            qualification=qualification,
            kind=Entry.Kind.NAMED,
            candidate=candidate,
            status=status,
            submitted_at=now,
            process_by=now + timedelta(hours=48),
        )
        for candidate in candidates[:named]
    ]
    centre = candidates[0].centre if candidates else CentreFactory(number="45699")
    rows += [
        Entry(
            centre=centre,
            qualification=qualification,
            kind=Entry.Kind.UNNAMED,
            quantity=3,
            status=status,
            submitted_at=now,
            process_by=now + timedelta(hours=48),
        )
        for _ in range(count - named)
    ]
    return rows


def test_processing_rate_with_100000_submitted_entries(world):
    """90,000 named entries at ten centres and 10,000 unnamed ones, all submitted."""
    qualification, candidates = world
    count = 100_000
    print()

    create = timed(
        lambda: Entry.objects.bulk_create(
            entries_for(qualification, candidates, count), batch_size=5000
        )
    )
    bare_update = timed(
        lambda: Entry.objects.filter(status=Entry.Status.SUBMITTED).update(
            status=Entry.Status.ACCEPTED, processed_at=timezone.now()
        )
    )
    Entry.objects.all().delete()
    Entry.objects.bulk_create(entries_for(qualification, candidates, count), batch_size=5000)
    keep_statistics_as_a_live_database_would()
    job = timed(processing.process_pending_entries)

    assert Entry.objects.filter(status=Entry.Status.ACCEPTED).count() == count
    print(f"bulk_create {count:,} entries:     {create:7.3f} s")
    print(f"bare UPDATE to accepted:           {bare_update:7.3f} s")
    print(
        f"process_pending_entries:           {job:7.3f} s  "
        f"({count / job:,.0f} entries/s; {job / create:.1f}× bulk_create, "
        f"{job / bare_update:.1f}× bare UPDATE)"
    )


@pytest.mark.parametrize("history", [1_000, 100_000])
def test_idle_scan_does_not_grow_with_history(world, history):
    """With nothing submitted, a scan over 1k or 100k processed entries costs the same."""
    qualification, _ = world
    rows = entries_for(qualification, [], history, status=Entry.Status.ACCEPTED)
    Entry.objects.bulk_create(rows, batch_size=5000)
    keep_statistics_as_a_live_database_would()
    runs = 50
    idle = timed(lambda: [processing.process_pending_entries() for _ in range(runs)]) / runs
    flag = timed(lambda: [processing.flag_overdue_entries() for _ in range(runs)]) / runs
    print(
        f"\nidle scan with {history:>7,} processed entries: process {idle * 1000:6.2f} ms, "
        f"flag overdue {flag * 1000:6.2f} ms"
    )
