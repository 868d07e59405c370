"""Reads of the claims app that views, services and tasks share (scoped, free of N+1)."""

from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta

from django.db.models import Count, Exists, F, OuterRef, Sum, Value
from django.db.models.functions import Coalesce, NullIf

from centres.models import Qualification, QualificationApproval, Unit
from entries.models import AccessArrangement, Entry, ModeratorAllocation
from ocradmin.clocks import Clock, ClockSummary

from .models import Claim, ClaimLine, Evidence, FullAwardRequest

FAIL_GRADE = "U"

# The 24-hour work clock: from submission (``work_due_at`` = submitted + 24 h) until the work
# is sent. One reminder 6 hours before; amber in those last 6 hours; overdue at the deadline.
WORK_REMINDER = timedelta(hours=6)
WORK_CLOCK = Clock(
    key="claims.work",
    rows=lambda: Claim.objects.filter(status=Claim.Status.SUBMITTED),
    deadline="work_due_at",
    amber=WORK_REMINDER,
    started="submitted_at",
    reminders=(WORK_REMINDER,),
    list_url="claims:staff-list",
)


def work_clock() -> ClockSummary:
    """The staff board's figures: claims whose work is due, due within 6 hours, overdue (at
    most once a minute, ``Clock.board_summary``)."""
    return WORK_CLOCK.board_summary()


def claims_on_the_clock(state: str):
    """For the staff list's ``?clock=`` filter: the claims whose work is due, in that state."""
    return WORK_CLOCK.rows_in(state).select_related("centre", "qualification", "moderator")


def staff_claims():
    """Every centre's claims for the staff list, newest first."""
    return Claim.objects.select_related("centre", "qualification", "moderator").order_by(
        "-created_at", "-id"
    )


def claimable_qualifications(centre):
    """Qualifications the centre can claim: approved, remotely moderated, with accepted named
    entries and an allocated examiner-moderator."""
    accepted = Entry.objects.filter(
        centre=centre,
        qualification=OuterRef("pk"),
        kind=Entry.Kind.NAMED,
        status=Entry.Status.ACCEPTED,
    )
    allocated = ModeratorAllocation.objects.filter(centre=centre, qualification=OuterRef("pk"))
    approved = QualificationApproval.objects.filter(
        centre=centre,
        qualification=OuterRef("pk"),
        status=QualificationApproval.Status.APPROVED,
    )
    return (
        Qualification.objects.filter(is_remotely_moderated=True)
        .filter(Exists(approved), Exists(accepted), Exists(allocated))
        .order_by("entry_code")
    )


def open_draft(centre, qualification) -> Claim | None:
    return Claim.objects.filter(
        centre=centre, qualification=qualification, status=Claim.Status.DRAFT
    ).first()


def centre_claims(centre):
    """The centre's claims for the list, newest first: one query whatever the number of lines."""
    return (
        Claim.objects.filter(centre=centre)
        .select_related("qualification", "built_by", "submitted_by")
        .annotate(
            line_count=Count("lines", distinct=True),
            candidate_count=Count("lines__candidate", distinct=True),
        )
        .order_by("-created_at", "-id")
    )


def claim_for_centre(centre, pk):
    """The centre's claim ``pk`` (None when it has none), its centre the one given: joining
    the centre again took a third of the query's time (~0.6 of 2 ms)."""
    claim = (
        Claim.objects.filter(centre=centre, pk=pk)
        .select_related("qualification", "moderator", "built_by", "submitted_by")
        .first()
    )
    if claim is not None:
        claim.centre = centre
    return claim


def claim_units(claim):
    return list(
        Unit.objects.filter(qualification_id=claim.qualification_id).order_by(
            "-is_mandatory", "number"
        )
    )


def claim_lines(claim, units=None):
    """The claim's lines with their candidates and units, by candidate then unit. Given the
    qualification's ``units`` (``claim_units``), each line's unit is taken from them rather
    than joined and built again for every line."""
    if units is None:
        return list(
            ClaimLine.objects.filter(claim=claim)
            .select_related("candidate", "unit")
            .order_by("candidate__candidate_number", "unit__number")
        )
    by_pk = {unit.pk: unit for unit in units}
    lines = list(
        ClaimLine.objects.filter(claim=claim)
        .select_related("candidate")
        .order_by("candidate__candidate_number", "unit__number")
    )
    for line in lines:
        line.unit = by_pk[line.unit_id]
    return lines


# --- Achieved units ---------------------------------------------------------------------------
# Until results exist a unit counts as achieved when an earlier submitted claim (not withdrawn)
# holds it with a grade above U. The results app adds its published results here with
# ``register_achieved_units_source``; every source's answers are merged.

AchievedSource = Callable[[Qualification, list[int], int | None], dict[int, set[int]]]
achieved_unit_sources: list[AchievedSource] = []


def register_achieved_units_source(func: AchievedSource) -> AchievedSource:
    if func not in achieved_unit_sources:
        achieved_unit_sources.append(func)
    return func


@register_achieved_units_source
def units_in_earlier_claims(qualification, candidate_ids, exclude_claim_id):
    # A line the moderator withdrew achieves nothing; a moderated line counts at the grade the
    # moderator gave it.
    rows = (
        ClaimLine.objects.filter(
            claim__qualification=qualification,
            claim__status__in=Claim.SUBMITTED_STATES,
            candidate_id__in=candidate_ids,
            released_at__isnull=True,
        )
        .annotate(effective_grade=Coalesce(NullIf("moderated_grade", Value("")), "grade"))
        .exclude(effective_grade=FAIL_GRADE)
        .exclude(claim_id=exclude_claim_id)
        .values_list("candidate_id", "unit_id")
    )
    achieved = defaultdict(set)
    for candidate_id, unit_id in rows:
        achieved[candidate_id].add(unit_id)
    return achieved


