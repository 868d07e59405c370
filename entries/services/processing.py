"""The entry-processing job: the 24–48 h clock (DESIGN.md §4).

``process_pending_entries`` takes submitted entries oldest first in batches. Each batch is
one transaction that claims its rows with ``select_for_update(skip_locked=True)``, so two
workers never take the same entry, and a crash rolls the whole batch back to "submitted",
so a rerun neither skips nor repeats anything. Each entry is validated again (things change
between submission and processing), then accepted, rejected with a reason, or sent to staff
when the job cannot decide. The first accepted entry for a (centre, qualification) allocates
an examiner-moderator: the least loaded one who moderates the qualification, within capacity,
and who holds no role at the centre (separation of duties: nobody moderates their own centre).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from centres.models import QualificationApproval, Role
from centres.selectors import centre_people, moderators_for, people_by_centre
from ocradmin import audit
from ocradmin.notifications import email_notice, notify, notify_many

from ..models import Entry, ModeratorAllocation
from ..selectors import PROCESSING_CLOCK
from . import EntryError

BATCH_SIZE = 500
NO_MODERATOR = "No examiner-moderator with spare capacity moderates this qualification yet."


@dataclass
class Decision:
    status: str
    reason: str = ""


@dataclass
class ProcessingResult:
    counts: Counter = field(default_factory=Counter)
    allocations: int = 0
    # Per centre, what this run decided (for the one digest each centre's admins get).
    by_centre: dict = field(default_factory=lambda: defaultdict(Counter))
    centres: dict = field(default_factory=dict)

    def __str__(self):
        parts = [f"{n} {status}" for status, n in sorted(self.counts.items())]
        return ", ".join(parts) + f"; {self.allocations} moderator allocations" if parts else "idle"


def process_pending_entries(*, batch_size: int = BATCH_SIZE, max_batches=None) -> ProcessingResult:
    """Process every submitted entry (or ``max_batches`` batches), then tell each centre's
    admins what the run decided there: one digest per centre per run, however many batches."""
    result = ProcessingResult()
    batches = 0
    while max_batches is None or batches < max_batches:
        if not _process_batch(batch_size, result):
            break
        batches += 1
    _send_digests(result)
    return result


def _send_digests(result: ProcessingResult) -> None:
    """The run's outcome per centre to its centre admins (accepted and rejected; entries sent
    to staff are counted too). Sent after the batches have committed."""
    if not result.by_centre:
        return
    admins = people_by_centre(list(result.by_centre), Role.CENTRE_ADMIN)
    with transaction.atomic():
        for centre_id, counts in result.by_centre.items():
            centre = result.centres[centre_id]
            accepted = counts.get(Entry.Status.ACCEPTED, 0)
            rejected = counts.get(Entry.Status.REJECTED, 0)
            with_staff = counts.get(Entry.Status.NEEDS_REVIEW, 0)
            url = reverse("entries:list", args=[centre.number])
            notify_many(
                users=admins.get(centre_id, []),
                notice="entries/entries_processed",
                context={
                    "centre": centre,
                    "accepted": accepted,
                    "rejected": rejected,
                    "with_staff": with_staff,
                },
                url=url + "?status=rejected" if rejected else url,
            )


def _process_batch(batch_size: int, result: ProcessingResult) -> bool:
    now = timezone.now()
    with transaction.atomic():
        entries = list(
            Entry.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=Entry.Status.SUBMITTED)
            .select_related("centre", "qualification", "unit", "candidate")
            .order_by("submitted_at", "id")[:batch_size]
        )
        if not entries:
            return False
        decisions = _decide(entries)
        allocated = _allocate_moderators(entries, decisions, now)
        _save_decisions(entries, decisions, now)
        _record_and_tell(entries, decisions, allocated)
    result.counts.update(d.status for d in decisions.values())
    for entry in entries:
        result.by_centre[entry.centre_id][decisions[entry.pk].status] += 1
        result.centres[entry.centre_id] = entry.centre
    result.allocations += len(allocated)
    return True


def _decide(entries: list[Entry]) -> dict[int, Decision]:
    """Validate each claimed entry again, with a fixed number of queries per batch."""
    pairs = {(e.centre_id, e.qualification_id) for e in entries}
    approved = set(
        QualificationApproval.objects.filter(
            status=QualificationApproval.Status.APPROVED,
            centre_id__in={c for c, _ in pairs},
            qualification_id__in={q for _, q in pairs},
        ).values_list("centre_id", "qualification_id")
    )
    ucis = {e.candidate.uci for e in entries if e.candidate_id}
    elsewhere = defaultdict(list)  # (uci, qualification, unit) -> live entries at other centres
    for other in (
        Entry.objects.filter(status__in=Entry.LIVE, candidate__uci__in=ucis)
        .exclude(pk__in=[e.pk for e in entries])
        .values(
            "centre_id",
            "centre__number",
            "qualification_id",
            "unit_id",
            "status",
            "submitted_at",
            "candidate__uci",
        )
    ):
        elsewhere[(other["candidate__uci"], other["qualification_id"], other["unit_id"])].append(
            other
        )

    decisions: dict[int, Decision] = {}
    taken: dict[tuple, tuple] = {}  # accepted in this batch: key -> (centre id, number)
    for entry in entries:
        decisions[entry.pk] = _decide_one(entry, approved, elsewhere, taken)
    return decisions


def _decide_one(entry: Entry, approved, elsewhere, taken) -> Decision:
    qualification = entry.qualification
    if not entry.centre.is_approved:
        return Decision(Entry.Status.REJECTED, "The centre is not approved.")
    if not qualification.is_active:
        return Decision(Entry.Status.REJECTED, f"{qualification.entry_code} is no longer offered.")
    if (entry.centre_id, qualification.pk) not in approved:
        return Decision(
            Entry.Status.REJECTED,
            f"The centre is not approved for {qualification.entry_code}.",
        )
    if entry.unit_id and entry.unit.qualification_id != qualification.pk:
        return Decision(
            Entry.Status.REJECTED,
            f"Unit {entry.unit.number} is not part of {qualification.entry_code}.",
        )
    if not entry.candidate_id:
        return Decision(Entry.Status.ACCEPTED)

    key = (entry.candidate.uci, qualification.pk, entry.unit_id)
    conflict = _conflicting_centre(entry, key, elsewhere, taken)
    if conflict is None:
        taken[key] = (entry.centre_id, entry.centre.number)
        return Decision(Entry.Status.ACCEPTED)
    if entry.unit_id:
        return Decision(
            Entry.Status.REJECTED,
            f"UCI {entry.candidate.uci} is already entered for unit {entry.unit.number} "
            f"at centre {conflict}.",
        )
    # A full award at two centres may be a transfer: staff decide.
    return Decision(
        Entry.Status.NEEDS_REVIEW,
        f"UCI {entry.candidate.uci} is also entered for this qualification at centre {conflict}.",
    )


def _conflicting_centre(entry: Entry, key, elsewhere, taken) -> str | None:
    """The number of another centre that holds this (UCI, qualification, unit) first: accepted
    there, accepted earlier in this batch, or submitted there earlier."""
    if key in taken and taken[key][0] != entry.centre_id:
        return taken[key][1]
    for other in elsewhere.get(key, []):
        if other["centre_id"] == entry.centre_id:
            continue
        if other["status"] == Entry.Status.ACCEPTED or other["submitted_at"] < entry.submitted_at:
            return other["centre__number"]
    return None


def _allocate_moderators(entries, decisions, now) -> list[ModeratorAllocation]:
    """Allocate a moderator to each (centre, qualification) with its first accepted entry,
    for the remotely moderated qualifications (GCSEs and A levels have none here).

    Entries whose pair cannot get one are sent to staff instead of being accepted.
    """
    needing = {
        (e.centre_id, e.qualification_id)
        for e in entries
        if decisions[e.pk].status == Entry.Status.ACCEPTED and e.qualification.is_remotely_moderated
    }
    if not needing:
        return []
    existing = set(
        ModeratorAllocation.objects.filter(
            centre_id__in={c for c, _ in needing}, qualification_id__in={q for _, q in needing}
        ).values_list("centre_id", "qualification_id")
    )
    allocated, unplaced = [], set()
    qualifications = {e.qualification_id: e.qualification for e in entries}
    for centre_id, qualification_id in sorted(needing - existing):
        allocation = allocate_moderator(
            centre_id=centre_id, qualification=qualifications[qualification_id], now=now
        )
        if allocation is None:
            unplaced.add((centre_id, qualification_id))
        elif allocation.allocated_at == now:
            allocated.append(allocation)
    for entry in entries:
        pair = (entry.centre_id, entry.qualification_id)
        if decisions[entry.pk].status == Entry.Status.ACCEPTED and pair in unplaced:
            decisions[entry.pk] = Decision(Entry.Status.NEEDS_REVIEW, NO_MODERATOR)
    return allocated


def allocate_moderator(*, centre_id: int, qualification, now=None):
    """The allocation for this pair: the existing one, a new one, or None if nobody is free.

    Call inside a transaction. The candidates' profiles are locked so that two workers
    cannot both fill a moderator's last place. Nobody is allocated to a centre where they hold
    a role (``Membership``): they would be moderating claims their own centre built.
    """
    now = now or timezone.now()
    current = ModeratorAllocation.objects.filter(
        centre_id=centre_id, qualification=qualification
    ).first()
    if current is not None:
        return current
    profiles = list(
        moderators_for(qualification)
        .exclude(user__memberships__centre_id=centre_id)
        .select_for_update(of=("self",))
    )
    loads = dict(
        ModeratorAllocation.objects.filter(moderator_id__in=[p.user_id for p in profiles])
        .values("moderator_id")
        .annotate(n=Count("id"))
        .values_list("moderator_id", "n")
    )
    free = [p for p in profiles if loads.get(p.user_id, 0) < p.capacity]
    if not free:
        return None
    chosen = min(free, key=lambda p: (loads.get(p.user_id, 0), p.user_id))
    try:
        with transaction.atomic():
            return ModeratorAllocation.objects.create(
                centre_id=centre_id,
                qualification=qualification,
                moderator_id=chosen.user_id,
                allocated_at=now,
            )
    except IntegrityError:  # another worker allocated this pair first
        return ModeratorAllocation.objects.get(centre_id=centre_id, qualification=qualification)


def _save_decisions(entries, decisions, now) -> None:
    groups = defaultdict(list)
    for entry in entries:
        decision = decisions[entry.pk]
        groups[(decision.status, decision.reason)].append(entry.pk)
    for (status, reason), ids in groups.items():
        changes = {"status": status, "processed_at": now}
        if status == Entry.Status.REJECTED:
            changes["rejection_reason"] = reason
        elif status == Entry.Status.NEEDS_REVIEW:
            changes["review_reason"] = reason
        # The rows are locked by this transaction; the status guard is the compare-and-swap.
        Entry.objects.filter(pk__in=ids, status=Entry.Status.SUBMITTED).update(**changes)


def _record_and_tell(entries, decisions, allocated) -> None:
    by_centre = defaultdict(Counter)
    centres = {}
    for entry in entries:
        by_centre[entry.centre_id][decisions[entry.pk].status] += 1
        centres[entry.centre_id] = entry.centre
    admins = people_by_centre(list(centres), Role.CENTRE_ADMIN)

    for centre_id, counts in by_centre.items():
        centre = centres[centre_id]
        audit.record(
            actor=None,
            action="entries.processed",
            centre=centre,
            data={status: n for status, n in counts.items()},
        )

    for allocation in allocated:
        centre = centres[allocation.centre_id]
        qualification = allocation.qualification
        audit.record(
            actor=None,
            action="moderator.allocated",
            centre=centre,
            target=allocation,
            data={"qualification": qualification.entry_code, "moderator": allocation.moderator_id},
        )
        _tell_allocation(allocation, centre, admins.get(allocation.centre_id, []))

    for_staff = sum(1 for d in decisions.values() if d.status == Entry.Status.NEEDS_REVIEW)
    if for_staff:
        email_notice(
            to=[settings.STAFF_EMAIL],
            notice="entries/entries_for_staff",
            context={"count": for_staff, "url": reverse("entries:staff-review")},
        )


def _tell_allocation(allocation, centre, admins) -> None:
    """The moderator (their dashboard lists their allocations) and the centre's admins."""
    context = {
        "centre": centre,
        "qualification": allocation.qualification,
        "moderator": allocation.moderator,
    }
    notify(
        user=allocation.moderator,
        notice="entries/moderator_allocated",
        context=context,
        url=reverse("dashboard"),
    )
    notify_many(
        users=admins,
        notice="entries/moderator_allocated_for_centre",
        context=context,
        url=reverse("entries:list", args=[centre.number]),
    )


