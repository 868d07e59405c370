"""What claims add to entries (a candidate in a submitted claim is fixed) and the demo data."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from claims.models import Claim, Evidence
from claims.services.claims import add_line, start_claim, submit_claim
from entries.services.candidates import results_exist, update_candidate
from ocradmin.models import AuditEvent


def test_a_candidate_in_a_submitted_claim_has_a_fixed_identity(setup, centre, people):
    candidate = setup["full"]
    claim = start_claim(centre=centre, qualification=setup["qualification"], by=people["teacher"])
    add_line(
        claim=claim,
        candidate=candidate,
        unit=setup["units"]["1"],
        grade="D",
        by=people["teacher"],
    )
    assert not results_exist(candidate)  # a draft fixes nothing
    submit_claim(claim=claim, declaration=True, by=people["teacher"])
    assert results_exist(candidate)
    try:
        update_candidate(candidate=candidate, by=people["centre_admin"], first_name="Renamed")
    except Exception as refusal:  # refused outright where identity is fixed …
        assert "correction" in str(refusal)
    else:  # … or flagged to staff as a change after results
        assert AuditEvent.objects.filter(action="candidate.identity_changed_after_results")


@pytest.mark.django_db
def test_the_demo_has_claims_in_every_state_at_both_centres_and_runs_twice(capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    for number in ("12345", "23456"):
        states = set(Claim.objects.filter(centre__number=number).values_list("status", flat=True))
        assert states == set(Claim.Status.values)
        assert Claim.objects.filter(
            centre__number=number, status="submitted", work_due_at__lt=timezone.now()
        ).exists()
        assert Evidence.objects.filter(claim__centre__number=number).exists()
    assert Claim.objects.count() == 18
    assert "claims: 0 demo claims" in capsys.readouterr().out
