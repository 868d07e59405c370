"""The audit trail: ``audit.record`` and the centre's audit page."""

import re
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ocradmin import audit
from ocradmin.models import AuditEvent

from ..factories import UserFactory


class Boom(Exception):
    pass


@pytest.mark.django_db
def test_record_writes_one_event_with_actor_centre_target_and_data(people, centre):
    actor = people["centre_admin"]
    target = people["teacher"]
    with transaction.atomic():
        event = audit.record(
            actor=actor,
            action="membership.added",
            centre=centre,
            target=target,
            data={"role": "teacher"},
        )
    assert AuditEvent.objects.count() == 1
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor == actor
    assert event.centre == centre
    assert event.action == "membership.added"
    assert event.target_type == ContentType.objects.get_for_model(target)
    assert event.target_id == str(target.pk)
    assert event.target == target
    assert event.target_repr == str(target)
    assert event.data == {"role": "teacher"}
    assert event.at is not None


@pytest.mark.django_db
def test_record_without_actor_target_or_data_is_a_system_event(centre):
    with transaction.atomic():
        audit.record(actor=None, action="entries.scan", centre=centre)
    event = AuditEvent.objects.get()
    assert event.actor is None
    assert event.target_type is None
    assert event.target_id == ""
    assert event.data == {}


@pytest.mark.django_db
def test_an_anonymous_actor_is_stored_as_the_system(centre):
    from django.contrib.auth.models import AnonymousUser

    with transaction.atomic():
        audit.record(actor=AnonymousUser(), action="verify.lookup", centre=centre)
    assert AuditEvent.objects.get().actor is None


@pytest.mark.django_db
def test_a_long_target_repr_is_cut_to_fit(centre):
    target = UserFactory(email="x" * 180 + "@example.org", full_name="y" * 100)
    with transaction.atomic():
        audit.record(actor=None, action="user.created", target=target)
    assert len(AuditEvent.objects.get().target_repr) == 200


@pytest.mark.django_db
def test_the_event_rolls_back_with_its_transaction(people, centre):
    with pytest.raises(Boom), transaction.atomic():
        audit.record(actor=people["centre_admin"], action="thing.done", centre=centre)
        assert AuditEvent.objects.count() == 1
        raise Boom
    assert AuditEvent.objects.count() == 0


def test_record_refuses_to_write_outside_a_transaction(transactional_db, centre):
    assert not connection.in_atomic_block
    with pytest.raises(audit.AuditOutsideTransaction):
        audit.record(actor=None, action="thing.done", centre=centre)
    assert AuditEvent.objects.count() == 0


# --- The audit page ------------------------------------------------------------------------


def make_events(centre, count, *, action="entry.accepted", actors=None):
    actors = actors or [UserFactory()]
    with transaction.atomic():
        for i in range(count):
            audit.record(
                actor=actors[i % len(actors)],
                action=action,
                centre=centre,
                target=centre,
                data={"n": i},
            )


def rows(response) -> int:
    return len(re.findall(r"<tr>\s*<td><time", response.content.decode()))


def audit_url(centre):
    return reverse("centres:audit", args=[centre.number])


def tbody(response) -> str:
    html = response.content.decode()
    return html[html.index("<tbody>") :]


@pytest.mark.django_db
def test_audit_page_lists_the_centres_events(login, people, centre):
    make_events(centre, 3, actors=[people["teacher"]])
    response = login(people["centre_admin"]).get(audit_url(centre))
    assert response.status_code == 200
    assert rows(response) == 3
    html = response.content.decode()
    assert "<td>Entry: accepted</td>" in html  # in words, not the code
    assert "entry.accepted" not in tbody(response)
    assert "teacher@northfield.example" in html
    assert "3 events" in html


@pytest.mark.django_db
def test_audit_page_does_not_show_another_centres_events(login, people, centre, other_centre):
    make_events(centre, 2)
    make_events(other_centre, 4, action="riverside.secret")
    response = login(people["centre_admin"]).get(audit_url(centre))
    assert rows(response) == 2
    html = response.content.decode()
    assert "riverside.secret" not in html and "Riverside: secret" not in html


def test_every_action_reads_in_words():
    assert audit.action_label("entry.withdrawn") == "Entry withdrawn"
    assert audit.action_label("grades.head_reminded") == (
        "Head of centre reminded to submit grades"
    )
    assert audit.action_label("thing.done_today") == "Thing: done today"
    assert audit.action_label("lonely") == "Lonely"


