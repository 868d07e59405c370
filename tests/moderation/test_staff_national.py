"""The moderation part of seed_national: reviews, decisions and reports for the national
centres' claims by their state; nothing twice; nothing (and a line saying so) without claims."""

import random

from claims.models import Claim, ClaimLine
from moderation import national
from moderation.models import FeedbackReport, LineDecision, Review, UnitFeedback
from ocradmin.models import AuditEvent
from ocradmin.national import Plan

from .staff_world import make_claim, world


def plan_for(centre, log):
    plan = Plan(centres=1, log=log.append, rng=random.Random(7))
    plan.centre_sizes = {centre.pk: (centre.number, 10)}
    return plan


def test_reviews_follow_each_claims_state(centre, other_centre, people):
    w = world(centre, people)
    q, first = w["qualification"], w["first"]
    moderated = make_claim(centre, q, first, status=Claim.Status.MODERATED, lines=4)
    Claim.objects.filter(pk=moderated.pk).update(moderation_outcome="adjusted")
    withdrawn = make_claim(centre, q, first, status=Claim.Status.WITHDRAWN, lines=2)
    open_claims = [make_claim(centre, q, first, lines=5) for _ in range(10)]
    make_claim(centre, q, first, status=Claim.Status.SUBMITTED)  # work not in yet: no review
    log = []

    national.seed(plan_for(centre, log))

    done = Review.objects.get(claim=moderated)
    assert done.status == "completed" and done.outcome == "adjusted"
    assert LineDecision.objects.filter(review=done).count() == 4
    assert LineDecision.objects.filter(review=done, outcome="adjusted").exists()
    assert not ClaimLine.objects.filter(claim=moderated, moderated_grade="").exists()
    assert FeedbackReport.objects.filter(review=done).exists()
    assert UnitFeedback.objects.filter(report__review=done).count() == 1
    gone = Review.objects.get(claim=withdrawn)
    assert gone.outcome == "withdrawn" and gone.withdrawal_reason
    assert FeedbackReport.objects.get(review=gone).emailed_at is not None
    opened = Review.objects.filter(claim__in=open_claims)
    assert 3 <= opened.count() <= 10 and all(r.status == "in_progress" for r in opened)
    assert AuditEvent.objects.filter(action__in=["claim.moderated", "claim.withdrawn"]).count() == 2
    assert Review.objects.count() == 2 + opened.count()

    before = (Review.objects.count(), LineDecision.objects.count())
    national.seed(plan_for(centre, log))  # a second run adds nothing to reviewed claims
    assert Review.objects.count() >= before[0]
    assert LineDecision.objects.filter(review__in=[done, gone]).count() == 4


def test_without_claims_it_does_nothing_and_says_so(centre):
    log = []
    national.seed(plan_for(centre, log))
    assert not Review.objects.exists()
    assert "nothing added" in log[0]
