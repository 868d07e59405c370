"""Making, amending and withdrawing entries (single and bulk), and the entries pages."""

import threading
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from centres.hooks import withdrawal_blockers
from centres.models import Centre
from entries.hooks import entry_withdrawal_blockers
from entries.models import Candidate, Entry, EntryUpload, ModeratorAllocation
from entries.services import EntryError, bulk
from entries.services.bulk import EntryRowsError, check_named_entry_rows, make_named_entries
from entries.services.entries import (
    amend_entry,
    live_entries_block_approval_withdrawal,
    make_named_entry,
    make_unnamed_entry,
    process_by_for,
    withdraw_entry,
)
from entries.services.rows import NamedEntryRow, RowError
from entries.validators import make_uci
from ocradmin.models import AuditEvent

from ..factories import UserFactory
from .factories import ApprovalFactory, CandidateFactory, QualificationFactory, UnitFactory

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
VALID_ULN = "9276308686"


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def qualification(db):
    return QualificationFactory(entry_code="X9001", title="Cambridge Technical in IT")


@pytest.fixture
def unit1(qualification):
    return UnitFactory(qualification=qualification, number="1", title="Fundamentals of IT")


@pytest.fixture
def unit2(qualification):
    return UnitFactory(qualification=qualification, number="2", title="Global information")


@pytest.fixture
def optioned(db):
    return QualificationFactory(entry_code="X9002", option_codes=["A", "B"])


@pytest.fixture
def unapproved(db):
    return QualificationFactory(entry_code="X9003", title="Not approved here")


@pytest.fixture
def approved(centre, other_centre, qualification, unit1, unit2, optioned):
    for at in (centre, other_centre):
        ApprovalFactory(centre=at, qualification=qualification)
        ApprovalFactory(centre=at, qualification=optioned)


@pytest.fixture
def ada(centre):
    return CandidateFactory(
        centre=centre,
        candidate_number="0001",
        first_name="Ada",
        last_name="Lovelace",
        date_of_birth=date(2009, 12, 10),
        sex="F",
    )


def row(n=2, **fields) -> NamedEntryRow:
    values = {
        "row_number": n,
        "candidate_number": "0101",
        "first_name": "Grace",
        "last_name": "Hopper",
        "date_of_birth": date(2009, 12, 9),
        "sex": "F",
        "entry_code": "X9001",
        "unit_number": "1",
    }
    values.update(fields)
    return NamedEntryRow(**values)


def nothing_written():
    return (
        not Entry.objects.exists()
        and not AuditEvent.objects.filter(action__startswith="entr").exists()
    )


# --- Single named entries ---------------------------------------------------------------------


def test_named_entry_is_submitted_with_its_deadline_and_audited(
    centre, approved, ada, unit1, admin
):
    entry = make_named_entry(
        centre=centre, candidate=ada, qualification=unit1.qualification, unit=unit1, by=admin
    )
    assert entry.status == Entry.Status.SUBMITTED
    assert entry.kind == Entry.Kind.NAMED
    assert entry.submitted_at == NOW
    assert entry.process_by == NOW + timedelta(hours=48) == process_by_for(NOW)
    event = AuditEvent.objects.get(action="entry.created")
    assert event.actor == admin and event.centre == centre
    assert event.data["candidate"] == "0001" and event.data["unit"] == "1"


def test_full_award_entry(centre, approved, ada, qualification, admin):
    entry = make_named_entry(centre=centre, candidate=ada, qualification=qualification, by=admin)
    assert entry.unit is None


def test_named_entry_refused_for_unapproved_qualification(centre, approved, ada, unapproved, admin):
    with pytest.raises(EntryError, match="not approved for X9003"):
        make_named_entry(centre=centre, candidate=ada, qualification=unapproved, by=admin)
    assert nothing_written()


def test_named_entry_refused_when_centre_suspended(centre, approved, ada, qualification, admin):
    Centre.objects.filter(pk=centre.pk).update(status=Centre.Status.SUSPENDED)
    with pytest.raises(EntryError, match="not an approved centre"):
        make_named_entry(centre=centre, candidate=ada, qualification=qualification, by=admin)
    assert nothing_written()


def test_named_entry_refused_for_unit_of_another_qualification(
    centre, approved, ada, optioned, unit1, admin
):
    with pytest.raises(EntryError, match="Unit 1 is not part of X9002"):
        make_named_entry(
            centre=centre,
            candidate=ada,
            qualification=optioned,
            unit=unit1,
            option_code="A",
            by=admin,
        )
    assert nothing_written()


def test_named_entry_refused_for_another_centres_candidate(
    centre, other_centre, approved, qualification, admin
):
    stranger = CandidateFactory(centre=other_centre)
    with pytest.raises(EntryError, match="is not at centre 12345"):
        make_named_entry(centre=centre, candidate=stranger, qualification=qualification, by=admin)
    assert nothing_written()


def test_named_entry_refused_when_already_live(centre, approved, ada, unit1, admin):
    make_named_entry(
        centre=centre, candidate=ada, qualification=unit1.qualification, unit=unit1, by=admin
    )
    with pytest.raises(EntryError, match="already has a live entry for X9001 unit 1"):
        make_named_entry(
            centre=centre, candidate=ada, qualification=unit1.qualification, unit=unit1, by=admin
        )
    assert Entry.objects.count() == 1


def test_withdrawn_entry_does_not_block_a_new_one(centre, approved, ada, qualification, admin):
    first = make_named_entry(centre=centre, candidate=ada, qualification=qualification, by=admin)
    withdraw_entry(entry=first, by=admin, reason="Candidate left the centre")
    make_named_entry(centre=centre, candidate=ada, qualification=qualification, by=admin)
    assert Entry.objects.filter(status=Entry.Status.SUBMITTED).count() == 1


