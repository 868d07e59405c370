"""working_days_ages: working_days_since for a whole queue, on one calendar."""

from datetime import UTC, datetime

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ocradmin.models import ClosureDay
from ocradmin.workdays import working_days_ages, working_days_since

NOW = datetime(2026, 4, 10, 12, tzinfo=UTC)  # Friday after Easter 2026


def test_ages_match_working_days_since_one_by_one(db):
    moments = [
        datetime(2026, 4, 2, 9, tzinfo=UTC),  # Thursday before Good Friday
        None,
        datetime(2026, 4, 4, 9, tzinfo=UTC),  # Easter Saturday
        datetime(2026, 3, 30, 23, 30, tzinfo=UTC),  # 31 March in London (BST)
        datetime(2026, 4, 10, 8, tzinfo=UTC),
    ]
    ClosureDay.objects.create(day=datetime(2026, 4, 8).date(), reason="Staff training")
    with time_machine.travel(NOW, tick=False):
        ages = working_days_ages(moments)
        expected = [working_days_since(m) if m else None for m in moments]
    assert ages == expected
    assert ages == [3, None, 2, 5, 0]


def test_a_long_queue_costs_one_query_per_year(db):
    moments = [datetime(2026, 1, 1 + i % 28, 10, tzinfo=UTC) for i in range(300)]
    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as queries:
        working_days_ages(moments)
    assert len(queries) == 1
