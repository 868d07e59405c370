"""A claim with its examiner-moderator: ``with_moderator`` is a submitted claim (four lines:
``full`` for units 1 D, 2 M and 3 M, ``unit_only`` for unit 3 P) whose work was uploaded and
received, built through the claims services. ``big_claim(n)`` makes an n-line claim with the
moderator directly (for query counts and benchmarks)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from claims.models import Claim, ClaimLine
from claims.services.claims import add_line, start_claim, submit_claim
from claims.services.work import add_evidence, confirm_receipt

from ..claims.conftest import claimable, make_entry
from ..claims.files import PDF, upload
from ..entries.factories import CandidateFactory, QualificationFactory, UnitFactory
from ..factories import UserFactory

LINES = [("full", "1", "D"), ("full", "2", "M"), ("full", "3", "M"), ("unit_only", "3", "P")]


@pytest.fixture
def setup(centre, people):
    return claimable(centre, people)


def submitted_claim(centre, people, setup, lines=LINES):
    teacher = people["teacher"]
    claim = start_claim(centre=centre, qualification=setup["qualification"], by=teacher)
    for who, unit, grade in lines:
        add_line(
            claim=claim, candidate=setup[who], unit=setup["units"][unit], grade=grade, by=teacher
        )
    return submit_claim(claim=claim, declaration=True, by=teacher)


def send_work(claim, setup, people, lines=LINES):
    for who, unit, _ in lines:
        add_evidence(
            claim=claim,
            candidate=setup[who],
            unit=setup["units"][unit],
            file=upload(f"{who}-{unit}.pdf", PDF),
            by=people["teacher"],
        )
    claim.refresh_from_db()
    return claim


@pytest.fixture
def submitted(centre, people, setup):
    return submitted_claim(centre, people, setup)


@pytest.fixture
def with_moderator(submitted, setup, people):
    send_work(submitted, setup, people)
    return confirm_receipt(claim=submitted, by=people["moderator"])


@pytest.fixture
def moderator(people):
    return people["moderator"]


@pytest.fixture
def other_moderator(db):
    return UserFactory(email="moderator2@ocradmin.example", is_examiner_moderator=True)


def line(claim, candidate, unit_number):
    return ClaimLine.objects.select_related("unit", "candidate").get(
        claim=claim, candidate=candidate, unit__number=unit_number
    )


def big_claim(centre, moderator, n_lines: int, *, units=5, entry_code="05900"):
    """A claim with the moderator: ``n_lines`` lines over ``units`` units (n_lines / units
    candidates), made in bulk."""
    now = timezone.now()
    qualification = QualificationFactory(entry_code=entry_code)
    unit_rows = [UnitFactory(qualification=qualification, number=str(i + 1)) for i in range(units)]
    claim = Claim.objects.create(
        centre=centre,
        qualification=qualification,
        status=Claim.Status.WITH_MODERATOR,
        number=f"{centre.number}-{entry_code[-4:]}",
        moderator=moderator,
        submitted_at=now - timedelta(days=3),
        work_due_at=now - timedelta(days=2),
        work_sent_at=now - timedelta(days=2),
        work_received_at=now - timedelta(days=2),
        results_due_on=(now + timedelta(days=25)).date(),
    )
    rows = []
    for _ in range(n_lines // units):
        candidate = CandidateFactory(centre=centre)
        entry = make_entry(centre, qualification, candidate)
        for unit in unit_rows:
            rows.append(
                ClaimLine(claim=claim, candidate=candidate, unit=unit, entry=entry, grade="M")
            )
    ClaimLine.objects.bulk_create(rows)
    return claim
