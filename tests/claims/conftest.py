"""A claimable qualification at ``centre``: approved, two mandatory and three optional units
(3 needed), an allocated examiner-moderator, and accepted entries — ``full`` has a full-award
entry, ``unit_only`` an entry for unit 3 only, ``withdrawn`` a withdrawn full-award entry."""

from datetime import timedelta

import pytest
from django.utils import timezone

from entries.models import Entry, ModeratorAllocation

from ..entries.factories import ApprovalFactory, CandidateFactory, QualificationFactory, UnitFactory


def make_entry(centre, qualification, candidate, *, unit=None, status=Entry.Status.ACCEPTED):
    now = timezone.now()
    return Entry.objects.create(
        centre=centre,
        qualification=qualification,
        kind=Entry.Kind.NAMED,
        candidate=candidate,
        unit=unit,
        status=status,
        submitted_at=now - timedelta(days=10),
        process_by=now - timedelta(days=8),
        processed_at=now - timedelta(days=9),
    )


@pytest.fixture
def setup(centre, people):
    return claimable(centre, people)


def claimable(centre, people):
    qualification = QualificationFactory(entry_code="05840", units_required=3)
    units = {
        "1": UnitFactory(qualification=qualification, number="1", is_mandatory=True),
        "2": UnitFactory(qualification=qualification, number="2", is_mandatory=True),
        "3": UnitFactory(qualification=qualification, number="3"),
        "5": UnitFactory(qualification=qualification, number="5"),
        "6": UnitFactory(qualification=qualification, number="6"),
    }
    ApprovalFactory(centre=centre, qualification=qualification)
    ModeratorAllocation.objects.create(
        centre=centre, qualification=qualification, moderator=people["moderator"]
    )
    full = CandidateFactory(centre=centre)
    unit_only = CandidateFactory(centre=centre)
    withdrawn = CandidateFactory(centre=centre)
    entries = {
        "full": make_entry(centre, qualification, full),
        "unit_only": make_entry(centre, qualification, unit_only, unit=units["3"]),
        "withdrawn": make_entry(centre, qualification, withdrawn, status=Entry.Status.WITHDRAWN),
    }
    return {
        "qualification": qualification,
        "units": units,
        "full": full,
        "unit_only": unit_only,
        "withdrawn": withdrawn,
        "entries": entries,
    }