def test_same_unit_same_uci_at_another_centre_refused(
    centre, other_centre, approved, ada, qualification, unit1, unit2, admin
):
    twin = CandidateFactory(centre=other_centre, uci=ada.uci)
    make_named_entry(
        centre=other_centre, candidate=twin, qualification=qualification, unit=unit1, by=None
    )
    with pytest.raises(EntryError, match=f"UCI {ada.uci} is already entered .* centre 23456"):
        make_named_entry(
            centre=centre, candidate=ada, qualification=qualification, unit=unit1, by=admin
        )
    # Another unit, or the full award, is for the processing job (and staff) to judge.
    make_named_entry(
        centre=centre, candidate=ada, qualification=qualification, unit=unit2, by=admin
    )
    make_named_entry(centre=centre, candidate=ada, qualification=qualification, by=admin)


@pytest.mark.parametrize(
    ("option_code", "message"),
    [("", "needs an option code: one of A, B"), ("C", "C is not an option code of X9002")],
)
def test_option_code_must_be_one_of_the_qualifications(
    centre, approved, ada, optioned, admin, option_code, message
):
    with pytest.raises(EntryError, match=message):
        make_named_entry(
            centre=centre, candidate=ada, qualification=optioned, option_code=option_code, by=admin
        )
    assert nothing_written()
    entry = make_named_entry(
        centre=centre, candidate=ada, qualification=optioned, option_code="b", by=admin
    )
    assert entry.option_code == "B"


def test_option_code_must_be_blank_without_options(centre, approved, ada, qualification, admin):
    with pytest.raises(EntryError, match="has no option codes"):
        make_named_entry(
            centre=centre, candidate=ada, qualification=qualification, option_code="A", by=admin
        )
    assert nothing_written()


# --- Unnamed entries --------------------------------------------------------------------------


def test_unnamed_entry(centre, approved, qualification, unit1, admin):
    entry = make_unnamed_entry(
        centre=centre, qualification=qualification, quantity=25, unit=unit1, by=admin
    )
    assert (entry.kind, entry.quantity, entry.candidate, entry.unit) == (
        Entry.Kind.UNNAMED,
        25,
        None,
        unit1,
    )
    assert entry.process_by == NOW + timedelta(hours=48)
    assert AuditEvent.objects.get(action="entry.created").data["quantity"] == 25


@pytest.mark.parametrize("quantity", [0, -3, 501])
def test_unnamed_entry_quantity_limits(centre, approved, qualification, admin, quantity):
    with pytest.raises(EntryError, match="candidates"):
        make_unnamed_entry(centre=centre, qualification=qualification, quantity=quantity, by=admin)
    assert nothing_written()


def test_unnamed_entry_refusals(centre, approved, optioned, unapproved, unit1, admin):
    with pytest.raises(EntryError, match="not approved for X9003"):
        make_unnamed_entry(centre=centre, qualification=unapproved, quantity=5, by=admin)
    with pytest.raises(EntryError, match="Unit 1 is not part of X9002"):
        make_unnamed_entry(centre=centre, qualification=optioned, quantity=5, unit=unit1, by=admin)
    assert nothing_written()


# --- Amending ---------------------------------------------------------------------------------


def test_amend_unnamed_quantity_and_named_option(
    centre, approved, ada, qualification, optioned, admin
):
    unnamed = make_unnamed_entry(centre=centre, qualification=qualification, quantity=5, by=admin)
    amend_entry(entry=unnamed, quantity=8, by=admin)
    unnamed.refresh_from_db()
    assert unnamed.quantity == 8
    named = make_named_entry(
        centre=centre, candidate=ada, qualification=optioned, option_code="A", by=admin
    )
    amend_entry(entry=named, option_code="B", by=admin)
    named.refresh_from_db()
    assert named.option_code == "B"
    events = AuditEvent.objects.filter(action="entry.amended").order_by("id")
    assert [e.data for e in events] == [
        {"quantity": {"from": 5, "to": 8}},
        {"option_code": {"from": "A", "to": "B"}},
    ]


def test_amend_refusals(centre, approved, ada, optioned, admin):
    named = make_named_entry(
        centre=centre, candidate=ada, qualification=optioned, option_code="A", by=admin
    )
    with pytest.raises(EntryError, match="not an option code"):
        amend_entry(entry=named, option_code="Z", by=admin)
    with pytest.raises(EntryError, match="Only an unnamed entry"):
        amend_entry(entry=named, quantity=3, by=admin)
    Entry.objects.filter(pk=named.pk).update(status=Entry.Status.ACCEPTED)
    with pytest.raises(EntryError, match="only entries waiting to be processed"):
        amend_entry(entry=named, option_code="B", by=admin)
    named.refresh_from_db()
    assert named.option_code == "A"
    assert not AuditEvent.objects.filter(action="entry.amended").exists()


# --- Withdrawing ------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Entry.Status.SUBMITTED, Entry.Status.ACCEPTED, "needs_review"])
def test_withdraw_live_entry(centre, approved, ada, qualification, admin, status):
    entry = make_named_entry(centre=centre, candidate=ada, qualification=qualification, by=admin)
    Entry.objects.filter(pk=entry.pk).update(status=status)
    withdraw_entry(entry=entry, by=admin, reason="Candidate left the centre")
    entry.refresh_from_db()
    assert entry.status == Entry.Status.WITHDRAWN and entry.withdrawn_at == NOW
    event = AuditEvent.objects.get(action="entry.withdrawn")
    assert event.data["previous_status"] == status


@pytest.mark.parametrize("status", [Entry.Status.REJECTED, Entry.Status.WITHDRAWN])
def test_withdraw_refused_unless_live(centre, approved, ada, qualification, admin, status):
    entry = make_named_entry(centre=centre, candidate=ada, qualification=qualification, by=admin)
    Entry.objects.filter(pk=entry.pk).update(status=status)
    with pytest.raises(EntryError, match="only live entries can be withdrawn"):
        withdraw_entry(entry=entry, by=admin, reason="Candidate left the centre")
    entry.refresh_from_db()
    assert entry.status == status
    assert not AuditEvent.objects.filter(action="entry.withdrawn").exists()