def achieved_units(qualification, candidate_ids, *, exclude_claim_id=None) -> dict[int, set[int]]:
    """``{candidate id: {unit ids achieved}}`` for the qualification, from every source."""
    merged = defaultdict(set)
    for source in achieved_unit_sources:
        for candidate_id, unit_ids in source(
            qualification, list(candidate_ids), exclude_claim_id
        ).items():
            merged[candidate_id] |= unit_ids
    return merged


# --- Building -----------------------------------------------------------------------------


def eligible_entries(claim):
    """The accepted named entries of the claim's centre and qualification, with candidates."""
    return (
        Entry.objects.filter(
            centre_id=claim.centre_id,
            qualification_id=claim.qualification_id,
            kind=Entry.Kind.NAMED,
            status=Entry.Status.ACCEPTED,
        )
        .select_related("candidate", "unit")
        .order_by("candidate__candidate_number", "unit__number")
    )


def taken_elsewhere(claim, candidate_ids=None) -> dict[tuple[int, int], str]:
    """``{(candidate id, unit id): claim label}`` held by the centre's other live claims."""
    lines = ClaimLine.objects.filter(
        claim__centre_id=claim.centre_id,
        claim__qualification_id=claim.qualification_id,
        claim__status__in=Claim.LIVE,
        released_at__isnull=True,
    ).exclude(claim_id=claim.pk)
    if candidate_ids is not None:
        lines = lines.filter(candidate_id__in=candidate_ids)
    return {
        (c, u): number or "a draft"
        for c, u, number in lines.values_list("candidate_id", "unit_id", "claim__number")
    }


def arrangements_for(claim, candidate_ids) -> dict[int, list[str]]:
    """Approved or referred access arrangements of the candidates, as short labels."""
    rows = AccessArrangement.objects.filter(
        candidate_id__in=candidate_ids,
        qualification_id=claim.qualification_id,
        status__in=[AccessArrangement.Status.APPROVED, AccessArrangement.Status.REFERRED],
    ).order_by("kind")
    labels = defaultdict(list)
    for arrangement in rows:
        label = arrangement.get_kind_display()
        if arrangement.extra_time_percent:
            label += f" {arrangement.extra_time_percent}%"
        if arrangement.status == AccessArrangement.Status.REFERRED:
            label += " (with the awarding body)"
        labels[arrangement.candidate_id].append(label)
    return labels


def claim_candidates(claim):
    """Every candidate the claim can hold, with what each can be claimed for.

    ``[{"candidate", "full_award_entry", "unit_ids" (claimable), "arrangements"}]`` in
    candidate-number order, in a fixed number of queries.
    """
    units = claim_units(claim)
    by_candidate: dict[int, dict] = {}
    for entry in eligible_entries(claim):
        row = by_candidate.setdefault(
            entry.candidate_id,
            {"candidate": entry.candidate, "full_award_entry": None, "unit_ids": set()},
        )
        if entry.unit_id is None:
            row["full_award_entry"] = entry
            row["unit_ids"] |= {u.pk for u in units}
        else:
            row["unit_ids"].add(entry.unit_id)
    arrangements = arrangements_for(claim, list(by_candidate))
    for candidate_id, row in by_candidate.items():
        row["arrangements"] = arrangements.get(candidate_id, [])
    return list(by_candidate.values())


def full_award_candidate_ids(claim) -> set[int]:
    return set(FullAwardRequest.objects.filter(claim=claim).values_list("candidate_id", flat=True))


# --- The work -------------------------------------------------------------------------------


def claim_evidence(claim):
    return list(
        Evidence.objects.filter(claim=claim)
        .select_related("candidate", "unit", "uploaded_by")
        .order_by("candidate__candidate_number", "unit__number", "uploaded_at")
    )


def evidence_bytes(claim) -> int:
    return Evidence.objects.filter(claim=claim).aggregate(total=Sum("size"))["total"] or 0


def lines_without_evidence(claim) -> int:
    has_evidence = Evidence.objects.filter(
        claim_id=claim.pk, candidate_id=OuterRef("candidate_id"), unit_id=OuterRef("unit_id")
    )
    return ClaimLine.objects.filter(claim=claim).filter(~Exists(has_evidence)).count()


# --- Elsewhere: the candidate page and the dashboard -----------------------------------------


def candidate_claim_lines(candidate):
    return list(
        ClaimLine.objects.filter(candidate=candidate)
        .select_related("claim__qualification", "unit")
        .order_by("-claim__created_at", "unit__number")
    )


def claims_to_do(centre_ids) -> list[dict]:
    """For the dashboard: drafts to submit and claims whose work is due at these centres (those
    where the user builds claims: centre admin or teacher), soonest work deadline first. Rows of
    ``pk, centre_id, number, status, work_due_at, entry_code, line_count``; one query."""
    if not centre_ids:
        return []
    return list(
        Claim.objects.filter(
            centre_id__in=centre_ids, status__in=[Claim.Status.DRAFT, Claim.Status.SUBMITTED]
        )
        .values("pk", "centre_id", "number", "status", "work_due_at")
        .annotate(entry_code=F("qualification__entry_code"), line_count=Count("lines"))
        .order_by("work_due_at", "created_at")
    )


def candidate_in_submitted_claim(candidate) -> bool:
    return ClaimLine.objects.filter(
        candidate=candidate, claim__status__in=Claim.SUBMITTED_STATES
    ).exists()