# --- Staff decisions on entries the job could not decide -----------------------------------


def _lock_for_review(entry_id: int) -> Entry:
    entry = (
        Entry.objects.select_for_update(of=("self",))
        .select_related("centre", "qualification")
        .get(pk=entry_id)
    )
    if entry.status != Entry.Status.NEEDS_REVIEW:
        raise EntryError(f"This entry is {entry.get_status_display().lower()}, not with staff.")
    return entry


def accept_reviewed_entry(*, entry, by) -> Entry:
    with transaction.atomic():
        entry = _lock_for_review(entry.pk)
        now = timezone.now()
        allocation = None
        if entry.qualification.is_remotely_moderated:
            allocation = allocate_moderator(
                centre_id=entry.centre_id, qualification=entry.qualification, now=now
            )
            if allocation is None:
                raise EntryError(NO_MODERATOR + " Add one on the moderators page first.")
        entry.status = Entry.Status.ACCEPTED
        entry.processed_at = now
        entry.save(update_fields=["status", "processed_at"])
        audit.record(actor=by, action="entry.accepted_by_staff", centre=entry.centre, target=entry)
        admins = centre_people(entry.centre_id, Role.CENTRE_ADMIN)
        notify_many(
            users=admins,
            notice="entries/entry_accepted_by_staff",
            context={"entry": entry},
            url=reverse("entries:list", args=[entry.centre.number]),
        )
        if allocation is not None and allocation.allocated_at == now:  # allocated just now
            _tell_allocation(allocation, entry.centre, admins)
    return entry


