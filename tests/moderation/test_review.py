"""The moderator's review at service level: every transition and every refusal (a clear
message, nothing changed)."""

import pytest
from django.core import mail

from claims.models import Claim, ClaimLine
from claims.selectors import taken_elsewhere
from claims.services.claims import add_line, start_claim
from moderation.models import FeedbackReport, LineDecision, Review
from moderation.services import ModerationError, StaleVersion
from moderation.services.review import (
    UnitComments,
    complete_review,
    confirm_remaining,
    decide_line,
    withdraw_claim,
    withdraw_units,
)
from ocradmin.models import AuditEvent, Notification

from .conftest import line


def decide(claim, ln, by, outcome="confirmed", grade="", reason="", version=0):
    return decide_line(
        claim=claim,
        line_id=ln.pk,
        outcome=outcome,
        grade=grade,
        reason=reason,
        version=version,
        by=by,
    )


def comments(claim, *, consistent=True):
    units = ClaimLine.objects.filter(claim=claim).values_list("unit_id", flat=True).distinct()
    return [
        UnitComments(
            unit_id=unit_id,
            did_well="Clear annotation of the evidence.",
            needs_attention="Internal standardisation.",
            consistent=consistent,
            action_points="Standardise before the next claim.",
        )
        for unit_id in units
    ]


def version_of(claim):
    return Review.objects.get(claim=claim).version


def test_confirming_a_line_starts_the_review(with_moderator, setup, moderator):
    ln = line(with_moderator, setup["full"], "1")
    decision = decide(with_moderator, ln, moderator)
    assert decision.outcome == "confirmed" and decision.grade == "D" and decision.version == 1
    review = Review.objects.get(claim=with_moderator)
    assert review.status == "in_progress" and review.moderator == moderator
    assert AuditEvent.objects.filter(action="moderation.line_decided").count() == 1


def test_adjusting_a_line_needs_a_grade_of_the_scale_and_a_reason(with_moderator, setup, moderator):
    ln = line(with_moderator, setup["full"], "2")
    with pytest.raises(
        ModerationError, match="X is not a grade of unit 2; choose one of D, M, P, U"
    ):
        decide(with_moderator, ln, moderator, "adjusted", "X", "Too generous")
    with pytest.raises(ModerationError, match="Give the reason for adjusting"):
        decide(with_moderator, ln, moderator, "adjusted", "P", "   ")
    with pytest.raises(ModerationError, match="is the centre's grade"):
        decide(with_moderator, ln, moderator, "adjusted", "M", "Same")
    with pytest.raises(ModerationError, match="Choose the moderated grade"):
        decide(with_moderator, ln, moderator, "adjusted", "", "Why")
    assert not LineDecision.objects.exists()
    assert not Review.objects.exists()
    decision = decide(with_moderator, ln, moderator, "adjusted", "P", "Criteria P4 only met")
    assert (decision.outcome, decision.grade, decision.reason) == (
        "adjusted",
        "P",
        "Criteria P4 only met",
    )


def test_a_decision_can_be_changed_with_the_current_version(with_moderator, setup, moderator):
    ln = line(with_moderator, setup["full"], "2")
    decide(with_moderator, ln, moderator)
    changed = decide(with_moderator, ln, moderator, "adjusted", "P", "Second look", version=1)
    assert changed.version == 2 and changed.grade == "P"


def test_a_stale_version_changes_nothing(with_moderator, setup, moderator):
    ln = line(with_moderator, setup["full"], "2")
    decide(with_moderator, ln, moderator, "adjusted", "P", "First tab")
    # The second tab still shows the line undecided (version 0).
    with pytest.raises(StaleVersion, match=r"it is now adjusted to P\. Nothing was saved"):
        decide(with_moderator, ln, moderator, "confirmed", version=0)
    decision = LineDecision.objects.get()
    assert (decision.outcome, decision.grade, decision.version) == ("adjusted", "P", 1)


def test_acting_twice_is_refused(with_moderator, setup, moderator):
    ln = line(with_moderator, setup["full"], "1")
    decide(with_moderator, ln, moderator)
    with pytest.raises(StaleVersion):
        decide(with_moderator, ln, moderator)  # the same form posted again
    assert LineDecision.objects.get().version == 1