def test_withdraw_refused_while_a_blocker_says_a_claim_uses_it(
    centre, approved, ada, qualification, admin, monkeypatch
):
    entry = make_named_entry(centre=centre, candidate=ada, qualification=qualification, by=admin)
    monkeypatch.setattr(
        entry_withdrawal_blockers,
        "receivers",
        (lambda e: None, lambda e: f"claim 7 includes entry {e.pk}"),
    )
    with pytest.raises(EntryError, match=f"cannot be withdrawn: claim 7 includes entry {entry.pk}"):
        withdraw_entry(entry=entry, by=admin, reason="Candidate left the centre")
    entry.refresh_from_db()
    assert entry.status == Entry.Status.SUBMITTED


def test_live_entries_block_withdrawing_the_qualification_approval(
    centre, approved, ada, qualification, admin
):
    assert live_entries_block_approval_withdrawal in withdrawal_blockers.receivers
    assert live_entries_block_approval_withdrawal(centre, qualification) is None
    entry = make_named_entry(centre=centre, candidate=ada, qualification=qualification, by=admin)
    assert live_entries_block_approval_withdrawal(centre, qualification) == "1 live entry"
    make_unnamed_entry(centre=centre, qualification=qualification, quantity=4, by=admin)
    assert (
        live_entries_block_approval_withdrawal(centre=centre, qualification=qualification)
        == "2 live entries"
    )
    withdraw_entry(entry=entry, by=admin, reason="Candidate left the centre")
    Entry.objects.filter(kind=Entry.Kind.UNNAMED).update(status=Entry.Status.REJECTED)
    assert live_entries_block_approval_withdrawal(centre, qualification) is None


# --- Checking bulk rows -----------------------------------------------------------------------


def errors_for(centre, *rows):
    return [(e.row_number, e.column) for e in check_named_entry_rows(centre=centre, rows=rows)]


def messages_for(centre, *rows):
    return " | ".join(e.message for e in check_named_entry_rows(centre=centre, rows=rows))


def test_valid_rows_have_no_errors(centre, approved, ada):
    rows = [
        row(2),
        row(3, unit_number="02"),
        row(4, unit_number=""),
        row(5, candidate_number="0001", first_name="", last_name="", date_of_birth=None, sex=""),
        row(
            6,
            candidate_number="1",
            first_name="ada",
            last_name="LOVELACE",
            uci=ada.uci.lower(),
            date_of_birth=ada.date_of_birth,
            unit_number="2",
        ),
        row(7, candidate_number="0102", entry_code="X9002", unit_number="", option_code="a"),
        row(8, candidate_number="0103", uci="681990012058G", uln=VALID_ULN),
    ]
    assert check_named_entry_rows(centre=centre, rows=rows) == []


def test_no_rows_no_errors(centre):
    assert check_named_entry_rows(centre=centre, rows=[]) == []


@pytest.mark.parametrize(
    ("fields", "column", "message"),
    [
        ({"entry_code": "99999"}, "entry_code", "no qualification with entry code 99999"),
        ({"entry_code": ""}, "entry_code", "Give the qualification's entry code"),
        ({"entry_code": "X9003"}, "entry_code", "not approved for X9003"),
        ({"unit_number": "9"}, "unit_number", "Unit 9 is not part of X9001"),
        ({"option_code": "A"}, "option_code", "X9001 has no option codes"),
        ({"entry_code": "X9002", "unit_number": ""}, "option_code", "needs an option code"),
        (
            {"entry_code": "X9002", "unit_number": "", "option_code": "Q"},
            "option_code",
            "Q is not an option code of X9002",
        ),
        ({"candidate_number": "0000"}, "candidate_number", "use 0001 to 9999"),
        ({"candidate_number": "12345"}, "candidate_number", "four digits"),
        ({"candidate_number": "12a"}, "candidate_number", "four digits"),
        ({"first_name": " "}, "first_name", "Enter the candidate's first name"),
        ({"last_name": ""}, "last_name", "Enter the candidate's last name"),
        ({"date_of_birth": None}, "date_of_birth", "Enter the candidate's date of birth"),
        ({"date_of_birth": date(2020, 1, 1)}, "date_of_birth", "must be aged 10 to 99"),
        ({"date_of_birth": date(1900, 1, 1)}, "date_of_birth", "must be aged 10 to 99"),
        ({"sex": "X"}, "sex", "(F or M)"),
        ({"sex": ""}, "sex", "(F or M)"),
        ({"uci": "681990012058A"}, "uci", "check letter does not match"),
        ({"uci": "12345"}, "uci", "A UCI is 13 characters"),
        ({"uln": "0123456789"}, "uln", "A ULN is 10 digits"),
        ({"uln": "9276308687"}, "uln", "check digit does not match"),
    ],
)
def test_each_row_refusal(centre, approved, unapproved, fields, column, message):
    errors = check_named_entry_rows(centre=centre, rows=[row(5, **fields)])
    assert [(e.row_number, e.column) for e in errors] == [(5, column)]
    assert message in errors[0].message
    assert str(errors[0]).startswith(f"Row 5, {column}: ")


def test_suspended_centre_rows_refused(centre, approved):
    Centre.objects.filter(pk=centre.pk).update(status=Centre.Status.SUSPENDED)
    centre.refresh_from_db()
    assert "not an approved centre" in messages_for(centre, row(2))


def test_a_uln_held_by_another_candidate_at_the_centre_is_refused(centre, approved, ada):
    Candidate.objects.filter(pk=ada.pk).update(uln=VALID_ULN)
    assert errors_for(centre, row(2, uln=VALID_ULN)) == [(2, "uln")]
    assert messages_for(centre, row(2, uln=VALID_ULN)) == (
        f"ULN {VALID_ULN} already belongs to candidate 0001 at this centre; a learner has one "
        "ULN. Check the ULN."
    )
    # The candidate who holds it may name it.
    holder = row(2, candidate_number="0001", uln=VALID_ULN, first_name="", last_name="")
    assert errors_for(centre, replace(holder, date_of_birth=None)) == []