def reject_reviewed_entry(*, entry, reason: str, by) -> Entry:
    reason = (reason or "").strip()
    if not reason:
        raise EntryError("Give the reason the centre will see.")
    with transaction.atomic():
        entry = _lock_for_review(entry.pk)
        entry.status = Entry.Status.REJECTED
        entry.rejection_reason = reason
        entry.processed_at = timezone.now()
        entry.save(update_fields=["status", "rejection_reason", "processed_at"])
        audit.record(
            actor=by,
            action="entry.rejected_by_staff",
            centre=entry.centre,
            target=entry,
            data={"reason": reason},
        )
        notify_many(
            users=centre_people(entry.centre_id, Role.CENTRE_ADMIN),
            notice="entries/entry_rejected_by_staff",
            context={"entry": entry, "reason": reason},
            url=reverse("entries:list", args=[entry.centre.number]),
        )
    return entry


# --- The 48-hour breach ---------------------------------------------------------------------


def flag_overdue_entries(*, batch_size: int = 500) -> int:
    """Tell staff about entries past ``process_by``, once per entry (the breach notice)."""
    return PROCESSING_CLOCK.scan_breaches(tell=_tell_staff_of_breaches, batch_size=batch_size)


def _tell_staff_of_breaches(claimed) -> None:
    overdue = list(
        claimed.select_related("centre", "qualification").order_by("process_by", "id")[:101]
    )
    total = claimed.count() if len(overdue) > 100 else len(overdue)
    email_notice(
        to=[settings.STAFF_EMAIL],
        notice="entries/entries_overdue",
        context={
            "count": total,
            "entries": overdue[:100],
            "more": total - min(total, 100),
            "url": PROCESSING_CLOCK.link("breach"),
        },
    )