def test_a_claim_not_allocated_to_the_user_is_refused(with_moderator, setup, other_moderator):
    ln = line(with_moderator, setup["full"], "1")
    with pytest.raises(ModerationError, match="Only the examiner-moderator allocated"):
        decide(with_moderator, ln, other_moderator)
    with pytest.raises(ModerationError, match="Only the examiner-moderator allocated"):
        confirm_remaining(claim=with_moderator, by=other_moderator)
    with pytest.raises(ModerationError, match="Only the examiner-moderator allocated"):
        withdraw_claim(claim=with_moderator, reason="No", version=0, by=other_moderator)
    assert not Review.objects.exists()


def test_a_moderator_with_a_role_at_the_centre_cannot_moderate_it(
    with_moderator, setup, moderator, centre
):
    from centres.models import Membership, Role

    Membership.objects.create(user=moderator, centre=centre, role=Role.TEACHER)
    with pytest.raises(ModerationError, match="You hold a role at centre 12345"):
        decide(with_moderator, line(with_moderator, setup["full"], "1"), moderator)


def test_nothing_is_moderated_before_the_work_arrives(submitted, setup, moderator):
    with pytest.raises(ModerationError, match="has not reached you yet"):
        decide(submitted, line(submitted, setup["full"], "1"), moderator)


def test_a_line_of_another_claim_is_refused(with_moderator, moderator):
    with pytest.raises(ModerationError, match="not in this claim"):
        decide_line(
            claim=with_moderator,
            line_id=999999,
            outcome="confirmed",
            version=0,
            by=moderator,
        )


def test_confirm_the_remaining_lines_of_a_unit_or_candidate(with_moderator, setup, moderator):
    decide(
        with_moderator, line(with_moderator, setup["full"], "3"), moderator, "adjusted", "P", "Thin"
    )
    assert confirm_remaining(claim=with_moderator, unit=setup["units"]["3"], by=moderator) == 1
    assert confirm_remaining(claim=with_moderator, candidate=setup["full"], by=moderator) == 2
    assert LineDecision.objects.filter(outcome="confirmed").count() == 3
    # The adjusted line stays adjusted.
    assert LineDecision.objects.get(line=line(with_moderator, setup["full"], "3")).grade == "P"
    with pytest.raises(ModerationError, match="Every line of this claim is already decided"):
        confirm_remaining(claim=with_moderator, by=moderator)


def test_withdrawing_units_releases_their_lines_and_tells_the_centre(
    with_moderator, setup, moderator, people, centre
):
    version = _start(with_moderator, setup, moderator)
    units = withdraw_units(
        claim=with_moderator,
        unit_ids=[setup["units"]["3"].pk],
        reason="No annotation of the unit 3 work",
        version=version,
        by=moderator,
    )
    assert [u.number for u in units] == ["3"]
    released = ClaimLine.objects.filter(claim=with_moderator, released_at__isnull=False)
    assert released.count() == 2
    assert set(LineDecision.objects.filter(outcome="withdrawn").values_list("line", flat=True)) == {
        ln.pk for ln in released
    }
    told = set(
        Notification.objects.filter(subject__contains="withdrawn").values_list(
            "user__email", flat=True
        )
    )
    assert told == {"officer@northfield.example", "teacher@northfield.example"}
    # Refusals: the same unit again, every unit, no reason, a stale page.
    version = version_of(with_moderator)
    with pytest.raises(ModerationError, match="Unit 3 is already withdrawn"):
        withdraw_units(
            claim=with_moderator,
            unit_ids=[setup["units"]["3"].pk],
            reason="Again",
            version=version,
            by=moderator,
        )
    with pytest.raises(ModerationError, match="withdraw the whole claim instead"):
        withdraw_units(
            claim=with_moderator,
            unit_ids=[setup["units"]["1"].pk, setup["units"]["2"].pk],
            reason="All",
            version=version,
            by=moderator,
        )
    with pytest.raises(ModerationError, match="Give the reason"):
        withdraw_units(
            claim=with_moderator,
            unit_ids=[setup["units"]["1"].pk],
            reason="",
            version=version,
            by=moderator,
        )
    with pytest.raises(StaleVersion):
        withdraw_units(
            claim=with_moderator,
            unit_ids=[setup["units"]["1"].pk],
            reason="Old page",
            version=version - 1,
            by=moderator,
        )
    assert ClaimLine.objects.filter(claim=with_moderator, released_at__isnull=False).count() == 2


