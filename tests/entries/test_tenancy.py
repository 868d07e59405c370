"""The allocation-scoped mixin the moderator's pages use: objects only through the signed-in
examiner-moderator's (centre, qualification) allocations; 404 for the rest, 403 for anyone who
is not a moderator, sign-in for an anonymous visitor."""

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from entries.models import AccessArrangement, Entry, ModeratorAllocation

from ..factories import UserFactory
from .allocation_urls import AllocatedEntryView
from .factories import CandidateFactory, QualificationFactory

pytestmark = pytest.mark.urls("tests.entries.allocation_urls")


@pytest.fixture
def world(people, centre, other_centre):
    """Two qualifications at two centres. ``moderator`` has (centre, it); ``second`` has
    (centre, business) and (other centre, it)."""
    it = QualificationFactory(entry_code="X9001")
    business = QualificationFactory(entry_code="X9002")
    moderator = people["moderator"]
    second = UserFactory(email="moderator2@ocradmin.example", is_examiner_moderator=True)
    ModeratorAllocation.objects.create(centre=centre, qualification=it, moderator=moderator)
    ModeratorAllocation.objects.create(centre=centre, qualification=business, moderator=second)
    ModeratorAllocation.objects.create(centre=other_centre, qualification=it, moderator=second)
    entries = {
        name: Entry.objects.create(
            centre=at,
            qualification=qualification,
            kind=Entry.Kind.NAMED,
            candidate=CandidateFactory(centre=at),
            process_by=datetime(2026, 3, 3, tzinfo=UTC),
        )
        for name, at, qualification in [
            ("it_here", centre, it),
            ("business_here", centre, business),
            ("it_there", other_centre, it),
        ]
    }
    return {"moderator": moderator, "second": second, "entries": entries, "it": it}


def entry_url(entry_or_pk):
    return f"/test-moderation/entries/{getattr(entry_or_pk, 'pk', entry_or_pk)}/"


@pytest.mark.parametrize(
    ("who", "allocated"),
    [("moderator", {"it_here"}), ("second", {"business_here", "it_there"})],
)
def test_a_moderator_opens_only_what_is_allocated_to_them(client, world, who, allocated):
    client.force_login(world[who])
    for name, entry in world["entries"].items():
        response = client.get(entry_url(entry))
        assert response.status_code == (200 if name in allocated else 404), name


def test_the_queryset_is_narrowed_in_one_query(world, rf, django_assert_num_queries):
    view = AllocatedEntryView()
    view.request = rf.get("/")
    view.request.user = world["second"]
    with django_assert_num_queries(1):
        pks = set(view.get_allocated_queryset().values_list("pk", flat=True))
    entries = world["entries"]
    assert pks == {entries["business_here"].pk, entries["it_there"].pk}


def test_a_missing_object_is_404(client, world):
    client.force_login(world["moderator"])
    assert client.get(entry_url(999_999)).status_code == 404


def test_the_centre_can_be_reached_through_another_row(client, world, centre, other_centre):
    made = {
        at.number: AccessArrangement.objects.create(
            centre=at,
            candidate=CandidateFactory(centre=at),
            qualification=world["it"],
            kind=AccessArrangement.Kind.READER,
            evidence="Assessed need.",
            first_assessment_on=date(2026, 5, 1),
            status=AccessArrangement.Status.APPROVED,
        )
        for at in (centre, other_centre)
    }
    client.force_login(world["moderator"])
    assert client.get(f"/test-moderation/arrangements/{made['12345'].pk}/").status_code == 200
    assert client.get(f"/test-moderation/arrangements/{made['23456'].pk}/").status_code == 404


@pytest.mark.parametrize("person", ["centre_admin", "head_of_centre", "staff", "outsider"])
def test_anyone_but_an_examiner_moderator_gets_403(client, world, people, person):
    client.force_login(people[person])
    assert client.get(entry_url(world["entries"]["it_here"])).status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(client, world):
    response = client.get(entry_url(world["entries"]["it_here"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_view_that_names_no_objects_fails_loudly(client, world):
    client.force_login(world["moderator"])
    with pytest.raises(ImproperlyConfigured, match="ForgottenView names no allocation_queryset"):
        client.get(f"/test-moderation/forgotten/{world['entries']['it_here'].pk}/")