def test_one_uln_for_many_new_candidates_in_a_file_is_refused(centre, approved):
    rows = [
        row(n + 2, candidate_number=f"{n + 101:04d}", uln=VALID_ULN, unit_number="")
        for n in range(40)
    ]
    errors = check_named_entry_rows(centre=centre, rows=rows)
    assert [(e.row_number, e.column) for e in errors] == [(n + 2, "uln") for n in range(1, 40)]
    assert errors[0].message == (
        f"ULN {VALID_ULN} is also given to candidate 0101 in this file; a learner has one ULN. "
        "Check the ULN."
    )
    # One new candidate on two rows (two entries) keeps their ULN.
    assert errors_for(centre, row(2, uln=VALID_ULN), row(3, uln=VALID_ULN, unit_number="")) == []


def test_uci_used_by_another_candidate_at_the_centre(centre, approved, ada):
    assert errors_for(centre, row(2, uci=ada.uci)) == [(2, "uci")]
    assert "already used by candidate 0001" in messages_for(centre, row(2, uci=ada.uci))


def test_generated_uci_clash_is_reported(centre, approved):
    generated = make_uci(centre_number="12345", year=2026, candidate_number="0101")
    CandidateFactory(centre=centre, candidate_number="0500", uci=generated)
    assert errors_for(centre, row(2)) == [(2, "uci")]
    assert "would be given" in messages_for(centre, row(2))


def test_two_new_candidates_with_one_uci(centre, approved):
    uci = "681990012058G"
    errors = errors_for(centre, row(2, uci=uci), row(3, candidate_number="0102", uci=uci))
    assert errors == [(3, "uci")]


@pytest.mark.parametrize(
    ("fields", "column"),
    [
        ({"first_name": "Adeline"}, "first_name"),
        ({"last_name": "Byron"}, "last_name"),
        ({"date_of_birth": date(2009, 12, 11)}, "date_of_birth"),
        ({"uci": "681990012058G"}, "uci"),
        ({"sex": "M"}, "sex"),
    ],
)
def test_existing_candidate_contradicted(centre, approved, ada, fields, column):
    base = {"candidate_number": "0001", "first_name": "Ada", "last_name": "Lovelace"}
    base["date_of_birth"] = ada.date_of_birth
    errors = check_named_entry_rows(centre=centre, rows=[row(3, **{**base, **fields})])
    assert [(e.row_number, e.column) for e in errors] == [(3, column)]
    assert "Candidate 0001" in errors[0].message


def test_existing_candidate_blank_details_are_fine(centre, approved, ada):
    blank = row(2, candidate_number="0001", first_name="", last_name="", date_of_birth=None)
    assert check_named_entry_rows(centre=centre, rows=[replace(blank, sex="", uci="")]) == []


def test_duplicate_of_a_live_entry_in_the_database(centre, approved, ada, unit1, admin):
    make_named_entry(
        centre=centre, candidate=ada, qualification=unit1.qualification, unit=unit1, by=admin
    )
    existing = row(
        4, candidate_number="0001", first_name="Ada", last_name="Lovelace", date_of_birth=None
    )
    assert errors_for(centre, existing) == [(4, "unit_number")]
    assert "already has a live entry for X9001 unit 1" in messages_for(centre, existing)
    assert errors_for(centre, replace(existing, unit_number="")) == []


def test_duplicates_are_the_candidates_own_live_entries(
    centre, approved, ada, qualification, unit1, unit2, admin
):
    """The centre's live entries are read whole; each row is matched to its own candidate's
    entries only, and a withdrawn entry does not count."""
    grace = CandidateFactory(centre=centre, candidate_number="0101")
    absent = CandidateFactory(centre=centre, candidate_number="0300")
    for candidate, unit, status in (
        (grace, unit1, Entry.Status.ACCEPTED),
        (ada, unit1, Entry.Status.WITHDRAWN),
        (absent, unit2, Entry.Status.SUBMITTED),
    ):
        Entry.objects.create(
            centre=centre,
            qualification=qualification,
            kind=Entry.Kind.NAMED,
            candidate=candidate,
            unit=unit,
            status=status,
            process_by=NOW,
        )
    blank = {"first_name": "", "last_name": "", "date_of_birth": None, "sex": ""}
    rows = [
        row(2, candidate_number="0001", unit_number="1", **blank),
        row(3, candidate_number="0001", unit_number="2", **blank),
        row(4, candidate_number="0101", unit_number="2", **blank),
        row(5, candidate_number="0101", unit_number="1", **blank),
        row(6, candidate_number="0101", unit_number="", **blank),
    ]
    assert errors_for(centre, *rows) == [(5, "unit_number")]
    assert "Candidate 0101 already has a live entry for X9001 unit 1" in messages_for(centre, *rows)


def test_checking_rows_takes_the_same_queries_for_3_or_300_known_candidates(
    centre, approved, qualification, unit1, django_assert_max_num_queries
):
    """Candidates the centre has, each with a live entry: no query per candidate, and every
    duplicate is found."""

    def known(count, first):
        candidates = [
            CandidateFactory(centre=centre, candidate_number=f"{n:04d}")
            for n in range(first, first + count)
        ]
        Entry.objects.bulk_create(
            Entry(
                centre=centre,
                qualification=qualification,
                kind=Entry.Kind.NAMED,
                candidate=c,
                unit=unit1,
                process_by=NOW,
            )
            for c in candidates
        )
        return [
            row(
                n + 2,
                candidate_number=c.candidate_number,
                first_name="",
                last_name="",
                date_of_birth=None,
                sex="",
            )
            for n, c in enumerate(candidates)
        ]

    few, many = known(3, 1), known(300, 1001)
    with CaptureQueriesContext(connection) as at_three:
        assert len(check_named_entry_rows(centre=centre, rows=few)) == 3
    with django_assert_max_num_queries(len(at_three.captured_queries)):
        errors = check_named_entry_rows(centre=centre, rows=many)
    assert [(e.row_number, e.column) for e in errors] == [
        (n + 2, "unit_number") for n in range(300)
    ]


