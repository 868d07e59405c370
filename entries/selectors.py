"""Read queries that views and tasks share, scoped to a centre and free of N+1 queries."""

from datetime import timedelta

from django.db.models import Count, Min, Q

from centres.models import Qualification, QualificationApproval
from ocradmin.clocks import Clock, ClockSummary
from ocradmin.identifiers import is_ascii_digits

from .models import AccessArrangement, Candidate, CandidateCorrection, Entry, ModeratorAllocation

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


def entry_clock() -> ClockSummary:
    """The 24–48 h clock for the staff board: entries waiting, amber and breached, with staff,
    and the oldest, in one query at most once a minute (``Clock.board_summary``)."""
    return PROCESSING_CLOCK.board_summary(
        with_staff=Count("id", filter=Q(status=Entry.Status.NEEDS_REVIEW))
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


def search_candidates(centre, query: str, *, limit: int):
    """The centre's candidates matching every word typed: a number matches the candidate
    number (``8`` finds 0008) or the start of the UCI, other words the first or last name.
    At most ``limit``, by name."""
    words = query.split()[:5]
    if not words:
        return Candidate.objects.none()
    candidates = Candidate.objects.filter(centre=centre)
    for word in words:
        if is_ascii_digits(word):
            match = Q(candidate_number__startswith=word) | Q(uci__startswith=word)
            if len(word) <= 4:
                match |= Q(candidate_number=word.zfill(4))
        else:
            match = Q(first_name__icontains=word) | Q(last_name__icontains=word)
        candidates = candidates.filter(match)
    return candidates.order_by("last_name", "first_name", "candidate_number").only(
        "pk", "candidate_number", "first_name", "last_name", "date_of_birth", "uci"
    )[:limit]


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


def candidate_corrections(candidate):
    """The candidate's corrections, newest first (the candidate's page)."""
    return candidate.corrections.select_related("requested_by", "decided_by")


def pending_corrections():
    """The staff queue: corrections to candidates' identities waiting, oldest first."""
    return (
        CandidateCorrection.objects.filter(status=CandidateCorrection.Status.PENDING)
        .select_related("centre", "candidate", "requested_by")
        .order_by("requested_at", "id")
    )


def correction_summary() -> dict:
    """How many corrections wait for staff and when the oldest was asked for (one query)."""
    return CandidateCorrection.objects.filter(status=CandidateCorrection.Status.PENDING).aggregate(
        count=Count("id"), oldest=Min("requested_at")
    )


# --- Entries ----------------------------------------------------------------------------------


def centre_entries(centre):
    """The centre's entries, newest first (the entries page cuts its page from these, then
    reads the page's rows through ``entry_page_rows``)."""
    return Entry.objects.filter(centre=centre).order_by("-submitted_at", "-id")


ENTRY_ROW_FIELDS = (
    "pk",
    "candidate_id",
    "candidate__candidate_number",
    "candidate__first_name",
    "candidate__last_name",
    "quantity",
    "qualification__entry_code",
    "qualification__title",
    "unit_id",
    "unit__number",
    "option_code",
    "status",
    "submitted_at",
    "process_by",
    "processed_at",
    "rejection_reason",
    "withdrawn_at",
    "withdrawal_reason",
)


def entry_page_rows(page_ids, order) -> list[tuple]:
    """One page of the entries list: ``ENTRY_ROW_FIELDS`` of the entries whose ids
    ``page_ids`` (a sliced queryset of ids) holds, put in the list's ``order`` (a function
    ordering a queryset). The page is cut from the index of the centre's entries first and
    only its rows are joined to their candidates, qualifications and units: joined before the
    cut, a deep page reads and sorts every entry of the centre with its candidate."""
    return list(order(Entry.objects.filter(pk__in=page_ids)).values_list(*ENTRY_ROW_FIELDS))


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