def test_a_withdrawn_unit_can_be_claimed_again_in_a_new_claim(
    with_moderator, setup, moderator, people, centre
):
    unit3 = setup["units"]["3"]
    withdraw_units(
        claim=with_moderator, unit_ids=[unit3.pk], reason="Re-assess", version=0, by=moderator
    )
    draft = start_claim(centre=centre, qualification=setup["qualification"], by=people["teacher"])
    held = taken_elsewhere(draft)
    full, unit_only = setup["full"].pk, setup["unit_only"].pk
    assert (unit_only, unit3.pk) not in held and (full, unit3.pk) not in held
    assert (full, setup["units"]["1"].pk) in held
    again = add_line(
        claim=draft, candidate=setup["unit_only"], unit=unit3, grade="M", by=people["teacher"]
    )
    assert again.claim == draft
    # A line still in the claim under moderation is not free.
    from claims.services import ClaimError

    with pytest.raises(ClaimError, match="already claimed for unit 1"):
        add_line(
            claim=draft,
            candidate=setup["full"],
            unit=setup["units"]["1"],
            grade="D",
            by=people["teacher"],
        )
    with pytest.raises(ModerationError, match="was withdrawn"):
        decide(with_moderator, line(with_moderator, setup["unit_only"], "3"), moderator)


def test_withdrawing_the_whole_claim(with_moderator, setup, moderator):
    claim = withdraw_claim(
        claim=with_moderator, reason="Assessment not consistent", version=0, by=moderator
    )
    assert claim.status == "withdrawn" and claim.withdrawal_reason == "Assessment not consistent"
    assert not ClaimLine.objects.filter(claim=claim, released_at__isnull=True).exists()
    review = Review.objects.get(claim=claim)
    assert review.outcome == "withdrawn" and review.status == "in_progress"
    with pytest.raises(ModerationError, match="has been withdrawn"):
        decide(claim, line(claim, setup["full"], "1"), moderator)
    with pytest.raises(ModerationError, match="has been withdrawn"):
        withdraw_claim(claim=claim, reason="Twice", version=review.version, by=moderator)


def test_withdrawing_needs_a_reason(with_moderator, moderator):
    with pytest.raises(ModerationError, match="Give the reason"):
        withdraw_claim(claim=with_moderator, reason=" ", version=0, by=moderator)
    assert Claim.objects.get(pk=with_moderator.pk).status == "with_moderator"


def _start(claim, setup, moderator):
    decide(claim, line(claim, setup["full"], "1"), moderator)
    return version_of(claim)


def test_completing_with_undecided_lines_is_refused(with_moderator, setup, moderator):
    version = _start(with_moderator, setup, moderator)
    with pytest.raises(ModerationError, match="3 lines are not decided yet"):
        complete_review(
            claim=with_moderator,
            overall_comments="Good",
            units=comments(with_moderator),
            version=version,
            by=moderator,
        )
    assert not FeedbackReport.objects.exists()
    assert Claim.objects.get(pk=with_moderator.pk).status == "with_moderator"


def test_completing_before_any_decision_is_refused(with_moderator, moderator):
    with pytest.raises(ModerationError, match="Decide the claim's lines first"):
        complete_review(
            claim=with_moderator, overall_comments="x", units=[], version=0, by=moderator
        )


def test_the_report_needs_overall_comments_and_every_unit(with_moderator, setup, moderator):
    _start(with_moderator, setup, moderator)
    confirm_remaining(claim=with_moderator, by=moderator)
    version = version_of(with_moderator)
    with pytest.raises(ModerationError) as refused:
        complete_review(
            claim=with_moderator,
            overall_comments="",
            units=comments(with_moderator)[:1],
            version=version,
            by=moderator,
        )
    message = str(refused.value)
    assert "Write the overall comments" in message
    assert "what the centre did well in unit" in message
    assert not FeedbackReport.objects.exists()


