"""Two staff moving work at once, on PostgreSQL: the same claim to two moderators (one move
wins, the other is told it moved), and two claims to a moderator with one place left (one
fits, the other is refused for capacity)."""

import pytest

from claims.models import Claim
from moderation.services.staff import reallocate_claim
from ocradmin.models import AuditEvent

from .staff_world import make_claim, moderator, world
from .test_concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_one_claim_moved_by_two_staff_at_once(centre, people):
    w = world(centre, people)
    claim = make_claim(centre, w["qualification"], w["first"])
    third = moderator("third@ocradmin.example", w["qualification"], name="Dee Third")

    def move(to):
        return lambda: reallocate_claim(
            claim=claim, to=to, reason="Leave", by=people["staff"], expected_from_id=w["first"].pk
        )

    assert race(move(w["second"]), move(third)) == ["ReallocationError", "ok"]
    assert AuditEvent.objects.filter(action="claim.reallocated").count() == 1


def test_the_last_place_goes_to_one_move(centre, people, settings):
    settings.MODERATION_LIVE_CLAIMS_PER_MODERATOR = 1
    w = world(centre, people)
    claims = [make_claim(centre, w["qualification"], w["first"]) for _ in range(2)]

    def move(claim):
        return lambda: reallocate_claim(
            claim=claim, to=w["second"], reason="Leave", by=people["staff"]
        )

    assert race(move(claims[0]), move(claims[1])) == ["ReallocationError", "ok"]
    assert Claim.objects.filter(moderator=w["second"]).count() == 1
