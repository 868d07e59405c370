"""Making, amending and withdrawing entries one at a time (DESIGN.md §2–§4), and the checks
and wording that bulk entries (``services/bulk.py``) share with them.

Every entry starts ``submitted`` with ``process_by`` = submitted + 48 h; the processing job
(``services/processing.py``) accepts or rejects it. The checks here are the ones a centre can
fix before submitting: the qualification is approved for the centre, the unit belongs to it,
the option code fits, the candidate is not entered twice, and the unit is not already entered
for the same UCI at another centre.
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from centres.models import Centre
from centres.services import CentreError
from centres.services.approvals import lock_approved_qualification
from ocradmin import audit
from ocradmin.identifiers import is_ascii_digits

from ..hooks import entry_withdrawal_blockers
from ..models import Entry
from . import EntryError

PROCESS_WITHIN = timedelta(hours=48)
MAX_UNNAMED_QUANTITY = 500
WITHDRAWABLE = (Entry.Status.SUBMITTED, Entry.Status.ACCEPTED, Entry.Status.NEEDS_REVIEW)


def process_by_for(submitted_at):
    """The processing deadline for an entry submitted at ``submitted_at``."""
    return submitted_at + PROCESS_WITHIN


# --- Shared checks and wording ----------------------------------------------------------------


def unit_key(number: str) -> str:
    """How a unit number is matched: ``"01"`` and ``"1"`` are the same unit; case ignored."""
    number = (number or "").strip().upper()
    return (number.lstrip("0") or "0") if is_ascii_digits(number) else number


def _same_text(a: str, b: str) -> bool:
    return " ".join((a or "").split()).casefold() == " ".join((b or "").split()).casefold()


def _what(qualification, unit) -> str:
    if unit is None:
        return f"{qualification.entry_code} (full award)"
    return f"{qualification.entry_code} unit {unit.number}"


def _option_code_problem(qualification, option_code: str) -> str | None:
    options = [str(code).upper() for code in (qualification.option_codes or [])]
    if options and not option_code:
        return f"{qualification.entry_code} needs an option code: one of {', '.join(options)}."
    if options and option_code not in options:
        return (
            f"{option_code} is not an option code of {qualification.entry_code}; "
            f"use one of {', '.join(options)}."
        )
    if not options and option_code:
        return f"{qualification.entry_code} has no option codes; leave the option code blank."
    return None


def _unit_problem(qualification, unit) -> str | None:
    if unit is not None and unit.qualification_id != qualification.pk:
        return f"Unit {unit.number} is not part of {qualification.entry_code}."
    return None


def _duplicate_message(candidate_number: str, qualification, unit) -> str:
    return (
        f"Candidate {candidate_number} already has a live entry for {_what(qualification, unit)}."
    )


def _elsewhere_message(uci: str, qualification, unit, centre_number: str) -> str:
    return (
        f"UCI {uci} is already entered for {_what(qualification, unit)} at centre "
        f"{centre_number}; a unit can only be entered at one centre."
    )


def _require_approved(centre, qualification) -> None:
    """Takes the approval's row lock, so the approval cannot be withdrawn under the entry."""
    try:
        lock_approved_qualification(centre=centre, qualification=qualification)
    except CentreError as error:
        raise EntryError(str(error)) from error


def _lock_centre(centre) -> Centre:
    """Serialise entry writes per centre (bulk and single), and read its current status.
    ``no_key``: a transaction that writes a row keyed to the centre (``withdraw_approval``'s
    audit event) can still commit while an entry writer waits for that transaction's lock."""
    return Centre.objects.select_for_update(no_key=True).get(pk=centre.pk)


# --- Single entries ---------------------------------------------------------------------------


def make_named_entry(
    *, centre, candidate, qualification, unit=None, option_code: str = "", by
) -> Entry:
    """Enter one of the centre's candidates for a qualification (``unit=None``: full award)."""
    option_code = (option_code or "").strip().upper()
    if candidate.centre_id != centre.pk:
        raise EntryError(
            f"Candidate {candidate.candidate_number} is not at centre {centre.number}."
        )
    for problem in (
        _unit_problem(qualification, unit),
        _option_code_problem(qualification, option_code),
    ):
        if problem:
            raise EntryError(problem)
    with transaction.atomic():
        centre = _lock_centre(centre)
        _require_approved(centre, qualification)
        live = Entry.objects.filter(
            candidate=candidate, qualification=qualification, unit=unit, status__in=Entry.LIVE
        )
        if live.exists():
            raise EntryError(_duplicate_message(candidate.candidate_number, qualification, unit))
        if unit is not None:
            other = (
                Entry.objects.filter(candidate__uci=candidate.uci, unit=unit, status__in=Entry.LIVE)
                .exclude(centre=centre)
                .values_list("centre__number", flat=True)
                .first()
            )
            if other:
                raise EntryError(_elsewhere_message(candidate.uci, qualification, unit, other))
        now = timezone.now()
        try:
            with transaction.atomic():
                entry = Entry.objects.create(
                    centre=centre,
                    qualification=qualification,
                    kind=Entry.Kind.NAMED,
                    candidate=candidate,
                    unit=unit,
                    option_code=option_code,
                    submitted_by=by,
                    submitted_at=now,
                    process_by=process_by_for(now),
                )
        except IntegrityError as error:  # the live-entry constraints, should a race slip by
            raise EntryError(
                _duplicate_message(candidate.candidate_number, qualification, unit)
            ) from error
        audit.record(
            actor=by,
            action="entry.created",
            centre=centre,
            target=entry,
            data=_entry_data(entry),
        )
    return entry