def test_complete_confirmed_unchanged(
    with_moderator, setup, moderator, people, django_capture_on_commit_callbacks
):
    _start(with_moderator, setup, moderator)
    confirm_remaining(claim=with_moderator, by=moderator)
    with django_capture_on_commit_callbacks(execute=True):
        report = complete_review(
            claim=with_moderator,
            overall_comments="A well-organised claim.",
            units=comments(with_moderator),
            version=version_of(with_moderator),
            by=moderator,
        )
    claim = Claim.objects.get(pk=with_moderator.pk)
    assert claim.status == "moderated" and claim.moderation_outcome == "confirmed_unchanged"
    assert claim.moderated_at is not None
    assert report.units.count() == 3
    assert set(ClaimLine.objects.filter(claim=claim).values_list("moderated_grade", flat=True)) == {
        "D",
        "M",
        "P",
    }
    report.refresh_from_db()
    assert report.pdf  # rendered by the task (eager in tests)
    assert report.pdf.read().startswith(b"%PDF")
    assert Notification.objects.filter(
        user=people["centre_admin"], subject__contains="moderated, confirmed unchanged"
    ).exists()
    assert not mail.outbox or all("attached" not in m.body for m in mail.outbox)
    # After completion nothing changes.
    with pytest.raises(ModerationError, match="has been moderated"):
        decide(claim, line(claim, setup["full"], "1"), moderator, version=1)
    with pytest.raises(ModerationError, match="has been moderated"):
        complete_review(claim=claim, overall_comments="Again", units=[], version=99, by=moderator)
    with pytest.raises(ModerationError, match="has been moderated"):
        withdraw_claim(claim=claim, reason="Late", version=99, by=moderator)


def test_complete_adjusted_with_a_withdrawn_unit(with_moderator, setup, moderator):
    decide(
        with_moderator,
        line(with_moderator, setup["full"], "2"),
        moderator,
        "adjusted",
        "P",
        "Merit criteria not evidenced",
    )
    withdraw_units(
        claim=with_moderator,
        unit_ids=[setup["units"]["3"].pk],
        reason="Re-assess",
        version=version_of(with_moderator),
        by=moderator,
    )
    confirm_remaining(claim=with_moderator, by=moderator)
    report = complete_review(
        claim=with_moderator,
        overall_comments="Mostly sound.",
        units=comments(with_moderator)[:2] + comments(with_moderator)[2:],
        version=version_of(with_moderator),
        by=moderator,
    )
    claim = Claim.objects.get(pk=with_moderator.pk)
    assert claim.moderation_outcome == "adjusted"
    assert report.units.count() == 2  # unit 3 was withdrawn: no section
    assert line(claim, setup["full"], "2").moderated_grade == "P"
    assert line(claim, setup["full"], "3").moderated_grade == ""


def test_a_stale_report_is_refused(with_moderator, setup, moderator):
    _start(with_moderator, setup, moderator)
    confirm_remaining(claim=with_moderator, by=moderator)
    with pytest.raises(StaleVersion):
        complete_review(
            claim=with_moderator,
            overall_comments="x",
            units=comments(with_moderator),
            version=1,
            by=moderator,
        )
    assert not FeedbackReport.objects.exists()


def test_the_report_of_a_claim_withdrawn_whole_is_emailed_to_the_centre_admins(
    with_moderator, setup, moderator, people, django_capture_on_commit_callbacks
):
    withdraw_claim(claim=with_moderator, reason="Inconsistent marking", version=0, by=moderator)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        report = complete_review(
            claim=with_moderator,
            overall_comments="Marking was inconsistent across assessors.",
            units=comments(with_moderator, consistent=False),
            version=version_of(with_moderator),
            by=moderator,
        )
    report.refresh_from_db()
    claim = Claim.objects.get(pk=with_moderator.pk)
    assert claim.status == "withdrawn" and claim.moderated_at is not None
    assert report.review.outcome == "withdrawn" and report.emailed_at is not None
    with_pdf = [m for m in mail.outbox if m.attachments]
    assert len(with_pdf) == 1
    assert with_pdf[0].to == ["officer@northfield.example"]
    _name, content, mimetype = with_pdf[0].attachments[0]
    assert mimetype == "application/pdf" and content.startswith(b"%PDF")
    # The task run again sends nothing more.
    from moderation.tasks import store_report

    store_report(report.pk)
    assert len([m for m in mail.outbox if m.attachments]) == 1
