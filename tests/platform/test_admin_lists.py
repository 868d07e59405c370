"""Django admin's lists of the national tables (ocradmin.admin_search): their queries do not
grow with their rows, staff find rows by the keys they know, and a big match is not counted
to its end."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from entries.models import Entry
from grades.models import Grade, GradeSeries
from ocradmin import admin_search
from ocradmin.models import AuditEvent

from ..entries.factories import CandidateFactory, QualificationFactory, UnitFactory
from ..factories import CentreFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

LISTS = [
    "/admin/entries/entry/",
    "/admin/entries/candidate/",
    "/admin/grades/grade/",
    "/admin/ocradmin/auditevent/",
    "/admin/centres/centre/",
    "/admin/centres/membership/",
    "/admin/ocradmin/user/",
]


def add_rows(count: int) -> list[dict]:
    """``count`` rows in each national table, each row with its own centre, qualification,
    unit, candidate and person, so that a related object read row by row would show."""
    series = GradeSeries.objects.get(code="summer-2021")
    rows = []
    for _ in range(count):
        centre = CentreFactory()
        qualification = QualificationFactory()
        candidate = CandidateFactory(centre=centre)
        person = UserFactory()
        MembershipFactory(user=person, centre=centre)
        entry = Entry.objects.create(
            centre=centre,
            qualification=qualification,
            unit=UnitFactory(qualification=qualification),
            kind=Entry.Kind.NAMED,
            candidate=candidate,
            process_by=timezone.now() + timedelta(hours=48),
        )
        grade = Grade.objects.create(
            series=series,
            centre=centre,
            qualification=qualification,
            candidate=candidate,
            grade="D",
        )
        AuditEvent.objects.create(
            actor=person, centre=centre, action="entry.created", target_repr=str(entry)
        )
        rows.append(
            {"centre": centre, "candidate": candidate, "person": person}
            | {"entry": entry, "grade": grade}
        )
    return rows


def queries(client, address: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(address).status_code == 200
    return len(captured)


def test_a_list_makes_as_many_queries_for_many_rows_as_for_few(admin_client):
    add_rows(2)
    few = {address: queries(admin_client, address) for address in LISTS}
    add_rows(6)
    assert {address: queries(admin_client, address) for address in LISTS} == few


def test_a_list_shows_twenty_five_rows_a_page_without_checkboxes(admin_client):
    centre = CentreFactory()
    CandidateFactory.create_batch(27, centre=centre)
    page = admin_client.get("/admin/entries/candidate/")
    assert len(page.context["cl"].result_list) == 25
    assert 'name="_selected_action"' not in page.content.decode()
    assert 'id="nav-sidebar"' not in page.content.decode()


def listed(client, address: str, term: str) -> set[int]:
    page = client.get(address, {"q": term})
    assert page.status_code == 200
    return {row.pk for row in page.context["cl"].result_list}


def test_staff_find_rows_by_the_keys_they_know(admin_client):
    first = add_rows(2)[0]
    entry, grade, candidate = first["entry"], first["grade"], first["candidate"]
    number, uci = first["centre"].number, candidate.uci
    entries, grades = "/admin/entries/entry/", "/admin/grades/grade/"
    assert listed(admin_client, entries, str(entry.pk)) == {entry.pk}
    assert listed(admin_client, entries, number) == {entry.pk}
    assert listed(admin_client, entries, uci.lower()) == {entry.pk}
    assert listed(admin_client, grades, str(grade.pk)) == {grade.pk}
    assert listed(admin_client, grades, number) == {grade.pk}
    assert listed(admin_client, grades, uci) == {grade.pk}
    candidates = "/admin/entries/candidate/"
    assert listed(admin_client, candidates, number) == {candidate.pk}
    assert listed(admin_client, candidates, uci) == {candidate.pk}
    assert candidate.pk in listed(admin_client, candidates, candidate.last_name[:3].lower())
    events = "/admin/ocradmin/auditevent/"
    person = first["person"]
    event = AuditEvent.objects.get(actor=person)
    assert listed(admin_client, events, number) == {event.pk}
    assert listed(admin_client, events, person.email.upper()) == {event.pk}
    assert len(listed(admin_client, events, "entry.created")) == 2
    users, memberships = "/admin/ocradmin/user/", "/admin/centres/membership/"
    assert listed(admin_client, users, person.email[:8].upper()) >= {person.pk}
    assert person.pk in listed(admin_client, users, person.full_name[:4].lower())
    membership = person.memberships.get().pk
    assert listed(admin_client, memberships, number) == {membership}
    assert listed(admin_client, memberships, person.email.upper()) == {membership}
    assert membership in listed(admin_client, memberships, person.full_name[:4].lower())
    centres = "/admin/centres/centre/"
    assert listed(admin_client, centres, number) == {first["centre"].pk}
    named = CentreFactory(name="North Leeds Academy")
    assert listed(admin_client, centres, "leeds") == {named.pk}
    assert listed(admin_client, entries, "no such thing") == set()


def test_a_big_match_is_counted_only_up_to_the_limit(admin_client, monkeypatch):
    monkeypatch.setattr(admin_search, "MAX_COUNT", 4)
    monkeypatch.setattr(admin.site._registry[AuditEvent], "list_per_page", 2)
    for _ in range(6):
        AuditEvent.objects.create(action="grade.changed", target_repr="a grade")
    with CaptureQueriesContext(connection) as captured:
        page = admin_client.get("/admin/ocradmin/auditevent/", {"q": "grade.changed"})
    counts = [q["sql"] for q in captured if "COUNT(" in q["sql"] and "auditevent" in q["sql"]]
    # Counted through the list's own order and index, five rows at most.
    assert len(counts) == 1 and "ORDER BY" in counts[0] and "LIMIT 5" in counts[0]
    html = " ".join(page.content.decode().split())
    assert "more than 4 results" in html and "more than 4 audit events" in html
    last = admin_client.get("/admin/ocradmin/auditevent/", {"q": "grade.changed", "p": "2"})
    assert len(last.context["cl"].result_list) == 2
    # No page beyond the counted rows: Django's changelist answers a page out of range so.
    beyond = admin_client.get("/admin/ocradmin/auditevent/", {"q": "grade.changed", "p": "3"})
    assert beyond.status_code == 302


def test_a_row_link_returns_to_the_search(admin_client):
    entry = add_rows(1)[0]["entry"]
    html = admin_client.get("/admin/entries/entry/", {"q": str(entry.pk)}).content.decode()
    assert f'href="/admin/entries/entry/{entry.pk}/change/?_changelist_filters=q%3D' in html


def test_the_entries_list_shows_each_rows_centre_qualification_and_unit(admin_client):
    """Read by the page's ids (``list_prefetch_related``), not joined."""
    rows = add_rows(3)
    html = admin_client.get("/admin/entries/entry/").content.decode()
    for row in rows:
        entry = Entry.objects.get(pk=row["entry"].pk)
        assert f'<td class="field-centre_number">{row["centre"].number}</td>' in html
        assert escape(str(entry)) in html
