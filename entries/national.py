"""The entries part of the national dataset: candidates, entries in every state, allocated
moderators and their audit events; and the demo centre made large."""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from centres.models import Centre, Qualification, QualificationApproval
from ocradmin.models import AuditEvent, User
from ocradmin.national import (
    DEMO_CENTRE,
    DEMO_GRID_CANDIDATES,
    Plan,
)

from .demo import demo_uln
from .models import Candidate, Entry, ModeratorAllocation
from .validators import make_uci

FIRST_NAMES = [
    "Oliver", "Amelia", "Harry", "Isla", "George", "Ava", "Noah", "Mia", "Jack", "Freya",
    "Leo", "Emily", "Arthur", "Grace", "Oscar", "Poppy", "Charlie", "Sophia", "Alfie", "Lily",
    "Muhammad", "Priya", "Rhys", "Siobhan", "Kwame", "Zara", "Tomasz", "Chloe", "Ethan", "Aisha",
]  # fmt: skip
LAST_NAMES = [
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
    "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Hughes",
    "Edwards", "Green", "Hall", "Khan", "Patel", "Morgan", "O'Brien", "Mensah", "Nowak", "Clarke",
    "Lewis", "Harris", "Begum", "Wood", "Turner", "Cooper", "Ward", "Price", "Smithson",
]  # fmt: skip
S = Entry.Status
# (share, status, hours ago at most): most entries accepted months ago, a few still waiting.
STATUSES = [
    (0.88, S.ACCEPTED, 24 * 300),
    (0.04, S.SUBMITTED, 60),
    (0.02, S.NEEDS_REVIEW, 72),
    (0.03, S.REJECTED, 24 * 200),
    (0.03, S.WITHDRAWN, 24 * 200),
]


def seed(plan: Plan) -> None:
    tags = set(Qualification.objects.filter(available_for_tags=True).values_list("pk", flat=True))
    moderators = list(
        User.objects.filter(is_examiner_moderator=True).order_by("pk").values_list("pk", flat=True)
    )
    year = timezone.localdate().year % 100
    chunks = list(plan.chunks())
    done = 0
    for chunk in chunks:
        with transaction.atomic():
            candidates = plan.add(
                Candidate,
                (
                    _candidate(plan, centre_id, plan.centre_sizes[centre_id][0], n, year)
                    for centre_id in chunk
                    for n in range(1, plan.centre_sizes[centre_id][1] + 1)
                ),
            )
            _audit_candidates(plan, candidates)
            by_centre: dict[int, list[Candidate]] = {}
            for c in candidates:
                by_centre.setdefault(c.centre_id, []).append(c)
            entries = []
            for centre_id in chunk:
                approved = plan.approved[centre_id]
                taggable = [q for q in approved if q in tags]
                vocational = [q for q in approved if q not in tags]
                for c in by_centre.get(centre_id, []):
                    entries += _entries_for(plan, c, taggable, vocational)
                entries.append(_entry(plan, centre_id, vocational[0], candidate=None, quantity=12))
            _add_entries(plan, entries)
            plan.add(
                ModeratorAllocation,
                (
                    ModeratorAllocation(
                        centre_id=centre_id,
                        qualification_id=q,
                        moderator_id=moderators[(centre_id + q) % len(moderators)],
                    )
                    for centre_id in chunk
                    for q in plan.approved[centre_id]
                    if q not in tags and moderators
                ),
            )
        done += len(chunk)
        plan.progress("candidates and entries", done, len(plan.centre_sizes))
    _enlarge_demo_centre(plan, year)


def _candidate(plan, centre_id, centre_number, n, year) -> Candidate:
    rng = plan.rng
    number = f"{n:04d}"
    return Candidate(
        centre_id=centre_id,
        candidate_number=number,
        uci=make_uci(centre_number=centre_number, year=year, candidate_number=number),
        uln=demo_uln((centre_id * 10_000 + n) % 70_000) if n % 3 else "",
        first_name=rng.choice(FIRST_NAMES),
        last_name=rng.choice(LAST_NAMES),
        date_of_birth=date(2003 + n % 5, 1 + n % 12, 1 + n % 28),
        sex="F" if rng.random() < 0.5 else "M",
    )


def _entries_for(plan, candidate, taggable, vocational) -> list[Entry]:
    """One to three full-award entries, mostly for 2021 TAG subjects."""
    rng = plan.rng
    chosen = rng.sample(taggable, min(len(taggable), rng.choice([1, 2, 2, 2, 3])))
    if vocational and rng.random() < 0.2:
        chosen.append(rng.choice(vocational))
    return [_entry(plan, candidate.centre_id, q, candidate=candidate) for q in chosen]


