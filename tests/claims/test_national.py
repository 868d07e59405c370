"""seed_national's claims part, at a tiny scale: claims in every state with their lines, the
work sent, and the clock's notices already sent for the national claims on it."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import models
from django.db.models import Count
from django.utils import timezone

from claims.models import Claim, ClaimLine, Dispatch, Evidence
from claims.national import EVIDENCE_NAME
from claims.selectors import WORK_CLOCK
from ocradmin.clocks import unsent
from ocradmin.national import FIRST_NUMBER

pytestmark = pytest.mark.django_db

S = Claim.Status


@pytest.fixture(scope="module")
def national(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        out = io.StringIO()
        call_command("seed_national", centres=5, demo_centre_candidates=60, stdout=out)
        yield out.getvalue()
        call_command("flush", interactive=False, verbosity=0)


def national_claims():
    return Claim.objects.filter(centre__number__gte=str(FIRST_NUMBER))


def test_national_claims_in_every_state_with_their_lines(national):
    claims = national_claims()
    assert set(claims.values_list("status", flat=True)) == set(S.values)
    assert "claims.ClaimLine" in national and "claims: done" in national
    assert not claims.annotate(n=Count("lines")).filter(n=0).exists()
    # Every line's entry is the candidate's accepted entry for the claim's qualification.
    lines = ClaimLine.objects.filter(claim__in=claims).select_related("entry", "claim")
    assert lines.exists()
    for line in lines:
        assert line.entry.candidate_id == line.candidate_id
        assert line.entry.qualification_id == line.claim.qualification_id
        assert line.entry.status == "accepted"
    # No candidate and unit in two claims; at most one draft per centre and qualification.
    repeated = lines.values("candidate", "unit").annotate(n=Count("id")).filter(n__gt=1)
    assert not repeated.exists()
    drafts = claims.filter(status=S.DRAFT).values("centre", "qualification")
    assert not drafts.annotate(n=Count("id")).filter(n__gt=1).exists()


def test_submitted_claims_have_numbers_deadlines_and_their_work(national):
    claims = national_claims()
    for claim in claims.exclude(status=S.DRAFT):
        assert claim.number.startswith(f"{claim.centre.number}-")
        assert claim.work_due_at == claim.submitted_at + timezone.timedelta(hours=24)
        assert claim.moderator_id
    numbers = claims.exclude(number=None).values_list("number", flat=True)
    assert len(set(numbers)) == len(numbers)
    sent = claims.exclude(status__in=[S.DRAFT, S.SUBMITTED])
    for claim in sent:
        assert claim.work_sent_at
        has_work = Evidence.objects.filter(claim=claim).exists()
        assert has_work or Dispatch.objects.filter(claim=claim).exists()
    received = claims.filter(status__in=[S.WITH_MODERATOR, S.MODERATED])
    assert all(c.results_due_on and c.work_received_at for c in received)
    assert default_storage.exists(EVIDENCE_NAME)


def test_the_clock_has_already_told_of_the_national_claims_past_their_deadline(national):
    overdue = WORK_CLOCK.rows_in("breach").filter(pk__in=national_claims())
    assert overdue.exists()
    assert not unsent(overdue, f"{WORK_CLOCK.key}:breach").exists()
    assert not unsent(overdue, f"{WORK_CLOCK.key}:6h").exists()


def test_the_national_moderators_have_profiles_for_their_allocations(national):
    from centres.models import ModeratorProfile, Qualification
    from entries.models import ModeratorAllocation

    profiles = ModeratorProfile.objects.filter(user__email__endswith="@national.example")
    assert profiles.count() == 250
    vocational = set(
        Qualification.objects.filter(is_active=True, available_for_tags=False).values_list(
            "pk", flat=True
        )
    )
    for profile in profiles.prefetch_related("qualifications")[:5]:
        assert {q.pk for q in profile.qualifications.all()} == vocational
        assert profile.capacity >= 10
    # Every national allocation is within its moderator's profile.
    allocations = ModeratorAllocation.objects.filter(centre__number__gte=str(FIRST_NUMBER))
    assert allocations.exists()
    assert not allocations.exclude(qualification__moderators__user=models.F("moderator")).exists()
