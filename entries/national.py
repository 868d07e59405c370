"""The entries part of the national dataset: candidates, entries in every state, allocated
moderators and their audit events; and the demo centre made large."""

from datetime import date, timedelta
from functools import cache

from django.utils import timezone

from centres.models import Centre, Qualification, QualificationApproval
from ocradmin.models import User
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
    done = 0
    with plan.bulk_load(Candidate, Entry):
        for chunk in plan.chunks():
            _enter_centres(plan, chunk, tags, moderators, year)
            done += len(chunk)
            plan.progress("candidates and entries", done, len(plan.centre_sizes))
    _enlarge_demo_centre(plan, year)


def _enter_centres(plan, chunk, tags, moderators, year) -> None:
    """A chunk of centres' candidates, their entries and the centres' allocated moderators."""
    now = timezone.now()
    with plan.transaction():
        candidates = plan.add(
            Candidate,
            (
                _candidate(plan, centre_id, plan.centre_sizes[centre_id][0], n, year, now)
                for centre_id in chunk
                for n in range(1, plan.centre_sizes[centre_id][1] + 1)
            ),
        )
        _audit_candidates(plan, candidates)
        by_centre: dict[int, list[dict]] = {}
        for c in candidates:
            by_centre.setdefault(c["centre_id"], []).append(c)
        entries = []
        for centre_id in chunk:
            approved = plan.approved[centre_id]
            taggable = [q for q in approved if q in tags]
            vocational = [q for q in approved if q not in tags]
            for c in by_centre.get(centre_id, []):
                entries += _entries_for(plan, c, taggable, vocational, now)
            entries.append(_entry(plan, centre_id, vocational[0], None, now, quantity=12))
        _add_entries(plan, entries)
        plan.add(
            ModeratorAllocation,
            (
                {
                    "centre_id": centre_id,
                    "qualification_id": q,
                    "moderator_id": moderators[(centre_id + q) % len(moderators)],
                }
                for centre_id in chunk
                for q in plan.approved[centre_id]
                if q not in tags and moderators
            ),
        )


# A ULN for each of the 70,000 seeds the candidates share, worked out once.
uln = cache(demo_uln)


def _candidate(plan, centre_id, centre_number, n, year, now) -> dict:
    rng = plan.rng
    number = f"{n:04d}"
    return {
        "centre_id": centre_id,
        "candidate_number": number,
        "uci": make_uci(centre_number=centre_number, year=year, candidate_number=number),
        "uln": uln((centre_id * 10_000 + n) % 70_000) if n % 3 else "",
        "first_name": rng.choice(FIRST_NAMES),
        "last_name": rng.choice(LAST_NAMES),
        "date_of_birth": date(2003 + n % 5, 1 + n % 12, 1 + n % 28),
        "sex": "F" if rng.random() < 0.5 else "M",
        "created_at": now,
    }


def _entries_for(plan, candidate, taggable, vocational, now) -> list[dict]:
    """One to three full-award entries, mostly for 2021 TAG subjects."""
    rng = plan.rng
    chosen = rng.sample(taggable, min(len(taggable), rng.choice([1, 2, 2, 2, 3])))
    if vocational and rng.random() < 0.2:
        chosen.append(rng.choice(vocational))
    return [_entry(plan, candidate["centre_id"], q, candidate["id"], now) for q in chosen]


REJECTION = "The candidate's date of birth does not match the UCI's record."
REVIEW = "The UCI belongs to a candidate at another centre."
HOUR = timedelta(hours=1)


def _entry(plan, centre_id, qualification_id, candidate_id, now, *, quantity=1) -> dict:
    share = plan.rng.random()
    for weight, status, hours in STATUSES:  # noqa: B007 (the last is the default)
        if share < weight:
            break
        share -= weight
    submitted = now - plan.rng.uniform(1, hours) * HOUR
    return {
        "centre_id": centre_id,
        "qualification_id": qualification_id,
        "kind": Entry.Kind.NAMED if candidate_id else Entry.Kind.UNNAMED,
        "candidate_id": candidate_id,
        "quantity": quantity,
        "status": status,
        "submitted_at": submitted,
        "process_by": submitted + 48 * HOUR,
        "processed_at": submitted + 20 * HOUR if status in (S.ACCEPTED, S.REJECTED) else None,
        "rejection_reason": REJECTION if status == S.REJECTED else "",
        "review_reason": REVIEW if status == S.NEEDS_REVIEW else "",
        "withdrawn_at": submitted + 48 * HOUR if status == S.WITHDRAWN else None,
    }


def _add_entries(plan, entries) -> None:
    saved = plan.add(Entry, entries)
    # Half were made one by one (an event each), half by upload (one event per centre).
    plan.audit(
        {
            "action": "entry.created",
            "centre_id": e["centre_id"],
            "target_id": str(e["id"]),
            "target_repr": f"entry {e['id']}",
            "at": e["submitted_at"],
        }
        for e in saved
        if e["id"] % 2
    )


def _audit_candidates(plan, candidates) -> None:
    plan.audit(
        {
            "action": "candidate.created",
            "centre_id": c["centre_id"],
            "target_id": str(c["id"]),
            "target_repr": f"{c['candidate_number']} {c['last_name']}, {c['first_name']}",
            "at": c["created_at"],
        }
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
    now = timezone.now()
    with plan.transaction():
        candidates = plan.add(
            Candidate,
            (
                _candidate(plan, centre.pk, DEMO_CENTRE, n, year, now)
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
        new = {c["id"] for c in candidates}
        entries = []
        others = [q for q in approved if grid is None or q != grid.pk]
        for pk in centre.candidates.order_by("candidate_number").values_list("pk", flat=True):
            if on_grid < min(DEMO_GRID_CANDIDATES, wanted) and (pk, grid.pk) not in entered:
                entries.append(_accepted(plan, centre.pk, grid.pk, pk, now))
                on_grid += 1
            elif pk in new and others:
                entries.append(_accepted(plan, centre.pk, plan.rng.choice(others), pk, now))
        _add_entries(plan, entries)
    plan.log(f"  demo centre {DEMO_CENTRE}: {len(candidates):,} candidates added")


def _accepted(plan, centre_id, qualification_id, candidate_id, now) -> dict:
    entry = _entry(plan, centre_id, qualification_id, candidate_id, now)
    entry.update(
        status=S.ACCEPTED,
        processed_at=entry["submitted_at"] + 20 * HOUR,
        rejection_reason="",
        review_reason="",
        withdrawn_at=None,
    )
    return entry