def test_same_row_twice_in_the_file(centre, approved):
    assert errors_for(centre, row(2), row(3), row(4, unit_number="")) == [(3, "unit_number")]
    assert "also on row 2" in messages_for(centre, row(2), row(3))
    assert errors_for(centre, row(2, unit_number=""), row(3, unit_number="")) == [(3, "entry_code")]


def test_same_candidate_number_twice_with_different_details(centre, approved):
    rows = [row(2), row(3, unit_number="2", last_name="Hooper")]
    assert errors_for(centre, *rows) == [(3, "last_name")]
    assert "also on row 2 with different details" in messages_for(centre, *rows)
    # The same details in another case and spacing are the same candidate.
    assert errors_for(centre, row(2), row(3, unit_number="2", first_name=" grace ")) == []


def test_same_unit_same_uci_at_another_centre_in_bulk(
    centre, other_centre, approved, ada, qualification, unit1
):
    given = "681990012058G"
    twin = CandidateFactory(centre=other_centre, uci=ada.uci)
    stranger = CandidateFactory(centre=other_centre, uci=given)
    for candidate in (twin, stranger):
        Entry.objects.create(
            centre=other_centre,
            qualification=qualification,
            kind=Entry.Kind.NAMED,
            candidate=candidate,
            unit=unit1,
            process_by=NOW,
        )
    existing = row(
        2, candidate_number="0001", first_name="Ada", last_name="Lovelace", date_of_birth=None
    )
    new = row(3, uci=given)
    assert errors_for(centre, existing, new) == [(2, "unit_number"), (3, "unit_number")]
    assert "at centre 23456" in messages_for(centre, existing)
    # Other units and the full award are fine; a withdrawn entry elsewhere does not count.
    assert (
        errors_for(centre, replace(existing, unit_number="2"), replace(new, unit_number="")) == []
    )
    Entry.objects.update(status=Entry.Status.WITHDRAWN)
    assert errors_for(centre, existing, new) == []


def test_errors_come_in_row_order_with_every_problem(centre, approved):
    rows = [
        row(2, first_name="", sex="Q"),
        row(3, candidate_number="0102"),
        row(4, candidate_number="0103", entry_code="nope"),
    ]
    assert errors_for(centre, *rows) == [(2, "first_name"), (2, "sex"), (4, "entry_code")]


def rows_for(count, existing):
    """``count`` rows: a full award for each of ``count - len(existing)`` new candidates (some
    with a UCI given) and unit 1 for each existing candidate, by number only."""
    new = [
        row(
            n + 2,
            candidate_number=f"{n + 101:04d}",
            unit_number="" if n % 2 else "1",
            uci=""
            if n % 3
            else make_uci(centre_number="34567", year=2024, candidate_number=str(n + 1)),
        )
        for n in range(count - len(existing))
    ]
    known = [
        row(
            count + i + 2,
            candidate_number=c.candidate_number,
            first_name="",
            last_name="",
            date_of_birth=None,
            sex="",
        )
        for i, c in enumerate(existing)
    ]
    return new + known


def test_checking_rows_takes_the_same_queries_for_10_or_1000(
    centre, approved, django_assert_max_num_queries
):
    existing = [CandidateFactory(centre=centre, candidate_number=f"{n:04d}") for n in range(1, 6)]
    small, big = rows_for(10, existing), rows_for(1000, existing)
    assert (len(small), len(big)) == (10, 1000)
    with CaptureQueriesContext(connection) as at_ten:
        assert check_named_entry_rows(centre=centre, rows=small) == []
    assert len(at_ten.captured_queries) <= 5
    with django_assert_max_num_queries(len(at_ten.captured_queries)):
        assert check_named_entry_rows(centre=centre, rows=big) == []


# --- Writing bulk rows ------------------------------------------------------------------------


def test_make_named_entries_creates_candidates_entries_and_one_event(
    centre, approved, ada, qualification, admin
):
    upload = EntryUpload.objects.create(centre=centre, uploaded_by=admin, original_name="e.csv")
    rows = [
        row(2, uci=""),
        row(3, unit_number="2", uci=""),
        row(
            4,
            candidate_number="102",
            first_name="Alan",
            last_name="Turing",
            sex="M",
            uci="681990012058G",
            uln=VALID_ULN,
            unit_number="",
        ),
        row(5, candidate_number="0001", first_name="", last_name="", date_of_birth=None, sex=""),
    ]
    done = []
    entries = make_named_entries(
        centre=centre, rows=rows, by=admin, upload=upload, progress=done.append
    )
    assert len(entries) == 4 and done == [4]
    grace = Candidate.objects.get(centre=centre, candidate_number="0101")
    assert grace.uci == make_uci(centre_number="12345", year=2026, candidate_number="0101")
    assert (grace.first_name, grace.last_name, grace.sex) == ("Grace", "Hopper", "F")
    alan = Candidate.objects.get(centre=centre, candidate_number="0102")
    assert (alan.uci, alan.uln) == ("681990012058G", VALID_ULN)
    stored = Entry.objects.filter(upload=upload).order_by("id")
    assert stored.count() == 4
    assert {e.status for e in stored} == {Entry.Status.SUBMITTED}
    assert {e.process_by for e in stored} == {NOW + timedelta(hours=48)}
    assert [e.candidate.candidate_number for e in stored] == ["0101", "0101", "0102", "0001"]
    assert [e.unit.number if e.unit else None for e in stored] == ["1", "2", None, "1"]
    assert {
        (e.centre_id, e.qualification_id, e.kind, e.quantity, e.option_code, e.submitted_by_id)
        for e in stored
    } == {(centre.pk, qualification.pk, Entry.Kind.NAMED, 1, "", admin.pk)}
    assert {
        (e.submitted_at, e.processed_at, e.rejection_reason, e.review_reason) for e in stored
    } == {(NOW, None, "", "")}
    assert [e.pk for e in entries] == [e.pk for e in stored]  # the entries returned are saved
    event = AuditEvent.objects.get(action="entries.bulk_created")
    assert event.data == {"count": 4, "new_candidates": 2, "upload": upload.pk}
    assert event.actor == admin and event.centre == centre
    assert not AuditEvent.objects.filter(action="entry.created").exists()


