"""The examiner-moderator's review of a claim: a decision per line (confirm, or adjust with a
reason), confirming the remaining lines of a unit or candidate at once, withdrawing units or
the whole claim, and completing the review with the centre feedback report.

Every function locks the claim row first, so the moves on one claim happen one at a time; the
review (made by the first move) carries a ``version`` and each decision its own, so a page
opened before another tab's change is refused with a clear message and changes nothing.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from centres.models import Membership, Role, Unit
from centres.selectors import centre_people
from claims.models import Claim, ClaimLine, ModerationOutcome
from ocradmin import audit
from ocradmin.notifications import notify_many

from ..models import FeedbackReport, LineDecision, Review, UnitFeedback
from . import ModerationError, StaleVersion

O = LineDecision.Outcome  # noqa: E741


def _claim_label(claim) -> str:
    return f"claim {claim.number}"


def _lock_claim(claim, by, *, allow_withdrawn=False) -> Claim:
    """The claim, locked, if ``by`` may moderate it now."""
    claim = (
        Claim.objects.select_for_update(of=("self",))
        .select_related("centre", "qualification", "built_by")
        .get(pk=claim.pk)
    )
    if claim.moderator_id != by.pk:
        raise ModerationError(
            f"Only the examiner-moderator allocated to {_claim_label(claim)} can moderate it."
        )
    if by.pk in (claim.built_by_id, claim.submitted_by_id) or (
        Membership.objects.filter(user=by, centre_id=claim.centre_id).exists()
    ):
        raise ModerationError(
            f"You hold a role at centre {claim.centre.number}, so you cannot moderate its "
            "claims. Ask the awarding body to give the claim to another examiner-moderator."
        )
    S = Claim.Status
    if claim.status in (S.SUBMITTED, S.WORK_SENT):
        raise ModerationError(
            f"The work of {_claim_label(claim)} has not reached you yet; moderate it once you "
            "have the work."
        )
    if claim.status == S.MODERATED:
        raise ModerationError(
            f"{_claim_label(claim).capitalize()} has been moderated; nothing more can change."
        )
    if claim.status == S.WITHDRAWN and not allow_withdrawn:
        raise ModerationError(
            f"{_claim_label(claim).capitalize()} has been withdrawn; only its feedback report "
            "remains to be written."
        )
    if claim.status not in (S.WITH_MODERATOR, S.WITHDRAWN):
        raise ModerationError(f"{_claim_label(claim).capitalize()} is not with you.")
    return claim


def _review(claim, by, *, create=True) -> Review | None:
    review = Review.objects.filter(claim=claim).first()
    if review is None:
        if not create:
            return None
        review = Review.objects.create(claim=claim, moderator=by)
        audit.record(
            actor=by, action="moderation.review_started", centre=claim.centre, target=claim
        )
    if review.status == Review.Status.COMPLETED:
        raise ModerationError(
            f"The review of {_claim_label(claim)} is complete; nothing more can change."
        )
    return review


def _check_version(review: Review | None, version) -> None:
    current = review.version if review else 0
    if version is None or int(version) != current:
        raise StaleVersion(
            "This claim has changed since you opened the page (in another tab or window). "
            "Nothing was saved: reload the page to see the claim as it is now."
        )


def _bump(review: Review) -> None:
    Review.objects.filter(pk=review.pk).update(version=F("version") + 1)
    review.refresh_from_db(fields=["version"])


def _describe(decision: LineDecision | None) -> str:
    if decision is None:
        return "not decided"
    if decision.outcome == O.ADJUSTED:
        return f"adjusted to {decision.grade}"
    return decision.get_outcome_display().lower()


def _centre_recipients(claim) -> list:
    people = list(centre_people(claim.centre, Role.CENTRE_ADMIN))
    if claim.built_by_id and claim.built_by.is_active:
        people.append(claim.built_by)
    return people


def _centre_claim_url(claim) -> str:
    return reverse("claims:claim", args=[claim.centre.number, claim.pk])


# --- Lines -----------------------------------------------------------------------------------


def decide_line(
    *, claim, line_id: int, outcome: str, grade: str = "", reason: str = "", version, by
) -> LineDecision:
    """Confirm a line at the centre's grade, or adjust it to another grade of the unit's scale
    with a reason. ``version`` is the line's decision version the page showed (0 when it was
    undecided); any other is refused as stale."""
    grade, reason = (grade or "").strip(), (reason or "").strip()
    with transaction.atomic():
        claim = _lock_claim(claim, by)
        line = (
            ClaimLine.objects.filter(claim=claim, pk=line_id)
            .select_related("candidate", "unit")
            .first()
        )
        if line is None:
            raise ModerationError("That line is not in this claim.")
        who = f"candidate {line.candidate.candidate_number}, unit {line.unit.number}"
        if line.released_at is not None:
            raise ModerationError(f"Unit {line.unit.number} was withdrawn; {who} cannot change.")
        current = LineDecision.objects.filter(line=line).first()
        current_version = current.version if current else 0
        if version is None or str(version) != str(current_version):
            raise StaleVersion(
                f"The decision on {who} changed since you opened the page (in another tab or "
                f"window): it is now {_describe(current)}. Nothing was saved; reload the page "
                "to see it."
            )
        if outcome == O.CONFIRMED:
            grade, reason = line.grade, ""
        elif outcome == O.ADJUSTED:
            scale = line.unit.grade_scale
            if not grade:
                raise ModerationError(f"Choose the moderated grade for {who}.")
            if grade not in scale:
                raise ModerationError(
                    f"{grade} is not a grade of unit {line.unit.number}; choose one of "
                    f"{', '.join(scale)}."
                )
            if grade == line.grade:
                raise ModerationError(
                    f"{grade} is the centre's grade for {who}: confirm the line instead."
                )
            if not reason:
                raise ModerationError(
                    f"Give the reason for adjusting {who} to {grade}; the centre reads it in the "
                    "feedback report."
                )
        else:
            raise ModerationError("Confirm the line or adjust its grade.")
        review = _review(claim, by)
        now = timezone.now()
        if current is None:
            decision = LineDecision.objects.create(
                line=line,
                review=review,
                outcome=outcome,
                grade=grade,
                reason=reason,
                decided_by=by,
                decided_at=now,
            )
        else:
            decision = current
            decision.outcome, decision.grade, decision.reason = outcome, grade, reason
            decision.decided_by, decision.decided_at = by, now
            decision.version = current.version + 1
            decision.save(
                update_fields=["outcome", "grade", "reason", "decided_by", "decided_at", "version"]
            )
        _bump(review)
        audit.record(
            actor=by,
            action="moderation.line_decided",
            centre=claim.centre,
            target=claim,
            data={
                "candidate": line.candidate.candidate_number,
                "unit": line.unit.number,
                "centre_grade": line.grade,
                "outcome": outcome,
                "grade": grade,
                "reason": reason,
                "was": _describe(current),
            },
        )
    decision.line = line
    return decision


def confirm_remaining(*, claim, by, unit=None, candidate=None) -> int:
    """Confirm every undecided line of the claim (of one unit, or of one candidate) at the
    centre's grades, in one insert; how many. Decided and withdrawn lines are left alone."""
    with transaction.atomic():
        claim = _lock_claim(claim, by)
        lines = ClaimLine.objects.filter(
            claim=claim, released_at__isnull=True, decision__isnull=True
        )
        what = "this claim"
        if unit is not None:
            lines, what = lines.filter(unit=unit), f"unit {unit.number}"
        if candidate is not None:
            lines, what = (
                lines.filter(candidate=candidate),
                f"candidate {candidate.candidate_number}",
            )
        rows = list(lines.values_list("pk", "grade"))
        if not rows:
            raise ModerationError(f"Every line of {what} is already decided; nothing changed.")
        review = _review(claim, by)
        now = timezone.now()
        LineDecision.objects.bulk_create(
            [
                LineDecision(
                    line_id=pk,
                    review=review,
                    outcome=O.CONFIRMED,
                    grade=grade,
                    decided_by=by,
                    decided_at=now,
                )
                for pk, grade in rows
            ],
            batch_size=1000,
        )
        _bump(review)
        audit.record(
            actor=by,
            action="moderation.lines_confirmed",
            centre=claim.centre,
            target=claim,
            data={
                "lines": len(rows),
                "unit": unit.number if unit is not None else None,
                "candidate": candidate.candidate_number if candidate is not None else None,
            },
        )
    return len(rows)


