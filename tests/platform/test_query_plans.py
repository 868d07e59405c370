"""The query-plan guard: on PostgreSQL, with a small national dataset (seed_national, a few
thousand rows per table, ANALYZE'd, sequential scans left enabled), no query of a list page
reads entries, candidates, grades or audit events by a sequential scan. A page that does
would read the whole national table on every view once the tables are large."""

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from claims.models import Claim
from ocradmin.models import User

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

NATIONAL_TABLES = ("entries_entry", "entries_candidate", "grades_grade", "ocradmin_auditevent")
SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")
C = "/centres/12345"


def largest_claim() -> str:
    claim = Claim.objects.filter(centre__number="12345").annotate(n=Count("lines")).latest("n")
    return f"{C}/claims/{claim.pk}/"


def largest_review() -> str:
    claim = (
        Claim.objects.filter(moderator__email=ACCOUNTS["moderator"], status="with_moderator")
        .annotate(n=Count("lines"))
        .latest("n")
    )
    return f"/moderation/claims/{claim.pk}/"


# (who, address — or a function giving it): the list pages, as the page benchmark measures them.
LIST_PAGES = [
    ("officer", "/"),
    ("teacher", "/"),
    ("head", "/"),
    ("officer", f"{C}/"),
    ("officer", f"{C}/candidates/"),
    ("officer", f"{C}/candidates/?q=smith"),
    ("officer", f"{C}/candidates/?page=2"),
    ("officer", f"{C}/entries/"),
    ("officer", f"{C}/entries/?q=smith"),
    ("officer", f"{C}/entries/?status=accepted"),
    ("officer", f"{C}/entries/?page=2"),
    ("officer", f"{C}/access-arrangements/?q=smith"),
    ("officer", f"{C}/grades/"),
    ("teacher", f"{C}/grades/H240/"),
    ("head", f"{C}/grades/review/"),
    ("officer", f"{C}/audit/"),
    ("officer", f"{C}/audit/?action=grade"),
    ("officer", f"{C}/claims/"),
    ("officer", f"{C}/claims/?status=submitted"),
    ("officer", f"{C}/claims/reports/"),
    ("officer", largest_claim),
    ("moderator", "/"),
    ("moderator", "/moderation/"),
    ("moderator", largest_review),
    ("staff", "/"),
    ("staff", "/staff/"),
    ("staff", "/staff/grades/"),
    ("staff", "/staff/entries/"),
    ("staff", "/staff/access-arrangements/"),
    ("staff", "/staff/claims/"),
    ("staff", "/staff/moderation/"),
    ("staff", "/staff/moderation/results/"),
    ("admin", "/admin/entries/entry/"),
    ("admin", "/admin/entries/entry/?q=12345"),
    ("admin", "/admin/entries/entry/?status__exact=submitted"),
    ("admin", "/admin/entries/candidate/"),
    ("admin", "/admin/entries/candidate/?q=smith"),
    ("admin", "/admin/grades/grade/"),
    ("admin", "/admin/grades/grade/?q=12345"),
    ("admin", "/admin/ocradmin/auditevent/"),
    ("admin", "/admin/ocradmin/auditevent/?q=grade.changed"),
]

ACCOUNTS = {
    "officer": "officer@northfield.example",
    "teacher": "teacher@northfield.example",
    "head": "head@northfield.example",
    "staff": "staff@ocradmin.example",
    "moderator": "moderator@ocradmin.example",
    "admin": "admin@ocradmin.example",
}


@pytest.fixture
def national():
    # 40 centres of about 100 candidates; the demo centre as large as an ordinary one.
    call_command("seed_national", centres=40, demo_centre_candidates=120, stdout=io.StringIO())
    User.objects.create_superuser(ACCOUNTS["admin"], None, full_name="Admin")


def seq_scans(sql: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return {table for table in SEQ_SCAN.findall(plan) if table in NATIONAL_TABLES}


def test_list_pages_read_no_national_table_by_sequential_scan(client, national):
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_seqscan")
        assert cursor.fetchone()[0] == "on"
    problems = []
    for who, address in LIST_PAGES:
        address = address() if callable(address) else address
        client.force_login(User.objects.get(email=ACCOUNTS[who]))
        # The staff board's progress figures are worked out at most every few minutes (a
        # whole-table read by design); the guard is about every other view.
        assert client.get(address).status_code == 200
        with CaptureQueriesContext(connection) as queries:
            assert client.get(address).status_code == 200
        for query in queries:
            sql = query["sql"]
            national = sql.startswith("SELECT") and any(t in sql for t in NATIONAL_TABLES)
            if national and (tables := seq_scans(sql)):
                problems.append(f"{address} as {who}: Seq Scan on {sorted(tables)}\n  {sql}")
    assert not problems, "\n".join(problems)