def test_make_named_entries_is_all_or_nothing(centre, approved, ada, admin):
    rows = [row(2), row(3, candidate_number="0102"), row(4, candidate_number="0103", sex="?")]
    with pytest.raises(EntryRowsError) as refused:
        make_named_entries(centre=centre, rows=rows, by=admin)
    assert isinstance(refused.value, EntryError)
    assert refused.value.errors == [
        RowError(4, "sex", "Choose the candidate's sex as recorded for exams (F or M)."),
    ]
    assert "Row 4, sex" in str(refused.value)
    assert Candidate.objects.count() == 1  # only Ada
    assert nothing_written()


def test_make_named_entries_refuses_no_rows(centre, admin):
    with pytest.raises(EntryError, match="no entries"):
        make_named_entries(centre=centre, rows=[], by=admin)


def test_make_named_entries_reports_progress_per_batch(centre, approved, admin, monkeypatch):
    monkeypatch.setattr(bulk, "BATCH_SIZE", 2)
    rows = [row(n, candidate_number=f"{n:04d}", unit_number="") for n in range(2, 7)]
    done = []
    make_named_entries(centre=centre, rows=rows, by=admin, progress=done.append)
    assert done == [2, 4, 5]
    assert Entry.objects.count() == 5 and Candidate.objects.count() == 5


def test_make_named_entries_has_no_per_row_queries(centre, approved, admin):
    rows = [row(n + 2, candidate_number=f"{n + 1:04d}", unit_number="") for n in range(1500)]
    with CaptureQueriesContext(connection) as queries:
        make_named_entries(centre=centre, rows=rows, by=admin)
    assert Entry.objects.count() == 1500 and Candidate.objects.count() == 1500
    assert len(queries.captured_queries) < 150  # bulk inserts, not 3,000 single ones


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_bulk_writes_at_a_centre_take_turns(centre, approved, admin):
    """The centre lock makes the second writer re-check after the first commits, so it is
    refused row by row rather than by a constraint error (or a second candidate 0101)."""
    rows = [row(2), row(3, unit_number="2")]
    barrier = threading.Barrier(2)
    outcomes = []

    def write():
        try:
            barrier.wait()
            make_named_entries(centre=centre, rows=rows, by=admin)
            outcomes.append("ok")
        except EntryRowsError as error:
            outcomes.append(error.errors[0].column)
        except Exception as error:  # reported by the assertion below
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=write) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "unit_number"]
    assert Candidate.objects.filter(centre=centre).count() == 1
    assert Entry.objects.count() == 2


# --- Pages ------------------------------------------------------------------------------------


def list_url(centre):
    return reverse("entries:list", args=[centre.number])


def test_list_shows_each_state(login, people, centre, approved, ada, qualification, unit1):
    admin = people["centre_admin"]
    submitted = make_named_entry(
        centre=centre, candidate=ada, qualification=qualification, unit=unit1, by=admin
    )
    rejected = make_unnamed_entry(centre=centre, qualification=qualification, quantity=3, by=admin)
    Entry.objects.filter(pk=rejected.pk).update(
        status=Entry.Status.REJECTED, rejection_reason="No moderator for this yet."
    )
    content = login(people["teacher"]).get(list_url(centre)).content.decode()
    assert "Submitted — will be processed by" in content
    # 48 hours on, in London time (GMT in early March); two days left.
    assert "4 March 2026, 09:00" in content and "2\xa0days left" in content
    assert "Rejected: No moderator for this yet." in content
    assert "3 unnamed candidates" in content
    assert "New named entry" not in content  # a teacher sees, but does not manage, entries
    assert submitted.candidate.last_name in content


def test_list_shows_allocated_moderators(login, people, centre, approved, qualification):
    moderator = UserFactory(full_name="Mo Derator", is_examiner_moderator=True)
    ModeratorAllocation.objects.create(
        centre=centre, qualification=qualification, moderator=moderator
    )
    content = login(people["centre_admin"]).get(list_url(centre)).content.decode()
    assert "Mo Derator" in content and "X9001" in content


def test_list_filters(login, people, centre, approved, ada, qualification, optioned, unit1):
    admin = people["centre_admin"]
    make_named_entry(
        centre=centre, candidate=ada, qualification=qualification, unit=unit1, by=admin
    )
    bob = CandidateFactory(
        centre=centre, candidate_number="0042", first_name="Bob", last_name="Tate"
    )
    make_named_entry(
        centre=centre, candidate=bob, qualification=optioned, option_code="A", by=admin
    )
    unnamed = make_unnamed_entry(centre=centre, qualification=qualification, quantity=9, by=admin)
    Entry.objects.filter(pk=unnamed.pk).update(status=Entry.Status.ACCEPTED)
    client = login(admin)

    def shown(**params):
        response = client.get(list_url(centre), params)
        return sorted(str(e.pk) for e in response.context["entries"])

    ids = {e.candidate_id or "unnamed": str(e.pk) for e in Entry.objects.all()}
    assert shown(q="lovelace") == [ids[ada.pk]]
    assert shown(q="42") == [ids[bob.pk]]
    assert shown(qualification=optioned.pk) == [ids[bob.pk]]
    assert shown(status="accepted") == [ids["unnamed"]]
    assert shown(kind="unnamed") == [ids["unnamed"]]
    assert len(shown()) == 3