def make_unnamed_entry(*, centre, qualification, quantity: int, unit=None, by) -> Entry:
    """Enter a number of not-yet-named candidates, so a moderator can be allocated early."""
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        raise EntryError("The number of candidates must be a whole number, at least 1.")
    if quantity > MAX_UNNAMED_QUANTITY:
        raise EntryError(
            f"Enter at most {MAX_UNNAMED_QUANTITY} unnamed candidates at a time; "
            "upload named entries for larger groups."
        )
    problem = _unit_problem(qualification, unit)
    if problem:
        raise EntryError(problem)
    with transaction.atomic():
        centre = _lock_centre(centre)
        _require_approved(centre, qualification)
        now = timezone.now()
        entry = Entry.objects.create(
            centre=centre,
            qualification=qualification,
            kind=Entry.Kind.UNNAMED,
            quantity=quantity,
            unit=unit,
            submitted_by=by,
            submitted_at=now,
            process_by=process_by_for(now),
        )
        audit.record(
            actor=by, action="entry.created", centre=centre, target=entry, data=_entry_data(entry)
        )
    return entry


def amend_entry(*, entry, by, quantity: int | None = None, option_code: str | None = None) -> Entry:
    """Change a submitted entry before it is processed: an unnamed entry's number of
    candidates, or a named entry's option code. Processed entries are withdrawn and made again.
    """
    with transaction.atomic():
        entry = (
            Entry.objects.select_for_update(of=("self",))
            .select_related("centre", "qualification", "unit", "candidate")
            .get(pk=entry.pk)
        )
        if entry.status != Entry.Status.SUBMITTED:
            raise EntryError(
                f"This entry is {entry.get_status_display().lower()}; only entries waiting to "
                "be processed can be changed. Withdraw it and make a new entry instead."
            )
        changes = {}
        if quantity is not None and quantity != entry.quantity:
            if entry.kind != Entry.Kind.UNNAMED:
                raise EntryError("Only an unnamed entry has a number of candidates.")
            if not isinstance(quantity, int) or not 1 <= quantity <= MAX_UNNAMED_QUANTITY:
                raise EntryError(
                    f"The number of candidates must be between 1 and {MAX_UNNAMED_QUANTITY}."
                )
            changes["quantity"] = (entry.quantity, quantity)
            entry.quantity = quantity
        if option_code is not None:
            option_code = option_code.strip().upper()
            if option_code != entry.option_code:
                if entry.kind != Entry.Kind.NAMED:
                    raise EntryError("Only a named entry has an option code.")
                problem = _option_code_problem(entry.qualification, option_code)
                if problem:
                    raise EntryError(problem)
                changes["option_code"] = (entry.option_code, option_code)
                entry.option_code = option_code
        if not changes:
            raise EntryError("Nothing was changed.")
        entry.save(update_fields=list(changes))
        audit.record(
            actor=by,
            action="entry.amended",
            centre=entry.centre,
            target=entry,
            data={field: {"from": old, "to": new} for field, (old, new) in changes.items()},
        )
    return entry


WITHDRAWAL_REASON_MAX = 1000


def withdraw_entry(*, entry, by, reason: str) -> Entry:
    """Withdraw a live entry, with the centre's reason, unless something later (a claim) still
    uses it."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise EntryError("Enter the reason for withdrawing the entry.")
    if len(reason) > WITHDRAWAL_REASON_MAX:
        raise EntryError(
            f"The reason must be {WITHDRAWAL_REASON_MAX} characters or fewer; it has {len(reason)}."
        )
    with transaction.atomic():
        entry = (
            Entry.objects.select_for_update(of=("self",))
            .select_related("centre", "qualification", "unit", "candidate")
            .get(pk=entry.pk)
        )
        if entry.status not in WITHDRAWABLE:
            raise EntryError(
                f"This entry is {entry.get_status_display().lower()}; "
                "only live entries can be withdrawn."
            )
        blocker = entry_withdrawal_blockers.first(entry)
        if blocker:
            raise EntryError(f"This entry cannot be withdrawn: {blocker}")
        previous = entry.status
        entry.status = Entry.Status.WITHDRAWN
        entry.withdrawn_at = timezone.now()
        entry.withdrawn_by = by
        entry.withdrawal_reason = reason
        entry.save(update_fields=["status", "withdrawn_at", "withdrawn_by", "withdrawal_reason"])
        audit.record(
            actor=by,
            action="entry.withdrawn",
            centre=entry.centre,
            target=entry,
            data={**_entry_data(entry), "previous_status": previous, "reason": reason},
        )
    return entry


def withdrawal_blocker(entry) -> str | None:
    """Why the entry cannot be withdrawn now, in words, or None: what the confirmation page
    says before the centre writes a reason (the service asks again under the row lock)."""
    if entry.status not in WITHDRAWABLE:
        return (
            f"This entry is {entry.get_status_display().lower()}; "
            "only live entries can be withdrawn."
        )
    blocker = entry_withdrawal_blockers.first(entry)
    return f"This entry cannot be withdrawn: {blocker}" if blocker else None


def _entry_data(entry) -> dict:
    data = {"qualification": entry.qualification.entry_code, "kind": entry.kind}
    if entry.unit_id:
        data["unit"] = entry.unit.number
    if entry.candidate_id:
        data["candidate"] = entry.candidate.candidate_number
    else:
        data["quantity"] = entry.quantity
    if entry.option_code:
        data["option_code"] = entry.option_code
    return data


def live_entries_block_approval_withdrawal(centre, qualification) -> str | None:
    """A qualification approval cannot be withdrawn while the centre has live entries for it
    (registered on ``centres.hooks.withdrawal_blockers``)."""
    count = Entry.objects.filter(
        centre=centre, qualification=qualification, status__in=Entry.LIVE
    ).count()
    if count:
        return f"{count} live {'entry' if count == 1 else 'entries'}"
    return None
