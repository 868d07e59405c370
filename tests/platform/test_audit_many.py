"""``audit.record_many``: many events of one change in a few INSERTs, each as ``record`` writes
it."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from ocradmin import audit
from ocradmin.models import AuditEvent

from ..factories import UserFactory

FIELDS = ("actor", "centre", "action", "target_type", "target_id", "target_repr", "data")


class Boom(Exception):
    pass


def fields(event):
    return tuple(getattr(event, name) for name in FIELDS)


@pytest.mark.django_db
def test_each_event_is_the_one_record_would_write(people, centre):
    targets = [people["teacher"], people["head_of_centre"], None]
    data = [{"role": "teacher"}, None, {"n": 3}]
    with transaction.atomic():
        one_by_one = [
            audit.record(
                actor=people["centre_admin"], action="thing.done", centre=centre, target=t, data=d
            )
            for t, d in zip(targets, data, strict=True)
        ]
        together = audit.record_many(
            actor=people["centre_admin"],
            action="thing.done",
            centre=centre,
            events=zip(targets, data, strict=True),
        )
    assert all(event.pk for event in together)
    stored = AuditEvent.objects.in_bulk([e.pk for e in one_by_one + together])
    assert [fields(stored[e.pk]) for e in together] == [fields(stored[e.pk]) for e in one_by_one]
    assert stored[together[0].pk].target == people["teacher"]
    assert stored[together[1].pk].data == {}
    assert stored[together[2].pk].target_type is None
    assert stored[together[2].pk].target_id == ""
    assert len({stored[e.pk].at for e in together}) == 1


@pytest.mark.django_db
def test_an_anonymous_or_missing_actor_is_the_system_and_a_long_repr_is_cut(centre):
    target = UserFactory(email="x" * 180 + "@example.org", full_name="y" * 100)
    with transaction.atomic():
        audit.record_many(actor=AnonymousUser(), action="a.b", events=[(target, {})])
        audit.record_many(actor=None, action="a.b", centre=centre, events=[(None, {})])
    events = list(AuditEvent.objects.order_by("id"))
    assert [e.actor for e in events] == [None, None]
    assert [e.centre for e in events] == [None, centre]
    assert len(events[0].target_repr) == 200


@pytest.mark.django_db
def test_nothing_to_record_writes_nothing(centre):
    with transaction.atomic():
        assert audit.record_many(actor=None, action="a.b", centre=centre, events=[]) == []
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_the_number_of_queries_does_not_grow_with_the_events(people, centre):
    def queries_for(count):
        targets = [people["teacher"]] * count
        with CaptureQueriesContext(connection) as queries, transaction.atomic():
            audit.record_many(
                actor=people["centre_admin"],
                action="thing.done",
                centre=centre,
                events=((t, {"i": i}) for i, t in enumerate(targets)),
            )
        return len(queries)

    queries_for(1)  # the content type is cached from here on
    assert queries_for(2) == queries_for(60)
    assert AuditEvent.objects.count() == 1 + 2 + 60


def test_record_many_refuses_to_run_outside_a_transaction(transactional_db, centre):
    assert not connection.in_atomic_block
    with pytest.raises(audit.AuditOutsideTransaction):
        audit.record_many(actor=None, action="a.b", centre=centre, events=[(None, {})])
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_the_events_roll_back_with_their_transaction(people, centre):
    with pytest.raises(Boom), transaction.atomic():
        audit.record_many(
            actor=people["centre_admin"],
            action="thing.done",
            centre=centre,
            events=[(people["teacher"], {}), (None, {})],
        )
        assert AuditEvent.objects.count() == 2
        raise Boom
    assert not AuditEvent.objects.exists()