def test_list_query_count_is_the_same_for_1_or_500_entries(
    login, people, centre, approved, qualification, django_assert_max_num_queries
):
    admin = people["centre_admin"]
    client = login(admin)
    first = CandidateFactory(centre=centre, candidate_number="0001")
    make_named_entry(centre=centre, candidate=first, qualification=qualification, by=admin)
    client.get(list_url(centre))  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as one:
        assert client.get(list_url(centre)).status_code == 200

    others = Candidate.objects.bulk_create(
        CandidateFactory.build(centre=centre, candidate_number=f"{n:04d}") for n in range(2, 501)
    )
    now = timezone.now()
    Entry.objects.bulk_create(
        Entry(
            centre=centre,
            qualification=qualification,
            kind=Entry.Kind.NAMED,
            candidate=candidate,
            submitted_at=now,
            process_by=now + timedelta(hours=48),
        )
        for candidate in others
    )
    assert Entry.objects.filter(centre=centre).count() == 500
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(list_url(centre))
    assert len(response.context["entries"]) == 50
    assert response.context["page_obj"].paginator.num_pages == 10


def test_create_named_entry_page(login, people, centre, approved, ada, qualification, unit1):
    client = login(people["centre_admin"])
    url = reverse("entries:new-named", args=[centre.number])
    page = client.get(url, {"candidate": ada.pk})
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["candidate"] == str(ada.pk)
    assert "X9001 unit 1: Fundamentals of IT" in page.content.decode()
    response = client.post(
        url, {"candidate": ada.pk, "qualification": qualification.pk, "unit": unit1.pk}
    )
    assert response.status_code == 302 and response["Location"] == list_url(centre)
    entry = Entry.objects.get()
    assert (entry.candidate, entry.unit, entry.submitted_by) == (ada, unit1, people["centre_admin"])


def test_named_entry_form_narrows_choices_to_the_centre(
    login, people, centre, other_centre, approved, ada, unapproved, qualification
):
    stranger = CandidateFactory(centre=other_centre, candidate_number="0777")
    UnitFactory(qualification=unapproved, number="5")
    client = login(people["centre_admin"])
    url = reverse("entries:new-named", args=[centre.number])
    form = client.get(url).context["form"]
    assert unapproved not in form.fields["qualification"].queryset
    assert not form.fields["unit"].queryset.filter(qualification=unapproved).exists()
    response = client.post(url, {"candidate": stranger.pk, "qualification": qualification.pk})
    assert response.context["form"].errors["candidate_query"] == [
        "Choose the candidate from the list"
    ]
    response = client.post(url, {"candidate": ada.pk, "qualification": unapproved.pk})
    assert "qualification" in response.context["form"].errors
    assert not Entry.objects.exists()


def test_named_entry_page_shows_the_services_refusal(
    login, people, centre, approved, ada, qualification, optioned, unit1
):
    client = login(people["centre_admin"])
    url = reverse("entries:new-named", args=[centre.number])
    response = client.post(url, {"candidate": ada.pk, "qualification": optioned.pk})
    assert response.status_code == 200
    assert "Choose an option code for X9002" in response.content.decode()
    response = client.post(
        url,
        {"candidate": ada.pk, "qualification": optioned.pk, "unit": unit1.pk, "option_code": "A"},
    )
    assert "Choose one of the units of X9002, or full award" in response.content.decode()
    # A refusal only the service knows (the candidate already entered) is shown on the form.
    make_named_entry(
        centre=centre,
        candidate=ada,
        qualification=optioned,
        option_code="A",
        by=people["centre_admin"],
    )
    response = client.post(
        url, {"candidate": ada.pk, "qualification": optioned.pk, "option_code": "B"}
    )
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert Entry.objects.count() == 1


def test_create_unnamed_entries_page(login, people, centre, approved, qualification):
    client = login(people["centre_admin"])
    url = reverse("entries:new-unnamed", args=[centre.number])
    assert client.get(url).status_code == 200
    response = client.post(url, {"qualification": qualification.pk, "quantity": 501})
    assert response.status_code == 200 and "quantity" in response.context["form"].errors
    response = client.post(url, {"qualification": qualification.pk, "quantity": 30})
    assert response.status_code == 302
    assert Entry.objects.get().quantity == 30


@pytest.mark.parametrize("person", ["teacher", "head_of_centre", "aam_user"])
def test_only_centre_admins_make_entries(
    login, people, centre, approved, ada, qualification, person
):
    client = login(people[person])
    for name in ("entries:new-named", "entries:new-unnamed"):
        url = reverse(name, args=[centre.number])
        assert client.get(url).status_code == 403
        assert (
            client.post(
                url, {"candidate": ada.pk, "qualification": qualification.pk, "quantity": 2}
            ).status_code
            == 403
        )
    assert not Entry.objects.exists()


def test_aam_user_cannot_see_entries(login, people, centre):
    assert login(people["aam_user"]).get(list_url(centre)).status_code == 403


def test_withdraw_from_the_list(login, people, centre, approved, ada, qualification):
    """The list links to a confirmation page naming the candidate and the qualification; the
    reason is required; the entry is withdrawn with it, audited, and the list is back with its
    filters."""
    admin = people["centre_admin"]
    entry = make_named_entry(centre=centre, candidate=ada, qualification=qualification, by=admin)
    client = login(admin)
    url = reverse("entries:withdraw", args=[centre.number, entry.pk])
    content = client.get(list_url(centre) + "?status=submitted").content.decode()
    assert f"{url}?next=%2Fcentres%2F12345%2Fentries%2F%3Fstatus%3Dsubmitted" in content

    page = client.get(url, {"next": list_url(centre) + "?status=submitted"}).content.decode()
    assert "Withdraw this entry?" in page
    assert "Ada Lovelace" in page and "X9001" in page and "Cambridge Technical in IT" in page

    response = client.post(url, {"reason": "   ", "next": list_url(centre)})
    assert response.status_code == 200
    assert "Enter the reason for withdrawing the entry." in response.content.decode()
    entry.refresh_from_db()
    assert entry.status == Entry.Status.SUBMITTED
    assert not AuditEvent.objects.filter(action="entry.withdrawn").exists()

    response = client.post(
        url, {"reason": "Left the centre", "next": list_url(centre) + "?status=submitted"}
    )
    assert response["Location"] == list_url(centre) + "?status=submitted"
    entry.refresh_from_db()
    assert entry.status == Entry.Status.WITHDRAWN
    assert entry.withdrawal_reason == "Left the centre"
    assert entry.withdrawn_by == admin
    event = AuditEvent.objects.get(action="entry.withdrawn")
    assert event.data["reason"] == "Left the centre" and event.actor == admin

    # A second time: the page says why not, and a post changes nothing.
    page = client.get(url).content.decode()
    assert "only live entries can be withdrawn" in page
    assert 'name="reason"' not in page
    response = client.post(url, {"reason": "Again", "next": "https://evil.example/"})
    assert "only live entries can be withdrawn" in response.content.decode()
    assert AuditEvent.objects.filter(action="entry.withdrawn").count() == 1


