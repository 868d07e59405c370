"""The entries admin's search (entries/admin.py ``EntryAdmin.get_search_results``): what the
national mixin finds — an entry number, a centre number or a UCI, OR-ed — narrowed as well to
the centres of those rows, so that PostgreSQL reads the match through the centres' index
instead of walking every entry newest first. The rows found are the same."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from entries.models import Entry

from ..factories import CentreFactory
from .factories import CandidateFactory, QualificationFactory

pytestmark = pytest.mark.django_db

ENTRIES = "/admin/entries/entry/"


def entry(centre, *, pk=None, status=Entry.Status.SUBMITTED, candidate=None):
    return Entry.objects.create(
        pk=pk,
        centre=centre,
        qualification=QualificationFactory(),
        kind=Entry.Kind.NAMED,
        candidate=candidate or CandidateFactory(centre=centre),
        status=status,
        process_by=timezone.now() + timedelta(hours=48),
    )


def listed(client, **params) -> set[int]:
    page = client.get(ENTRIES, params)
    assert page.status_code == 200
    return {row.pk for row in page.context["cl"].result_list}


def test_a_number_finds_the_centres_entries_and_the_entry_with_that_number(admin_client):
    centre, other = CentreFactory(number="61234"), CentreFactory(number="61235")
    ours = [entry(centre), entry(centre, status=Entry.Status.ACCEPTED)]
    numbered = entry(other, pk=61234)  # the entry numbered as the centre is
    entry(other)
    assert listed(admin_client, q="61234") == {*(e.pk for e in ours), numbered.pk}
    assert listed(admin_client, q="61234", status__exact="accepted") == {ours[1].pk}
    assert listed(admin_client, q=" 61235 ") == set(
        Entry.objects.filter(centre=other).values_list("pk", flat=True)
    )
    candidate = ours[0].candidate
    assert listed(admin_client, q=candidate.uci.lower()) == {ours[0].pk}
    assert listed(admin_client, q="no such thing") == set()
    assert listed(admin_client, q="99999") == set()
    assert len(listed(admin_client)) == 4


def test_the_page_and_its_count_name_the_centres_of_the_match(admin_client):
    centre = CentreFactory(number="61234")
    for _ in range(3):
        entry(centre)
    admin_client.get(ENTRIES, {"q": "61234"})
    with CaptureQueriesContext(connection) as queries:
        page = admin_client.get(ENTRIES, {"q": "61234"})
    assert len(page.context["cl"].result_list) == 3
    reads = [
        q["sql"]
        for q in queries
        if q["sql"].startswith("SELECT") and '"entries_entry"."centre_id" IN' in q["sql"]
    ]
    page_and_count = [sql for sql in reads if "DISTINCT" not in sql]
    assert len(page_and_count) == 2
    # Once in the mixin's OR (the centre's entries, or entry 61234), once narrowing it.
    narrowed = f'"entries_entry"."centre_id" IN ({centre.pk})'
    assert all(sql.count(narrowed) == 2 for sql in page_and_count)