@pytest.mark.django_db
def test_audit_page_filters_by_action_and_actor(login, people, centre):
    make_events(centre, 2, action="entry.withdrawn", actors=[people["teacher"]])
    make_events(centre, 3, action="claim.submitted", actors=[people["head_of_centre"]])
    make_events(centre, 1, action="claim.started", actors=[people["teacher"]])
    client = login(people["centre_admin"])

    # The action filter is a list of the centre's actions, in words, grouped by area.
    html = client.get(audit_url(centre)).content.decode()
    assert '<select name="action"' in html
    assert '<option value="claim">Every claim action</option>' in html
    assert '<option value="claim.submitted">Claim submitted</option>' in html
    assert '<option value="entry.withdrawn">Entry withdrawn</option>' in html
    assert 'value="entry">' not in html  # one action in the area: no "every" option

    response = client.get(audit_url(centre), {"action": "claim"})
    assert rows(response) == 4
    assert "Entry withdrawn" not in tbody(response)

    response = client.get(audit_url(centre), {"action": "claim.started"})
    assert rows(response) == 1

    response = client.get(audit_url(centre), {"actor": "TEACHER@northfield"})
    assert rows(response) == 3
    assert "Claim submitted" not in tbody(response)

    response = client.get(audit_url(centre), {"action": "claim", "actor": "teacher@"})
    assert rows(response) == 1
    assert "Claim started" in tbody(response)

    # An action the centre's trail does not hold is not a choice: the form says so.
    response = client.get(audit_url(centre), {"action": "riverside.secret"})
    assert "Choose the action from the list" in response.content.decode()


@pytest.mark.django_db
def test_audit_page_paginates_fifty_a_page_and_keeps_the_filter(login, people, centre):
    make_events(centre, 60, action="entry.accepted_by_staff")
    make_events(centre, 5, action="other.thing")
    client = login(people["centre_admin"])

    first = client.get(audit_url(centre), {"action": "entry.accepted_by_staff"})
    assert rows(first) == 50
    html = first.content.decode()
    assert "Page 1 of 2" in html
    assert "?action=entry.accepted_by_staff&amp;page=2" in html

    second = client.get(audit_url(centre), {"action": "entry.accepted_by_staff", "page": 2})
    assert rows(second) == 10
    assert "Other: thing" not in tbody(second)


@pytest.mark.django_db
def test_audit_page_shows_newest_first(login, people, centre):
    with transaction.atomic():
        audit.record(actor=None, action="first.event", centre=centre)
        audit.record(actor=None, action="second.event", centre=centre)
    html = tbody(login(people["centre_admin"]).get(audit_url(centre)))
    assert html.index("Second: event") < html.index("First: event")


@pytest.mark.django_db
def test_audit_page_query_count_does_not_grow_with_rows(login, people, centre):
    client = login(people["centre_admin"])
    make_events(centre, 1)
    client.get(audit_url(centre))  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as one:
        assert rows(client.get(audit_url(centre))) == 1

    actors = [UserFactory() for _ in range(10)]
    make_events(centre, 59, actors=actors)
    with CaptureQueriesContext(connection) as many:
        assert rows(client.get(audit_url(centre))) == 50
    assert len(many) == len(one), [q["sql"] for q in many]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("person", "status"),
    [
        ("centre_admin", 200),
        ("head_of_centre", 200),
        ("staff", 200),
        ("teacher", 403),
        ("aam_user", 403),
        ("other_centre_admin", 404),
        ("outsider", 404),
    ],
)
def test_who_may_read_the_audit_trail(login, people, centre, person, status):
    assert login(people[person]).get(audit_url(centre)).status_code == status


def test_every_action_in_the_code_has_its_label():
    """A new action gets its words in ``ocradmin.audit.ACTION_LABELS``."""
    root = Path(__file__).resolve().parents[2]
    found = set()
    for app in ("ocradmin", "centres", "entries", "claims", "grades", "moderation", "results"):
        for path in (root / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            found |= set(re.findall(r'action="([a-z_]+\.[a-z_.]+)"', path.read_text()))
    assert found, "no actions found"
    missing = sorted(found - set(audit.ACTION_LABELS))
    assert not missing, f"add these to ocradmin.audit.ACTION_LABELS: {missing}"