def _entry(plan, centre_id, qualification_id, *, candidate, quantity=1) -> Entry:
    share = plan.rng.random()
    for weight, status, hours in STATUSES:  # noqa: B007 (the last is the default)
        if share < weight:
            break
        share -= weight
    submitted = timezone.now() - timedelta(hours=plan.rng.uniform(1, hours))
    decided = status in (S.ACCEPTED, S.REJECTED)
    return Entry(
        centre_id=centre_id,
        qualification_id=qualification_id,
        kind=Entry.Kind.NAMED if candidate else Entry.Kind.UNNAMED,
        candidate=candidate,
        quantity=quantity,
        status=status,
        submitted_at=submitted,
        process_by=submitted + timedelta(hours=48),
        processed_at=submitted + timedelta(hours=20) if decided else None,
        rejection_reason="The candidate's date of birth does not match the UCI's record."
        if status == S.REJECTED
        else "",
        review_reason="The UCI belongs to a candidate at another centre."
        if status == S.NEEDS_REVIEW
        else "",
        withdrawn_at=submitted + timedelta(days=2) if status == S.WITHDRAWN else None,
    )


def _add_entries(plan, entries) -> None:
    saved = plan.add(Entry, entries)
    # Half were made one by one (an event each), half by upload (one event per centre).
    plan.audit(
        AuditEvent(
            action="entry.created",
            centre_id=e.centre_id,
            target_id=str(e.pk),
            target_repr=f"entry {e.pk}",
            at=e.submitted_at,
        )
        for e in saved
        if e.pk % 2
    )


def _audit_candidates(plan, candidates) -> None:
    plan.audit(
        AuditEvent(
            action="candidate.created",
            centre_id=c.centre_id,
            target_id=str(c.pk),
            target_repr=str(c),
            at=c.created_at,
        )
        for c in candidates
    )


def _enlarge_demo_centre(plan, year) -> None:
    """The demo centre gets 3,000 candidates (``plan.demo_centre_candidates``), and one of its
    TAG qualifications (the one its teacher grades) 300 entered candidates: a full grid page."""
    centre = Centre.objects.filter(number=DEMO_CENTRE).first()
    wanted = plan.demo_centre_candidates
    if centre is None or centre.candidates.count() >= wanted:
        return
    approved = list(
        Qualification.objects.filter(
            available_for_tags=True,
            approvals__centre=centre,
            approvals__status=QualificationApproval.Status.APPROVED,
        )
        .order_by("entry_code")
        .values_list("pk", flat=True)
    )
    grid = Qualification.objects.filter(entry_code="H240", pk__in=approved).first()
    have = set(centre.candidates.values_list("candidate_number", flat=True))
    with transaction.atomic():
        candidates = plan.add(
            Candidate,
            (
                _candidate(plan, centre.pk, DEMO_CENTRE, n, year)
                for n in range(1, wanted + 1)
                if f"{n:04d}" not in have
            ),
        )
        _audit_candidates(plan, candidates)
        entered = set(
            Entry.objects.filter(
                centre=centre, status__in=Entry.LIVE, candidate__isnull=False
            ).values_list("candidate_id", "qualification_id")
        )
        on_grid = (
            Entry.objects.filter(centre=centre, qualification=grid, status__in=Entry.LIVE)
            .values("candidate_id")
            .distinct()
            .count()
            if grid
            else DEMO_GRID_CANDIDATES
        )
        new = {c.pk for c in candidates}
        entries = []
        others = [q for q in approved if grid is None or q != grid.pk]
        for c in sorted(centre.candidates.all(), key=lambda c: c.candidate_number):
            if on_grid < min(DEMO_GRID_CANDIDATES, wanted) and (c.pk, grid.pk) not in entered:
                entries.append(_accepted(plan, centre.pk, grid.pk, c))
                on_grid += 1
            elif c.pk in new and others:
                entries.append(_accepted(plan, centre.pk, plan.rng.choice(others), c))
        _add_entries(plan, entries)
    plan.log(f"  demo centre {DEMO_CENTRE}: {len(candidates):,} candidates added")


def _accepted(plan, centre_id, qualification_id, candidate) -> Entry:
    entry = _entry(plan, centre_id, qualification_id, candidate=candidate)
    entry.status = S.ACCEPTED
    entry.processed_at = entry.submitted_at + timedelta(hours=20)
    entry.rejection_reason = entry.review_reason = ""
    entry.withdrawn_at = None
    return entry