# --- Withdrawal ------------------------------------------------------------------------------


def withdraw_units(*, claim, unit_ids, reason: str, version, by) -> list:
    """Withdraw the claim's lines of the units: they are released (the centre re-assesses and
    claims them again in a new claim), the centre admins and the claim's builder are told.
    Returns the units withdrawn."""
    reason = (reason or "").strip()
    unit_ids = {int(pk) for pk in unit_ids or []}
    with transaction.atomic():
        claim = _lock_claim(claim, by)
        review = _review(claim, by, create=False)
        _check_version(review, version)
        if not unit_ids:
            raise ModerationError("Choose the units to withdraw.")
        if not reason:
            raise ModerationError("Give the reason for withdrawing the units; the centre reads it.")
        live = ClaimLine.objects.filter(claim=claim, released_at__isnull=True)
        live_units = set(live.values_list("unit_id", flat=True))
        units = list(Unit.objects.filter(pk__in=unit_ids).order_by("number"))
        if len(units) != len(unit_ids) or not unit_ids <= set(
            ClaimLine.objects.filter(claim=claim).values_list("unit_id", flat=True)
        ):
            raise ModerationError("Choose units of this claim.")
        gone = [unit for unit in units if unit.pk not in live_units]
        if gone:
            raise ModerationError(
                f"Unit {', '.join(u.number for u in gone)} is already withdrawn; nothing changed."
            )
        if live_units <= unit_ids:
            raise ModerationError(
                "That is every unit of the claim: withdraw the whole claim instead."
            )
        review = review or _review(claim, by)
        now = timezone.now()
        lines = list(live.filter(unit_id__in=unit_ids).values_list("pk", flat=True))
        LineDecision.objects.filter(line_id__in=lines).delete()
        LineDecision.objects.bulk_create(
            [
                LineDecision(
                    line_id=pk,
                    review=review,
                    outcome=O.WITHDRAWN,
                    reason=reason,
                    decided_by=by,
                    decided_at=now,
                    version=2,
                )
                for pk in lines
            ]
        )
        ClaimLine.objects.filter(pk__in=lines).update(released_at=now)
        _bump(review)
        numbers = [unit.number for unit in units]
        audit.record(
            actor=by,
            action="moderation.units_withdrawn",
            centre=claim.centre,
            target=claim,
            data={"units": numbers, "lines": len(lines), "reason": reason},
        )
        notify_many(
            users=_centre_recipients(claim),
            notice="moderation/units_withdrawn",
            context={"claim": claim, "units": units, "lines": len(lines), "reason": reason},
            url=_centre_claim_url(claim),
        )
    return units


