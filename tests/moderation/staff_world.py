"""Claims at every stage for the staff pages' tests, made directly (the moderator's own journey
is tested with the review services): ``world(centre, people)`` gives a claimable qualification
at ``centre`` allocated to ``people["moderator"]``, and moderators around it."""

from datetime import timedelta
from itertools import count

from django.utils import timezone

from centres.models import Membership, ModeratorProfile, Role
from claims.models import Claim, ClaimLine
from entries.models import ModeratorAllocation

from ..claims.conftest import claimable, make_entry
from ..entries.factories import CandidateFactory
from ..factories import UserFactory

_numbers = count(1)


def moderator(email, qualification, *, capacity=10, name=None):
    user = UserFactory(email=email, is_examiner_moderator=True, full_name=name or email)
    profile, _ = ModeratorProfile.objects.get_or_create(user=user, defaults={"capacity": capacity})
    profile.qualifications.add(qualification)
    return user


def make_claim(
    centre,
    qualification,
    moderator,
    *,
    status=Claim.Status.WITH_MODERATOR,
    results_due_on=None,
    received_at=None,
    lines=1,
    built_by=None,
):
    """A submitted claim with ``lines`` lines, its work received ``received_at`` (when given)."""
    now = timezone.now()
    extra = {}
    if status == Claim.Status.MODERATED:
        extra = {"moderated_at": now, "moderation_outcome": "confirmed_unchanged"}
    claim = Claim.objects.create(
        centre=centre,
        qualification=qualification,
        moderator=moderator,
        status=status,
        number=f"{centre.number}-{next(_numbers):04d}",
        built_by=built_by,
        submitted_by=built_by,
        submitted_at=now - timedelta(days=2),
        work_due_at=now - timedelta(days=1),
        work_received_at=received_at or (now if results_due_on else None),
        results_due_on=results_due_on,
        **extra,
    )
    unit = qualification.units.order_by("number").first()
    for _ in range(lines):
        candidate = CandidateFactory(centre=centre)
        ClaimLine.objects.create(
            claim=claim,
            candidate=candidate,
            unit=unit,
            entry=make_entry(centre, qualification, candidate),
            grade="M",
            added_by=built_by,
        )
    return claim


def world(centre, people):
    setup = claimable(centre, people)
    qualification = setup["qualification"]
    first = people["moderator"]
    first.full_name = "Ada First"
    first.save(update_fields=["full_name"])
    ModeratorProfile.objects.create(user=first, capacity=10).qualifications.add(qualification)
    second = moderator("second@ocradmin.example", qualification, name="Bea Second")
    insider = moderator("insider@ocradmin.example", qualification, name="Cal Insider")
    Membership.objects.create(user=insider, centre=centre, role=Role.TEACHER)
    return {
        **setup,
        "allocation": ModeratorAllocation.objects.get(centre=centre, qualification=qualification),
        "first": first,
        "second": second,
        "insider": insider,
    }
