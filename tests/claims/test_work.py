"""The work of a submitted claim: evidence checked by content and size, postal dispatch, the
moderator's receipt and the results deadline."""

from datetime import date, datetime, timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from claims.models import Claim, Dispatch, Evidence
from claims.services import ClaimError
from claims.services.claims import add_line, start_claim, submit_claim
from claims.services.work import add_evidence, confirm_receipt, record_dispatch
from ocradmin.models import AuditEvent, Notification
from ocradmin.workdays import LONDON

from ..entries.factories import CandidateFactory
from .files import MP4, PDF, PNG, docx, upload, zip_bytes


@pytest.fixture
def submitted(setup, centre, people):
    claim = start_claim(centre=centre, qualification=setup["qualification"], by=people["teacher"])
    units = setup["units"]
    add_line(claim=claim, candidate=setup["full"], unit=units["1"], grade="D", by=people["teacher"])
    add_line(claim=claim, candidate=setup["full"], unit=units["3"], grade="M", by=people["teacher"])
    add_line(
        claim=claim, candidate=setup["unit_only"], unit=units["3"], grade="P", by=people["teacher"]
    )
    return submit_claim(claim=claim, declaration=True, by=people["teacher"])


def send(claim, setup, who, unit, name, content, by):
    return add_evidence(
        claim=claim,
        candidate=setup[who],
        unit=setup["units"][unit],
        file=upload(name, content),
        by=by,
    )


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("portfolio.pdf", PDF, "pdf"),
        ("Report.DOCX", docx(), "document"),
        ("photo.png", PNG, "image"),
        ("presentation.mp4", MP4, "video"),
        ("folder.zip", zip_bytes({"a.txt": b"hello"}), "zip"),
    ],
)
def test_accepted_kinds_are_stored_with_their_kind(submitted, setup, people, name, content, kind):
    evidence = send(submitted, setup, "full", "1", name, content, people["teacher"])
    assert evidence.kind == kind
    assert evidence.original_name == name
    assert name not in evidence.file.name  # stored under a random name
    assert evidence.file.read() == content


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("essay.pdf", b"MZ\x90\x00 not a pdf", "named as a PDF but its content is not"),
        (
            "essay.docx",
            PDF,
            "named as a Word, Excel or PowerPoint document but its content is a PDF",
        ),
        ("photo.jpg", PNG, "named as a JPEG image but its content is a PNG image"),
        ("run.exe", b"MZ\x90\x00", "not a type of file that can be sent"),
        ("notes.txt", b"hello", "not a type of file that can be sent"),
        ("..\\..\\secret.pdf", PDF, "contains a path"),
        ("C:\\Users\\work.pdf", PDF, "contains a path"),
        ("bad\x07name.pdf", PDF, "control characters"),
        ("empty.pdf", b"", "is empty"),
        ("slip.zip", zip_bytes({"../../etc/cron.d/x": b"x"}), "leaves the archive"),
        ("broken.zip", b"PK\x03\x04 broken", "damaged"),
    ],
)
def test_bad_files_are_refused_with_nothing_saved(submitted, setup, people, name, content, message):
    with pytest.raises(ClaimError, match=message):
        send(submitted, setup, "full", "1", name, content, people["teacher"])
    assert not Evidence.objects.exists()
    assert Claim.objects.get().status == Claim.Status.SUBMITTED


def test_a_zip_bomb_is_refused(submitted, setup, people):
    bomb = zip_bytes({"zeros.bin": b"\x00" * (8 * 1024 * 1024)})
    assert len(bomb) < 64 * 1024
    with pytest.raises(ClaimError, match="ZIP bomb"):
        send(submitted, setup, "full", "1", "work.zip", bomb, people["teacher"])
    assert not Evidence.objects.exists()


@override_settings(CLAIM_EVIDENCE_MAX_FILE_BYTES=1024)
def test_an_oversized_file_is_refused(submitted, setup, people):
    with pytest.raises(ClaimError, match="the largest file accepted is 1"):
        send(submitted, setup, "full", "1", "big.pdf", PDF + b"x" * 2000, people["teacher"])
    assert not Evidence.objects.exists()


@override_settings(CLAIM_EVIDENCE_MAX_CLAIM_BYTES=200)
def test_the_claim_cap_counts_every_file(submitted, setup, people):
    send(submitted, setup, "full", "1", "a.pdf", PDF + b"x" * 100, people["teacher"])
    with pytest.raises(ClaimError, match="a claim holds at most"):
        send(submitted, setup, "full", "3", "b.pdf", PDF + b"x" * 100, people["teacher"])
    assert Evidence.objects.count() == 1