def withdraw_claim(*, claim, reason: str, version, by) -> Claim:
    """Withdraw the whole claim (the centre's assessment is not consistent enough): every line
    is released, the centre admins and the builder are told; the moderator then writes the
    feedback report, which is emailed to the centre admins."""
    reason = (reason or "").strip()
    with transaction.atomic():
        claim = _lock_claim(claim, by)
        review = _review(claim, by, create=False)
        _check_version(review, version)
        if not reason:
            raise ModerationError("Give the reason for withdrawing the claim; the centre reads it.")
        review = review or _review(claim, by)
        now = timezone.now()
        ClaimLine.objects.filter(claim=claim, released_at__isnull=True).update(released_at=now)
        claim.status = Claim.Status.WITHDRAWN
        claim.withdrawn_at = now
        claim.withdrawal_reason = reason
        claim.save(update_fields=["status", "withdrawn_at", "withdrawal_reason", "updated_at"])
        review.outcome = Review.Outcome.WITHDRAWN
        review.withdrawal_reason = reason
        review.withdrawn_at = now
        review.save(update_fields=["outcome", "withdrawal_reason", "withdrawn_at"])
        _bump(review)
        audit.record(
            actor=by,
            action="moderation.claim_withdrawn",
            centre=claim.centre,
            target=claim,
            data={"reason": reason},
        )
        notify_many(
            users=_centre_recipients(claim),
            notice="moderation/claim_withdrawn",
            context={"claim": claim, "reason": reason},
            url=_centre_claim_url(claim),
        )
    return claim


# --- Completion ------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitComments:
    unit_id: int
    did_well: str
    needs_attention: str
    consistent: bool | None
    action_points: str


