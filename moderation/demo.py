"""Demo moderation at both demo centres, through the moderator's own services (so each claim's
review, decisions, report and notices are what the moderator would have made): at each centre
claim 1 moderated and adjusted (with a report), claim 2 withdrawn whole (with a report),
claim 7 confirmed unchanged (with a report), claim 8 part-moderated; claim 3 waits for its
review. Northfield's claims are moderator@'s; Riverside's moderator2@ocradmin.example's.
Only claims without a review are touched, so it runs twice safely.
"""

from datetime import timedelta

from django.db.models import F

from claims.models import Claim, ClaimLine

from .models import FeedbackReport, Review
from .services.review import (
    UnitComments,
    complete_review,
    confirm_remaining,
    decide_line,
    withdraw_claim,
)

CENTRES = ("12345", "23456")


def seed(*, password: str, log) -> None:
    made = 0
    for number in CENTRES:
        claims = {
            claim.number.rsplit("-", 1)[1]: claim
            for claim in Claim.objects.filter(
                centre__number=number,
                status=Claim.Status.WITH_MODERATOR,
                review__isnull=True,
                number__isnull=False,
            ).select_related("moderator", "centre")
        }
        for sequence, act in (
            ("0001", _adjusted),
            ("0002", _withdrawn),
            ("0007", _confirmed),
            ("0008", _part),
        ):
            claim = claims.get(sequence)
            if claim is None or claim.moderator is None:
                continue
            act(claim, claim.moderator)
            made += 1
    log(f"moderation: {made} demo reviews (adjusted, withdrawn, confirmed, part-moderated)")


def _lines(claim):
    return list(
        ClaimLine.objects.filter(claim=claim)
        .select_related("unit", "candidate")
        .order_by("candidate__candidate_number", "unit__number")
    )


def _version(claim) -> int:
    review = Review.objects.filter(claim=claim).first()
    return review.version if review else 0


def _report(claim, by, *, consistent=True, withdrawn=False):
    lines = ClaimLine.objects.filter(claim=claim)
    if not withdrawn:
        lines = lines.filter(released_at__isnull=True)
    units = sorted({line.unit for line in lines.select_related("unit")}, key=lambda u: u.number)
    complete_review(
        claim=claim,
        overall_comments=(
            "Assessment decisions were inconsistent across the two assessors; the marking "
            "does not follow the grading criteria closely enough to be moderated."
            if withdrawn
            else "A well-organised claim. The evidence was easy to follow and most assessment "
            "decisions were accurate."
        ),
        units=[
            UnitComments(
                unit_id=unit.pk,
                did_well="Clear cover sheets and annotation linking the evidence to the criteria.",
                needs_attention=""
                if consistent
                else "Merit criteria were awarded without evidence of analysis.",
                consistent=consistent,
                action_points=""
                if consistent
                else "Standardise the assessors' decisions before the next claim.",
            )
            for unit in units
        ],
        version=_version(claim),
        by=by,
    )
    # Date the review a few days after the work arrived, as it would have been.
    at = (claim.work_received_at or claim.submitted_at) + timedelta(days=6)
    Claim.objects.filter(pk=claim.pk).update(moderated_at=at)
    Review.objects.filter(claim=claim).update(completed_at=at, started_at=at - timedelta(days=2))
    FeedbackReport.objects.filter(review__claim=claim).update(submitted_at=at)


def _adjusted(claim, by):
    lines = _lines(claim)
    first = lines[0]
    lower = first.unit.grade_scale[min(first.unit.grade_scale.index(first.grade) + 1, 3)]
    decide_line(
        claim=claim,
        line_id=first.pk,
        outcome="adjusted",
        grade=lower,
        reason="The evidence meets the pass criteria but not the merit and distinction ones.",
        version=0,
        by=by,
    )
    confirm_remaining(claim=claim, by=by)
    _report(claim, by, consistent=False)


def _withdrawn(claim, by):
    withdraw_claim(
        claim=claim,
        reason="The centre's assessment is not consistent enough to moderate: grades were "
        "given without reference to the criteria.",
        version=0,
        by=by,
    )
    Claim.objects.filter(pk=claim.pk).update(withdrawn_at=F("work_received_at") + timedelta(days=3))
    _report(claim, by, consistent=False, withdrawn=True)


def _confirmed(claim, by):
    confirm_remaining(claim=claim, by=by)
    _report(claim, by)


def _part(claim, by):
    lines = _lines(claim)
    for line in lines[:2]:
        decide_line(claim=claim, line_id=line.pk, outcome="confirmed", version=0, by=by)
