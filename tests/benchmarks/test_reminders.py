"""Benchmark: the grade closing-reminder scan over 3,000 centres with grades waiting, against a
bare ``bulk_create`` of the 3,000 notifications it makes (the least any scan must write).

Runs only with ``make benchmarks``. Prints seconds, query counts and the ratio to the baseline;
asserts nothing about time (it does check that every centre was reminded once).
"""

import time
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from centres.models import Centre, Membership, Role
from entries.models import Candidate, Entry
from entries.validators import make_uci
from grades.services.reminders import send_closing_reminders
from ocradmin.models import Notification, SentNotice, User

from ..grades.conftest import make_tag_qualification, summer_2021

CENTRES = 3_000
CLOSES_AT = datetime(2021, 6, 18, 23, 0, tzinfo=UTC)


def centres_waiting(qualification, count):
    centres = Centre.objects.bulk_create(
        [Centre(number=f"{40000 + i:05d}", name=f"Reminder Centre {i}") for i in range(count)]
    )
    heads = User.objects.bulk_create(
        [User(email=f"head{i}@reminder.example", full_name=f"Head {i}") for i in range(count)]
    )
    Membership.objects.bulk_create(
        [
            Membership(user=head, centre=centre, role=Role.HEAD_OF_CENTRE)
            for head, centre in zip(heads, centres, strict=True)
        ]
    )
    candidates = Candidate.objects.bulk_create(
        [
            Candidate(
                centre=centre,
                candidate_number="0001",
                uci=make_uci(centre_number=centre.number, year=2021, candidate_number="1"),
                first_name="Amelia",
                last_name="Khan",
                date_of_birth=date(2004, 3, 1),
                sex="F",
            )
            for centre in centres
        ]
    )
    Entry.objects.bulk_create(
        [
            Entry(
                centre=candidate.centre,
                qualification=qualification,
                kind=Entry.Kind.NAMED,
                candidate=candidate,
                status=Entry.Status.ACCEPTED,
                process_by=datetime(2021, 3, 3, tzinfo=UTC),
            )
            for candidate in candidates
        ]
    )
    return heads


@pytest.mark.django_db
def test_reminder_scan_for_3000_centres():
    summer_2021()
    heads = centres_waiting(make_tag_qualification(), CENTRES)

    with time_machine.travel(CLOSES_AT - timedelta(days=3), tick=True):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            reminded = send_closing_reminders()
        scan = time.perf_counter() - started
        queries = len(captured)
        assert reminded == CENTRES
        assert Notification.objects.count() == CENTRES

        started = time.perf_counter()
        with CaptureQueriesContext(connection) as rerun_queries:
            assert send_closing_reminders() == 0
        rerun = time.perf_counter() - started

    Notification.objects.all().delete()
    SentNotice.objects.all().delete()
    started = time.perf_counter()
    Notification.objects.bulk_create(
        [Notification(user=head, subject="Summer 2021 grades close", body="x") for head in heads]
    )
    baseline = time.perf_counter() - started

    print(f"\nClosing reminders, {CENTRES:,} centres ({connection.vendor})")
    print(f"  bare bulk_create of {CENTRES:,} notifications  {baseline:8.4f} s   ×{1:7.1f}")
    print(
        f"  reminder scan (first run)                 {scan:8.4f} s   ×{scan / baseline:7.1f}"
        f"   {queries} queries"
    )
    print(
        f"  reminder scan (rerun, nothing to send)    {rerun:8.4f} s   ×{rerun / baseline:7.1f}"
        f"   {len(rerun_queries)} queries"
    )