def complete_review(
    *, claim, overall_comments: str, units: list[UnitComments], version, by
) -> FeedbackReport:
    """Every line decided: submit the centre feedback report; the claim is moderated (confirmed
    unchanged, or adjusted when any grade changed), with ``moderated_at``. The PDF is rendered
    once by a task; for a claim withdrawn whole it is then emailed to the centre admins."""
    overall_comments = (overall_comments or "").strip()
    with transaction.atomic():
        claim = _lock_claim(claim, by, allow_withdrawn=True)
        review = _review(claim, by, create=False)
        if review is None:
            raise ModerationError(
                "Decide the claim's lines first: confirm, adjust or withdraw each."
            )
        _check_version(review, version)
        withdrawn_whole = review.outcome == Review.Outcome.WITHDRAWN
        live = ClaimLine.objects.filter(claim=claim, released_at__isnull=True)
        if not withdrawn_whole:
            undecided = live.filter(decision__isnull=True).count()
            if undecided:
                raise ModerationError(
                    f"{undecided} line{'s are' if undecided != 1 else ' is'} not decided yet: "
                    "confirm, adjust or withdraw every line before completing the review."
                )
        lines_for_units = ClaimLine.objects.filter(claim=claim)
        if not withdrawn_whole:
            lines_for_units = live
        expected = list(
            Unit.objects.filter(pk__in=lines_for_units.values("unit_id")).order_by("number")
        )
        given = {comments.unit_id: comments for comments in units}
        errors = []
        if not overall_comments:
            errors.append("Write the overall comments for the centre.")
        for unit in expected:
            comments = given.get(unit.pk)
            if comments is None or not comments.did_well.strip():
                errors.append(f"Say what the centre did well in unit {unit.number}.")
            if comments is None or comments.consistent is None:
                errors.append(
                    f"Say whether the assessment decisions in unit {unit.number} were consistent."
                )
        if errors:
            raise ModerationError(" ".join(errors))
        now = timezone.now()
        if withdrawn_whole:
            outcome = Review.Outcome.WITHDRAWN
        elif live.filter(decision__outcome=O.ADJUSTED).exists():
            outcome = Review.Outcome.ADJUSTED
        else:
            outcome = Review.Outcome.CONFIRMED_UNCHANGED
        live.update(
            moderated_grade=Subquery(
                LineDecision.objects.filter(line_id=OuterRef("pk")).values("grade")[:1]
            )
        )
        fields = ["moderated_at", "updated_at"]
        claim.moderated_at = now
        if not withdrawn_whole:
            claim.status = Claim.Status.MODERATED
            claim.moderation_outcome = ModerationOutcome(outcome)
            fields += ["status", "moderation_outcome"]
        claim.save(update_fields=fields)
        review.status = Review.Status.COMPLETED
        review.completed_at = now
        review.outcome = outcome
        review.version += 1
        review.save(update_fields=["status", "completed_at", "outcome", "version"])
        report = FeedbackReport.objects.create(
            review=review, overall_comments=overall_comments, submitted_by=by, submitted_at=now
        )
        UnitFeedback.objects.bulk_create(
            [
                UnitFeedback(
                    report=report,
                    unit=unit,
                    did_well=given[unit.pk].did_well.strip(),
                    needs_attention=given[unit.pk].needs_attention.strip(),
                    consistent=bool(given[unit.pk].consistent),
                    action_points=given[unit.pk].action_points.strip(),
                )
                for unit in expected
            ]
        )
        audit.record(
            actor=by,
            action="moderation.completed",
            centre=claim.centre,
            target=claim,
            data={
                "outcome": outcome,
                "adjusted": live.filter(decision__outcome=O.ADJUSTED).count(),
                "withdrawn_lines": ClaimLine.objects.filter(
                    claim=claim, released_at__isnull=False
                ).count(),
            },
        )
        notify_many(
            users=_centre_recipients(claim),
            notice="moderation/moderated",
            context={"claim": claim, "outcome": Review.Outcome(outcome).label.lower()},
            url=reverse("moderation:centre-reports", args=[claim.centre.number]),
        )
        from ..tasks import store_report  # here: moderation.tasks imports this module

        store_report.delay_on_commit(report.pk)
    return report