def test_a_file_for_a_candidate_not_in_the_claim_is_refused(submitted, setup, people, centre):
    with pytest.raises(ClaimError, match="not in this claim for unit 1"):
        send(submitted, setup, "unit_only", "1", "a.pdf", PDF, people["teacher"])
    stranger = CandidateFactory(centre=centre)
    with pytest.raises(ClaimError, match="not in this claim"):
        add_evidence(
            claim=submitted,
            candidate=stranger,
            unit=setup["units"]["1"],
            file=upload("a.pdf", PDF),
            by=people["teacher"],
        )
    assert not Evidence.objects.exists()


def test_work_is_sent_once_every_line_has_a_file(submitted, setup, people):
    send(submitted, setup, "full", "1", "a.pdf", PDF, people["teacher"])
    send(submitted, setup, "full", "3", "b.pdf", PDF, people["teacher"])
    assert Claim.objects.get().status == Claim.Status.SUBMITTED
    send(submitted, setup, "unit_only", "3", "c.pdf", PDF, people["teacher"])
    claim = Claim.objects.get()
    assert claim.status == Claim.Status.WORK_SENT
    assert claim.work_sent_at and claim.work_received_at == claim.work_sent_at
    assert claim.results_due_on is not None
    assert AuditEvent.objects.filter(action="claim.evidence_uploaded").count() == 3
    assert AuditEvent.objects.filter(action="claim.work_sent").count() == 1
    with pytest.raises(ClaimError, match="already been sent"):
        send(submitted, setup, "full", "1", "late.pdf", PDF, people["teacher"])


def test_evidence_for_a_draft_is_refused(setup, centre, people):
    claim = start_claim(centre=centre, qualification=setup["qualification"], by=people["teacher"])
    add_line(
        claim=claim,
        candidate=setup["full"],
        unit=setup["units"]["1"],
        grade="D",
        by=people["teacher"],
    )
    with pytest.raises(ClaimError, match="Submit the claim first"):
        send(claim, setup, "full", "1", "a.pdf", PDF, people["teacher"])


def test_posted_work_is_sent_then_received_by_the_moderator(submitted, people):
    today = timezone.localdate()
    record_dispatch(
        claim=submitted,
        posted_on=today,
        carrier="Royal Mail",
        tracking_reference="AB123456789GB",
        by=people["centre_admin"],
    )
    claim = Claim.objects.get()
    assert claim.status == Claim.Status.WORK_SENT and claim.work_received_at is None
    assert Notification.objects.filter(user=people["moderator"], subject__contains="post")
    with pytest.raises(ClaimError, match="already been sent"):
        record_dispatch(
            claim=claim,
            posted_on=today,
            carrier="DHL",
            tracking_reference="1",
            by=people["teacher"],
        )
    with pytest.raises(ClaimError, match="Only the claim's examiner-moderator"):
        confirm_receipt(claim=claim, by=people["centre_admin"])
    claim = confirm_receipt(claim=claim, by=people["moderator"])
    assert claim.status == Claim.Status.WITH_MODERATOR
    assert claim.work_received_by == people["moderator"]
    assert claim.results_due_on is not None
    with pytest.raises(ClaimError, match="already with the moderator"):
        confirm_receipt(claim=claim, by=people["moderator"])
    assert Dispatch.objects.get().tracking_reference == "AB123456789GB"


def test_receipt_before_the_work_is_sent_is_refused(submitted, people):
    with pytest.raises(ClaimError, match="not been sent yet"):
        confirm_receipt(claim=submitted, by=people["moderator"])


@pytest.mark.parametrize(
    ("posted_on", "carrier", "tracking", "message"),
    [
        (date.today() + timedelta(days=3), "Royal Mail", "X1", "cannot be in the future"),
        (date(2020, 1, 1), "Royal Mail", "X1", "before the claim was submitted"),
        (date.today(), " ", "X1", "Enter the carrier"),
        (date.today(), "Royal Mail", "", "Enter the tracking reference"),
    ],
)
def test_bad_dispatches_are_refused(submitted, people, posted_on, carrier, tracking, message):
    with pytest.raises(ClaimError, match=message):
        record_dispatch(
            claim=submitted,
            posted_on=posted_on,
            carrier=carrier,
            tracking_reference=tracking,
            by=people["teacher"],
        )
    assert Claim.objects.get().status == Claim.Status.SUBMITTED
    assert not Dispatch.objects.exists()


def test_results_are_due_21_working_days_after_the_work_arrives(submitted, people, time_machine):
    record_dispatch(
        claim=submitted,
        posted_on=timezone.localdate(),
        carrier="Royal Mail",
        tracking_reference="X1",
        by=people["teacher"],
    )
    # Saturday 29 May 2021 in London: the count starts after the bank holiday on 31 May.
    time_machine.move_to(datetime(2021, 5, 29, 12, 0, tzinfo=LONDON), tick=False)
    claim = confirm_receipt(claim=submitted, by=people["moderator"])
    assert claim.results_due_on == date(2021, 6, 30)
