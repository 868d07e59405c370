"""Starting, building and submitting claims at service level: every transition and refusal."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from claims.models import Claim, ClaimLine, FullAwardRequest
from claims.services import ClaimError
from claims.services.claims import (
    DraftExists,
    add_line,
    change_grade,
    mark_full_award,
    remove_line,
    save_line,
    start_claim,
    submit_claim,
    unmark_full_award,
)
from entries.models import ModeratorAllocation
from entries.services import EntryError
from entries.services.entries import withdraw_entry
from ocradmin.models import AuditEvent, Notification

from ..entries.factories import CandidateFactory, QualificationFactory, UnitFactory


@pytest.fixture
def claim(setup, centre, people):
    return start_claim(centre=centre, qualification=setup["qualification"], by=people["teacher"])


def test_start_records_the_builder_and_audits(claim, people):
    assert claim.status == Claim.Status.DRAFT
    assert claim.built_by == people["teacher"]
    assert claim.number is None
    assert AuditEvent.objects.filter(action="claim.started", target_id=str(claim.pk)).exists()


def test_a_second_draft_is_refused_naming_the_open_one(claim, setup, centre, people):
    with pytest.raises(DraftExists) as caught:
        start_claim(centre=centre, qualification=setup["qualification"], by=people["centre_admin"])
    assert caught.value.draft == claim
    assert "already open" in str(caught.value)
    assert Claim.objects.count() == 1


def test_the_database_allows_one_draft_per_centre_and_qualification(claim):
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(centre=claim.centre, qualification=claim.qualification)


def test_a_claim_needs_an_allocated_moderator(setup, centre, people):
    ModeratorAllocation.objects.all().delete()
    with pytest.raises(ClaimError, match="No examiner-moderator is allocated"):
        start_claim(centre=centre, qualification=setup["qualification"], by=people["teacher"])
    assert not Claim.objects.exists()


def test_a_claim_needs_accepted_entries_and_an_approval(centre, people):
    qualification = QualificationFactory()
    with pytest.raises(ClaimError, match="not approved"):
        start_claim(centre=centre, qualification=qualification, by=people["teacher"])


def test_lines_by_candidate_and_by_unit_on_one_claim(claim, setup, people):
    units = setup["units"]
    add_line(claim=claim, candidate=setup["full"], unit=units["1"], grade="D", by=people["teacher"])
    add_line(claim=claim, candidate=setup["full"], unit=units["3"], grade="m", by=people["teacher"])
    add_line(
        claim=claim, candidate=setup["unit_only"], unit=units["3"], grade="P", by=people["teacher"]
    )
    grades = dict(
        ClaimLine.objects.filter(claim=claim).values_list("candidate__pk", "grade").order_by("pk")
    )
    assert ClaimLine.objects.filter(claim=claim).count() == 3
    assert grades[setup["unit_only"].pk] == "P"
    line = ClaimLine.objects.get(claim=claim, candidate=setup["full"], unit=units["3"])
    assert line.grade == "M" and line.entry == setup["entries"]["full"]


@pytest.mark.parametrize(
    ("who", "unit", "grade", "message"),
    [
        ("unit_only", "1", "D", "no accepted entry"),
        ("withdrawn", "1", "D", "their entry was withdrawn"),
        ("stranger", "1", "D", "no accepted entry"),
        ("full", "foreign", "D", "not a unit of"),
        ("full", "1", "D*", "not a grade of unit 1"),
        ("full", "1", "", "not a grade of unit 1"),
        ("other_centre", "1", "D", "not one of this centre's candidates"),
    ],
)
def test_bad_lines_are_refused_with_nothing_saved(
    claim, setup, people, other_centre, who, unit, grade, message
):
    candidates = {
        **setup,
        "stranger": CandidateFactory(centre=claim.centre),
        "other_centre": CandidateFactory(centre=other_centre),
    }
    units = {**setup["units"], "foreign": UnitFactory(qualification=QualificationFactory())}
    with pytest.raises(ClaimError, match=message):
        add_line(
            claim=claim,
            candidate=candidates[who],
            unit=units[unit],
            grade=grade,
            by=people["teacher"],
        )
    assert not ClaimLine.objects.exists()


def test_a_duplicate_line_is_refused(claim, setup, people):
    unit = setup["units"]["1"]
    add_line(claim=claim, candidate=setup["full"], unit=unit, grade="D", by=people["teacher"])
    with pytest.raises(ClaimError, match="already on this claim"):
        add_line(claim=claim, candidate=setup["full"], unit=unit, grade="M", by=people["teacher"])
    assert ClaimLine.objects.get().grade == "D"


def test_a_line_in_another_live_claim_is_refused(claim, setup, people, centre):
    unit = setup["units"]["1"]
    add_line(claim=claim, candidate=setup["full"], unit=unit, grade="D", by=people["teacher"])
    submit_claim(claim=claim, declaration=True, by=people["teacher"])
    second = start_claim(centre=centre, qualification=setup["qualification"], by=people["teacher"])
    with pytest.raises(ClaimError, match=r"already claimed for unit 1 on claim 12345-0001"):
        add_line(claim=second, candidate=setup["full"], unit=unit, grade="D", by=people["teacher"])


def test_grades_change_and_lines_go_until_submitted(claim, setup, people):
    unit = setup["units"]["1"]
    line = save_line(
        claim=claim, candidate=setup["full"], unit=unit, grade="P", by=people["teacher"]
    )
    change_grade(line=line, grade="D", by=people["teacher"])
    assert ClaimLine.objects.get().grade == "D"
    assert (
        save_line(claim=claim, candidate=setup["full"], unit=unit, grade="", by=people["teacher"])
        is None
    )
    assert not ClaimLine.objects.exists()
    line = add_line(
        claim=claim, candidate=setup["full"], unit=unit, grade="M", by=people["teacher"]
    )
    submit_claim(claim=claim, declaration=True, by=people["teacher"])
    for change in (
        lambda: change_grade(line=line, grade="D", by=people["teacher"]),
        lambda: remove_line(line=line, by=people["teacher"]),
        lambda: add_line(
            claim=claim,
            candidate=setup["full"],
            unit=setup["units"]["2"],
            grade="D",
            by=people["teacher"],
        ),
    ):
        with pytest.raises(ClaimError, match="only the examiner-moderator"):
            change()
    assert ClaimLine.objects.get().grade == "M"


def _lines(claim, candidate, units, grades, by):
    for number, grade in grades.items():
        add_line(claim=claim, candidate=candidate, unit=units[number], grade=grade, by=by)


def test_an_incomplete_full_award_is_refused_naming_the_missing_units(claim, setup, people):
    _lines(claim, setup["full"], setup["units"], {"1": "D", "3": "M"}, people["teacher"])
    with pytest.raises(ClaimError) as caught:
        mark_full_award(claim=claim, candidate=setup["full"], by=people["teacher"])
    message = str(caught.value)
    assert "unit 2" in message and "mandatory" in message and "2 so far" in message
    assert not FullAwardRequest.objects.exists()


def test_a_u_grade_does_not_count_towards_the_award(claim, setup, people):
    _lines(claim, setup["full"], setup["units"], {"1": "D", "2": "U", "3": "M"}, people["teacher"])
    with pytest.raises(ClaimError, match="unit 2"):
        mark_full_award(claim=claim, candidate=setup["full"], by=people["teacher"])


def test_a_complete_full_award_counts_units_of_earlier_claims(claim, setup, people, centre):
    units = setup["units"]
    _lines(claim, setup["full"], units, {"1": "D", "3": "M"}, people["teacher"])
    submit_claim(claim=claim, declaration=True, by=people["teacher"])
    second = start_claim(centre=centre, qualification=setup["qualification"], by=people["teacher"])
    _lines(second, setup["full"], units, {"2": "P"}, people["teacher"])
    mark_full_award(claim=second, candidate=setup["full"], by=people["teacher"])
    assert FullAwardRequest.objects.filter(claim=second, candidate=setup["full"]).exists()
    unmark_full_award(claim=second, candidate=setup["full"], by=people["teacher"])
    assert not FullAwardRequest.objects.exists()


def test_a_full_award_needs_a_full_award_entry(claim, setup, people):
    with pytest.raises(ClaimError, match="no accepted full-award entry"):
        mark_full_award(claim=claim, candidate=setup["unit_only"], by=people["teacher"])


def test_a_full_award_broken_after_marking_stops_submission(claim, setup, people):
    units = setup["units"]
    _lines(claim, setup["full"], units, {"1": "D", "2": "D", "3": "M"}, people["teacher"])
    mark_full_award(claim=claim, candidate=setup["full"], by=people["teacher"])
    save_line(claim=claim, candidate=setup["full"], unit=units["3"], grade="", by=people["teacher"])
    with pytest.raises(ClaimError, match="no longer complete"):
        submit_claim(claim=claim, declaration=True, by=people["teacher"])
    assert Claim.objects.get().status == Claim.Status.DRAFT


def test_submit_locks_numbers_starts_the_clock_and_tells_the_moderator(claim, setup, people):
    _lines(claim, setup["full"], setup["units"], {"1": "D"}, people["teacher"])
    before = timezone.now()
    submitted = submit_claim(claim=claim, declaration=True, by=people["centre_admin"])
    assert submitted.status == Claim.Status.SUBMITTED
    assert submitted.number == "12345-0001"
    assert submitted.submitted_by == people["centre_admin"]
    assert submitted.moderator == people["moderator"]
    assert (
        before + timedelta(hours=24)
        <= submitted.work_due_at
        <= timezone.now() + timedelta(hours=24)
    )
    assert Notification.objects.filter(user=people["moderator"], subject__contains="12345-0001")
    assert AuditEvent.objects.filter(action="claim.submitted").exists()
    with pytest.raises(ClaimError, match="only the examiner-moderator"):
        submit_claim(claim=claim, declaration=True, by=people["centre_admin"])


def test_claim_numbers_follow_on_per_centre(claim, setup, people, centre):
    _lines(claim, setup["full"], setup["units"], {"1": "D"}, people["teacher"])
    submit_claim(claim=claim, declaration=True, by=people["teacher"])
    second = start_claim(centre=centre, qualification=setup["qualification"], by=people["teacher"])
    _lines(second, setup["full"], setup["units"], {"2": "D"}, people["teacher"])
    assert submit_claim(claim=second, declaration=True, by=people["teacher"]).number == "12345-0002"


def test_an_empty_claim_or_no_declaration_is_refused(claim, setup, people):
    with pytest.raises(ClaimError, match="no lines yet"):
        submit_claim(claim=claim, declaration=True, by=people["teacher"])
    _lines(claim, setup["full"], setup["units"], {"1": "D"}, people["teacher"])
    with pytest.raises(ClaimError, match="authentication declaration"):
        submit_claim(claim=claim, declaration=False, by=people["teacher"])
    assert Claim.objects.get().status == Claim.Status.DRAFT


def test_an_entry_in_a_live_claim_cannot_be_withdrawn(claim, setup, people):
    _lines(claim, setup["unit_only"], setup["units"], {"3": "P"}, people["teacher"])
    with pytest.raises(EntryError, match="claimed on a draft claim"):
        withdraw_entry(
            entry=setup["entries"]["unit_only"],
            by=people["centre_admin"],
            reason="Candidate left the centre",
        )
    submit_claim(claim=claim, declaration=True, by=people["teacher"])
    with pytest.raises(EntryError, match="claimed on claim 12345-0001"):
        withdraw_entry(
            entry=setup["entries"]["unit_only"],
            by=people["centre_admin"],
            reason="Candidate left the centre",
        )
    Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.WITHDRAWN)
    withdraw_entry(
        entry=setup["entries"]["unit_only"],
        by=people["centre_admin"],
        reason="Candidate left the centre",
    )


def test_an_entry_without_claim_lines_can_still_be_withdrawn(claim, setup, people):
    withdraw_entry(
        entry=setup["entries"]["full"],
        by=people["centre_admin"],
        reason="Candidate left the centre",
    )