def test_withdraw_goes_back_only_to_the_entries_list(
    login, people, centre, approved, ada, qualification
):
    admin = people["centre_admin"]
    entry = make_named_entry(centre=centre, candidate=ada, qualification=qualification, by=admin)
    url = reverse("entries:withdraw", args=[centre.number, entry.pk])
    response = login(admin).post(url, {"reason": "Left", "next": "https://evil.example/"})
    assert response["Location"] == list_url(centre)


def test_withdraw_page_says_what_blocks_it(
    login, people, centre, approved, ada, qualification, monkeypatch
):
    admin = people["centre_admin"]
    entry = make_named_entry(centre=centre, candidate=ada, qualification=qualification, by=admin)
    monkeypatch.setattr(entry_withdrawal_blockers, "receivers", (lambda e: "a claim includes it",))
    page = login(admin).get(reverse("entries:withdraw", args=[centre.number, entry.pk]))
    assert "This entry cannot be withdrawn: a claim includes it" in page.content.decode()
    assert 'name="reason"' not in page.content.decode()


def test_withdraw_needs_a_reason(centre, approved, ada, qualification, admin):
    entry = make_named_entry(centre=centre, candidate=ada, qualification=qualification, by=admin)
    with pytest.raises(EntryError, match="Enter the reason"):
        withdraw_entry(entry=entry, by=admin, reason=" \n ")
    with pytest.raises(EntryError, match="1000 characters or fewer"):
        withdraw_entry(entry=entry, by=admin, reason="x" * 1001)
    entry.refresh_from_db()
    assert entry.status == Entry.Status.SUBMITTED


def test_withdraw_another_centres_entry_is_404(
    login, people, centre, other_centre, approved, qualification
):
    stranger = CandidateFactory(centre=other_centre)
    entry = make_named_entry(
        centre=other_centre, candidate=stranger, qualification=qualification, by=None
    )
    client = login(people["centre_admin"])
    assert (
        client.post(reverse("entries:withdraw", args=[centre.number, entry.pk])).status_code == 404
    )
    assert (
        client.post(reverse("entries:withdraw", args=[other_centre.number, entry.pk])).status_code
        == 404
    )
    assert client.get(reverse("entries:amend", args=[centre.number, entry.pk])).status_code == 404
    entry.refresh_from_db()
    assert entry.status == Entry.Status.SUBMITTED


def test_teacher_cannot_withdraw(login, people, centre, approved, ada, qualification):
    entry = make_named_entry(
        centre=centre, candidate=ada, qualification=qualification, by=people["centre_admin"]
    )
    response = login(people["teacher"]).post(
        reverse("entries:withdraw", args=[centre.number, entry.pk])
    )
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.status == Entry.Status.SUBMITTED


def test_amend_page(login, people, centre, approved, qualification):
    admin = people["centre_admin"]
    entry = make_unnamed_entry(centre=centre, qualification=qualification, quantity=4, by=admin)
    client = login(admin)
    url = reverse("entries:amend", args=[centre.number, entry.pk])
    page = client.get(url)
    assert page.status_code == 200 and "option_code" not in page.context["form"].fields
    assert client.post(url, {"quantity": 12}).status_code == 302
    entry.refresh_from_db()
    assert entry.quantity == 12
    Entry.objects.filter(pk=entry.pk).update(status=Entry.Status.ACCEPTED)
    assert client.get(url).status_code == 302


def test_dashboard_panel_shows_entries_awaiting_processing(
    login, people, centre, approved, ada, qualification
):
    admin = people["centre_admin"]
    make_named_entry(centre=centre, candidate=ada, qualification=qualification, by=admin)
    with time_machine.travel(NOW + timedelta(hours=5), tick=False):
        make_unnamed_entry(centre=centre, qualification=qualification, quantity=3, by=admin)
    with time_machine.travel(NOW + timedelta(hours=6), tick=False):
        content = login(admin).get("/").content.decode()
    assert "2 entries awaiting processing" in content
    assert "4 March 2026, 09:00" in content  # the earlier deadline
    assert reverse("entries:list", args=[centre.number]) in content
    assert "awaiting processing" not in login(people["teacher"]).get("/").content.decode()


def test_dashboard_task_hidden_when_nothing_waits(login, people, centre):
    assert "awaiting processing" not in login(people["centre_admin"]).get("/").content.decode()


def test_dashboard_shows_entries_rejected_in_the_last_30_days(
    login, people, centre, approved, ada, qualification
):
    admin = people["centre_admin"]
    entry = make_named_entry(centre=centre, candidate=ada, qualification=qualification, by=admin)
    Entry.objects.filter(pk=entry.pk).update(
        status=Entry.Status.REJECTED, processed_at=NOW + timedelta(hours=1)
    )
    with time_machine.travel(NOW + timedelta(days=2), tick=False):
        content = login(admin).get("/").content.decode()
    assert "1 entry rejected: read the reasons" in content
    assert reverse("entries:list", args=[centre.number]) + "?status=rejected" in content
    with time_machine.travel(NOW + timedelta(days=40), tick=False):
        assert "entry rejected" not in login(admin).get("/").content.decode()
