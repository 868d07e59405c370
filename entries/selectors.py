"""Read queries that views and tasks share, scoped to a centre and free of N+1 queries."""

from datetime import timedelta

from django.db.models import Count, Min, Q
from django.utils import timezone

from centres.models import Membership, Qualification, QualificationApproval, Role
from ocradmin.clocks import Clock, ClockSummary
from ocradmin.models import AuditEvent

from .models import AccessArrangement, Candidate, Entry, ModeratorAllocation
from .services.candidates import IDENTITY_CHANGED_AFTER_RESULTS

WAITING = [Entry.Status.SUBMITTED, Entry.Status.NEEDS_REVIEW]

# The 24–48 h clock: ``process_by`` is submitted + 48 h, so amber (24 h left) is 24 h after
# submission and the breach is at 48 h.
PROCESSING_CLOCK = Clock(
    key="entries.processing",
    rows=lambda: Entry.objects.filter(status__in=WAITING),
    deadline="process_by",
    amber=timedelta(hours=24),
    started="submitted_at",
    list_url="entries:staff-review",
)


def entry_clock(now=None) -> ClockSummary:
    """The 24–48 h clock for the staff board: entries waiting, amber and breached, with staff,
    and the oldest, in one query."""
    return PROCESSING_CLOCK.summary(
        now, with_staff=Count("id", filter=Q(status=Entry.Status.NEEDS_REVIEW))
    )


def clock_state(entry, now=None) -> str:
    """``"breach"`` past process_by, ``"amber"`` after 24 h, else ``""``; for waiting entries."""
    if entry.status not in WAITING:
        return ""
    return PROCESSING_CLOCK.state(entry, now)


def entries_on_the_clock(state: str):
    """For the staff list's ``?clock=`` filter: the waiting entries in that state."""
    return PROCESSING_CLOCK.rows_in(state).select_related(
        "centre", "qualification", "unit", "candidate"
    )


def entries_with_staff():
    return (
        Entry.objects.filter(status=Entry.Status.NEEDS_REVIEW)
        .select_related("centre", "qualification", "unit", "candidate")
        .order_by("submitted_at", "id")
    )


# --- Candidates and access arrangements ------------------------------------------------------


def candidates_in(centre):
    return Candidate.objects.filter(centre=centre).order_by("candidate_number")


def candidate_entries(candidate):
    """The candidate's entries with their qualification and unit, newest first."""
    return Entry.objects.filter(candidate=candidate).select_related("qualification", "unit")


def candidate_arrangements(candidate):
    return candidate.access_arrangements.select_related("qualification", "decided_by")


def arrangements_in(centre):
    return AccessArrangement.objects.filter(centre=centre).select_related(
        "candidate", "qualification"
    )


def referred_arrangements():
    """The staff queue: arrangements beyond a centre's delegated authority, oldest first."""
    return (
        AccessArrangement.objects.filter(status=AccessArrangement.Status.REFERRED)
        .select_related("centre", "candidate", "qualification", "requested_by")
        .order_by("requested_at", "id")
    )


def referral_summary() -> dict:
    """How many arrangements wait for staff and when the oldest was referred (one query)."""
    return AccessArrangement.objects.filter(status=AccessArrangement.Status.REFERRED).aggregate(
        count=Count("id"), oldest=Min("requested_at")
    )


def identity_changes_after_results(*, days: int = 30, limit: int = 10):
    """Recent changes to candidates' identities made after they had results (staff board)."""
    return (
        AuditEvent.objects.filter(
            action=IDENTITY_CHANGED_AFTER_RESULTS, at__gte=timezone.now() - timedelta(days=days)
        )
        .select_related("centre", "actor")
        .order_by("-at", "-id")[:limit]
    )


# --- Entries ----------------------------------------------------------------------------------


def centre_entries(centre):
    """The centre's entries, newest first, with what the entries page shows on each row."""
    return (
        Entry.objects.filter(centre=centre)
        .select_related("qualification", "unit", "candidate")
        .order_by("-submitted_at", "-id")
    )


def approved_qualifications(centre):
    """The active qualifications the centre is approved for: the ones it may enter."""
    return Qualification.objects.filter(
        is_active=True,
        approvals__centre=centre,
        approvals__status=QualificationApproval.Status.APPROVED,
    ).order_by("entry_code")


def allocations_for(centre):
    """The examiner-moderator allocated to each of the centre's qualifications."""
    return (
        ModeratorAllocation.objects.filter(centre=centre)
        .select_related("qualification", "moderator")
        .order_by("qualification__entry_code")
    )


def entries_awaiting_processing(user) -> list[dict]:
    """For each centre the user is a centre admin of: entries waiting to be processed and the
    earliest deadline among them, soonest first (one query)."""
    admin_of = Membership.objects.filter(user=user, role=Role.CENTRE_ADMIN).values("centre_id")
    return list(
        Entry.objects.filter(
            centre_id__in=admin_of,
            status__in=[Entry.Status.SUBMITTED, Entry.Status.NEEDS_REVIEW],
        )
        .values("centre__number", "centre__name")
        .annotate(
            waiting=Count("id"),
            with_staff=Count("id", filter=Q(status=Entry.Status.NEEDS_REVIEW)),
            earliest=Min("process_by"),
        )
        .order_by("earliest", "centre__number")
    )
