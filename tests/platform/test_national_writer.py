"""seed_national's row writer (``Plan.add``): on PostgreSQL rows go in by COPY with ids from
the table's sequence, elsewhere by ``bulk_create``; either way every value comes back as it
was given, a field left out takes its default, and the application's own inserts afterwards
get fresh ids."""

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from entries.models import Candidate
from ocradmin.models import AuditEvent, User
from ocradmin.national import BULK_LOAD_CENTRES, Plan

pytestmark = pytest.mark.django_db

# Everything COPY's text format gives a meaning to, and more.
AWKWARD = [
    "tab\there",
    "new\nline",
    "carriage\r\nreturn",
    "back\\slash",
    "\\N",
    "\\.",
    "'single' \"double\" `back`",
    "ünïcødé — 日本語 🎓",
    "",
    " leading and trailing ",
]


def plan():
    return Plan(centres=1, batch_size=4, log=lambda line: None, rng=random.Random(1))


def test_awkward_values_come_back_as_they_were_given(centre):
    july = datetime(2021, 7, 30, 23, 59, 59, 123456, tzinfo=ZoneInfo("Europe/London"))
    events = plan().add(
        AuditEvent,
        [
            {
                "action": "test.awkward",
                "centre_id": centre.pk if n % 2 else None,
                "target_repr": text,
                "data": {"text": text, "nested": [1, 2.5, None, True], "n": n},
                "at": july + timedelta(days=n),
            }
            for n, text in enumerate(AWKWARD)
        ],
    )
    saved = {e.pk: e for e in AuditEvent.objects.filter(action="test.awkward")}
    assert len(saved) == len(AWKWARD)
    for n, (row, text) in enumerate(zip(events, AWKWARD, strict=True)):
        event = saved[row["id"]]
        assert event.target_repr == text
        assert event.data == {"text": text, "nested": [1, 2.5, None, True], "n": n}
        assert event.at == july + timedelta(days=n)
        assert event.centre_id == (centre.pk if n % 2 else None)
        assert event.actor_id is None and event.target_id == ""  # left out: the defaults

    candidate = plan().add(
        Candidate,
        [
            {
                "centre_id": centre.pk,
                "candidate_number": "0001",
                "uci": "123450211234X",
                "first_name": "Zoë\tAnn",
                "last_name": "O'Brien\\Smith",
                "date_of_birth": date(2004, 2, 29),
                "sex": "F",
            }
        ],
    )[0]
    saved = Candidate.objects.get(pk=candidate["id"])
    assert (saved.first_name, saved.last_name) == ("Zoë\tAnn", "O'Brien\\Smith")
    assert saved.date_of_birth == date(2004, 2, 29)
    assert saved.uln == ""
    # auto_now fields are the time of writing, as bulk_create sets them.
    assert abs(saved.updated_at - timezone.now()) < timedelta(minutes=1)


def test_booleans_and_nulls():
    users = plan().add(
        User,
        [
            {"email": f"u{n}@national.example", "full_name": text, "is_staff": n % 2 == 0}
            for n, text in enumerate(AWKWARD[:3])
        ],
    )
    for n, row in enumerate(users):
        user = User.objects.get(pk=row["id"])
        assert user.full_name == AWKWARD[n]
        assert user.is_staff is (n % 2 == 0) and user.is_active is True
        assert user.last_login is None


def test_the_applications_inserts_after_it_get_fresh_ids():
    rows = plan().add(
        AuditEvent, ({"action": "test.seeded", "target_repr": str(n)} for n in range(10))
    )  # three batches of at most four
    assert len({row["id"] for row in rows}) == 10
    later = AuditEvent.objects.create(action="test.later", target_repr="later")
    assert later.pk > max(row["id"] for row in rows)
    assert AuditEvent.objects.filter(action__startswith="test.").count() == 11


@pytest.mark.postgres
def test_on_postgresql_the_ids_come_from_the_sequence_and_the_rows_by_copy():
    seed = plan()
    with CaptureQueriesContext(connection) as queries, seed.transaction():
        rows = seed.add(AuditEvent, ({"action": "test.copied"} for _ in range(5)))
    # One query takes a block of ids; the two batches go in by COPY, not INSERT.
    statements = [q["sql"] for q in queries]
    assert sum("nextval(pg_get_serial_sequence" in sql for sql in statements) == 1
    assert not any("INSERT" in sql for sql in statements)
    copied = AuditEvent.objects.filter(action="test.copied")
    assert sorted(copied.values_list("pk", flat=True)) == [row["id"] for row in rows]


def definitions(table):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = %s UNION ALL "
            "SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass ORDER BY 1",
            [table, table],
        )
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.postgres
def test_a_bulk_load_puts_back_every_index_and_foreign_key(centre):
    seed = Plan(centres=BULK_LOAD_CENTRES, log=lambda line: None)
    before = definitions("ocradmin_auditevent")
    with seed.build(), seed.bulk_load(AuditEvent):
        assert len(definitions("ocradmin_auditevent")) < len(before)
        with seed.transaction():
            seed.add(AuditEvent, ({"action": "test.loaded", "centre_id": centre.pk} for _ in "abc"))
    assert definitions("ocradmin_auditevent") == before
    assert AuditEvent.objects.filter(action="test.loaded", centre=centre).count() == 3


@pytest.mark.postgres
def test_a_bulk_load_still_checks_the_references():
    seed = Plan(centres=BULK_LOAD_CENTRES, log=lambda line: None)
    before = definitions("ocradmin_auditevent")
    with (
        pytest.raises(IntegrityError),
        seed.build(),
        seed.bulk_load(AuditEvent),
        seed.transaction(),
    ):
        seed.add(AuditEvent, [{"action": "test.loaded", "centre_id": 999_999_999}])
    assert definitions("ocradmin_auditevent") == before
    assert not AuditEvent.objects.filter(action="test.loaded").exists()
