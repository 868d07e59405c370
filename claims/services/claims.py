"""Starting a claim, its lines and full awards, and submitting it (DESIGN.md §3 "Claims").

A claim is one qualification at one centre, built as a draft by centre admins and teachers and
locked once submitted. Each change locks the claim row (``select_for_update``) and checks it is
still a draft; a line also locks the entry behind it, which is the lock ``withdraw_entry``
takes before asking whether a claim uses the entry. Starting and submitting lock the centre
(``no_key``) first, which serialises drafts and claim numbers per centre.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from centres.models import Centre, QualificationApproval
from entries.models import Candidate, Entry, ModeratorAllocation
from ocradmin import audit
from ocradmin.notifications import notify
from ocradmin.spreadsheets import RowError

from ..combination import shortfall
from ..models import Claim, ClaimLine, FullAwardRequest
from ..pages import moderator_url
from ..selectors import achieved_units, claim_units, open_draft, taken_elsewhere
from . import ClaimError

WORK_DUE_WITHIN = timedelta(hours=24)


class DraftExists(ClaimError):
    """A draft for the centre and qualification is already open; ``draft`` is it."""

    def __init__(self, draft: Claim):
        self.draft = draft
        super().__init__(
            f"A draft claim for {draft.qualification.entry_code} is already open: add your "
            "lines to it (a new claim can be started once it is submitted)."
        )


def _lock_centre(centre) -> Centre:
    return Centre.objects.select_for_update(no_key=True).get(pk=centre.pk)


def _lock_draft(claim) -> Claim:
    claim = (
        Claim.objects.select_for_update(of=("self",))
        .select_related("centre", "qualification")
        .get(pk=claim.pk)
    )
    if claim.status != Claim.Status.DRAFT:
        raise ClaimError(
            f"Claim {claim.number} has been submitted; "
            "only the examiner-moderator can change it now."
        )
    return claim


def _require_claimable(centre, qualification) -> ModeratorAllocation:
    what = f"{qualification.entry_code} {qualification.title}"
    if not qualification.is_remotely_moderated:
        raise ClaimError(f"{what} is not claimed through ocradmin.")
    if not QualificationApproval.objects.filter(
        centre=centre, qualification=qualification, status=QualificationApproval.Status.APPROVED
    ).exists():
        raise ClaimError(f"The centre is not approved for {what}.")
    if not Entry.objects.filter(
        centre=centre,
        qualification=qualification,
        kind=Entry.Kind.NAMED,
        status=Entry.Status.ACCEPTED,
    ).exists():
        raise ClaimError(f"No candidate has an accepted entry for {what} yet.")
    allocation = (
        ModeratorAllocation.objects.filter(centre=centre, qualification=qualification)
        .select_related("moderator")
        .first()
    )
    if allocation is None:
        raise ClaimError(
            f"No examiner-moderator is allocated for {what} yet; a claim can be made once one is."
        )
    return allocation


def start_claim(*, centre, qualification, by) -> Claim:
    """A new draft claim, unless one is already open (``DraftExists`` names it)."""
    with transaction.atomic():
        centre = _lock_centre(centre)
        _require_claimable(centre, qualification)
        draft = open_draft(centre, qualification)
        if draft is not None:
            raise DraftExists(draft)
        try:
            with transaction.atomic():
                claim = Claim.objects.create(
                    centre=centre, qualification=qualification, built_by=by
                )
        except IntegrityError as error:  # the conditional unique constraint, if the lock missed
            raise DraftExists(open_draft(centre, qualification)) from error
        audit.record(
            actor=by,
            action="claim.started",
            centre=centre,
            target=claim,
            data={"qualification": qualification.entry_code},
        )
    return claim


# --- Lines -----------------------------------------------------------------------------------


def _who(candidate) -> str:
    return f"{candidate.candidate_number} {candidate.first_name} {candidate.last_name}"


def _check_grade(unit, grade: str) -> str:
    grade = (grade or "").strip().upper()
    if grade not in unit.grade_scale:
        raise ClaimError(
            f"“{grade or '(blank)'}” is not a grade of unit {unit.number}: choose one of "
            f"{', '.join(unit.grade_scale)}."
        )
    return grade


def _locked_entry(claim, candidate, unit) -> Entry:
    """The accepted entry that lets the candidate be claimed for the unit (the unit's own entry,
    else a full-award entry), row-locked; the refusal says what is missing."""
    if candidate.centre_id != claim.centre_id:
        raise ClaimError("That candidate is not one of this centre's candidates.")
    if unit.qualification_id != claim.qualification_id:
        raise ClaimError(
            f"Unit {unit.number} is not a unit of {claim.qualification.entry_code} "
            f"{claim.qualification.title}."
        )
    entries = list(
        Entry.objects.select_for_update(of=("self",))
        .filter(
            centre_id=claim.centre_id,
            qualification_id=claim.qualification_id,
            candidate=candidate,
            kind=Entry.Kind.NAMED,
            status=Entry.Status.ACCEPTED,
        )
        .filter(Q(unit__isnull=True) | Q(unit=unit))
        .order_by("pk")
    )
    entry = next((e for e in entries if e.unit_id == unit.pk), None) or next(iter(entries), None)
    if entry is None:
        withdrawn = Entry.objects.filter(
            qualification_id=claim.qualification_id,
            candidate=candidate,
            status=Entry.Status.WITHDRAWN,
        ).exists()
        reason = "their entry was withdrawn" if withdrawn else "they have no accepted entry"
        raise ClaimError(
            f"{_who(candidate)} cannot be claimed for unit {unit.number}: {reason} for "
            f"{claim.qualification.entry_code} (a full-award entry, or an entry for this unit)."
        )
    return entry


def _check_not_elsewhere(claim, candidate, unit) -> None:
    other = (
        ClaimLine.objects.filter(
            candidate=candidate,
            unit=unit,
            claim__status__in=Claim.LIVE,
            released_at__isnull=True,
        )
        .exclude(claim=claim)
        .select_related("claim")
        .first()
    )
    if other is not None:
        label = f"claim {other.claim.number}" if other.claim.number else "another draft claim"
        raise ClaimError(f"{_who(candidate)} is already claimed for unit {unit.number} on {label}.")


def add_line(*, claim, candidate, unit, grade: str, by) -> ClaimLine:
    """Claim the candidate for the unit with the centre's assessed grade."""
    with transaction.atomic():
        claim = _lock_draft(claim)
        candidate = Candidate.objects.get(pk=candidate.pk)
        grade = _check_grade(unit, grade)
        entry = _locked_entry(claim, candidate, unit)
        existing = ClaimLine.objects.filter(claim=claim, candidate=candidate, unit=unit).first()
        if existing is not None:
            raise ClaimError(
                f"{_who(candidate)} is already on this claim for unit {unit.number} with grade "
                f"{existing.grade}; change that grade instead."
            )
        _check_not_elsewhere(claim, candidate, unit)
        line = ClaimLine.objects.create(
            claim=claim, candidate=candidate, unit=unit, entry=entry, grade=grade, added_by=by
        )
        audit.record(
            actor=by,
            action="claim.line_added",
            centre=claim.centre,
            target=claim,
            data={"candidate": candidate.candidate_number, "unit": unit.number, "grade": grade},
        )
    return line


def change_grade(*, line, grade: str, by) -> ClaimLine:
    with transaction.atomic():
        claim = _lock_draft(line.claim)
        line = ClaimLine.objects.select_related("candidate", "unit").get(pk=line.pk, claim=claim)
        grade = _check_grade(line.unit, grade)
        if grade == line.grade:
            return line
        previous, line.grade = line.grade, grade
        line.save(update_fields=["grade"])
        audit.record(
            actor=by,
            action="claim.line_changed",
            centre=claim.centre,
            target=claim,
            data={
                "candidate": line.candidate.candidate_number,
                "unit": line.unit.number,
                "grade": {"from": previous, "to": grade},
            },
        )
    return line


def remove_line(*, line, by) -> None:
    with transaction.atomic():
        claim = _lock_draft(line.claim)
        line = ClaimLine.objects.select_related("candidate", "unit").get(pk=line.pk, claim=claim)
        line.delete()
        audit.record(
            actor=by,
            action="claim.line_removed",
            centre=claim.centre,
            target=claim,
            data={"candidate": line.candidate.candidate_number, "unit": line.unit.number},
        )


def save_line(*, claim, candidate, unit, grade: str, by) -> ClaimLine | None:
    """What the building pages send: a grade adds or changes the line, a blank removes it."""
    line = ClaimLine.objects.filter(claim=claim, candidate=candidate, unit=unit).first()
    if not (grade or "").strip():
        if line is not None:
            remove_line(line=line, by=by)
        return None
    if line is None:
        return add_line(claim=claim, candidate=candidate, unit=unit, grade=grade, by=by)
    return change_grade(line=line, grade=grade, by=by)


# --- Full awards -----------------------------------------------------------------------------


def award_shortfall(claim, candidate, units=None):
    """What the candidate lacks for the whole qualification, counting this claim's lines
    graded above U and the units achieved before."""
    units = units if units is not None else claim_units(claim)
    claimed = set(
        ClaimLine.objects.filter(claim=claim, candidate=candidate)
        .exclude(grade="U")
        .values_list("unit_id", flat=True)
    )
    achieved = achieved_units(claim.qualification, [candidate.pk], exclude_claim_id=claim.pk)
    return shortfall(claim.qualification, units, claimed | achieved.get(candidate.pk, set()))


def mark_full_award(*, claim, candidate, by) -> FullAwardRequest:
    """Claim the whole qualification for the candidate; refused, naming the missing units,
    unless the rule of combination is met."""
    with transaction.atomic():
        claim = _lock_draft(claim)
        candidate = Candidate.objects.get(pk=candidate.pk, centre_id=claim.centre_id)
        if not Entry.objects.filter(
            qualification_id=claim.qualification_id,
            candidate=candidate,
            kind=Entry.Kind.NAMED,
            unit__isnull=True,
            status=Entry.Status.ACCEPTED,
        ).exists():
            raise ClaimError(
                f"{_who(candidate)} has no accepted full-award entry for "
                f"{claim.qualification.entry_code}, so the full award cannot be claimed."
            )
        if FullAwardRequest.objects.filter(claim=claim, candidate=candidate).exists():
            raise ClaimError(f"{_who(candidate)} is already claimed for the full award.")
        missing = award_shortfall(claim, candidate)
        if missing:
            raise ClaimError(
                f"The full award cannot be claimed for {_who(candidate)}: "
                + missing.describe(claim.qualification)
            )
        request = FullAwardRequest.objects.create(claim=claim, candidate=candidate, requested_by=by)
        audit.record(
            actor=by,
            action="claim.full_award_marked",
            centre=claim.centre,
            target=claim,
            data={"candidate": candidate.candidate_number},
        )
    return request


def unmark_full_award(*, claim, candidate, by) -> None:
    with transaction.atomic():
        claim = _lock_draft(claim)
        deleted, _ = FullAwardRequest.objects.filter(claim=claim, candidate=candidate).delete()
        if deleted:
            audit.record(
                actor=by,
                action="claim.full_award_unmarked",
                centre=claim.centre,
                target=claim,
                data={"candidate": candidate.candidate_number},
            )


# --- Submission ------------------------------------------------------------------------------


def _next_number(centre) -> str:
    """``<centre number>-<sequence>``, e.g. ``12345-0007``; the caller holds the centre lock."""
    count = Claim.objects.filter(centre=centre, number__isnull=False).count()
    return f"{centre.number}-{count + 1:04d}"


def submit_claim(*, claim, declaration: bool, by) -> Claim:
    """Lock the claim for the centre, number it, start the 24-hour clock for the work and tell
    the examiner-moderator."""
    with transaction.atomic():
        centre = _lock_centre(claim.centre)
        claim = _lock_draft(claim)
        if not declaration:
            raise ClaimError(
                "Confirm the authentication declaration: the work is the candidates' own and "
                "was assessed to the standard."
            )
        lines = list(ClaimLine.objects.filter(claim=claim).select_related("candidate", "unit"))
        if not lines:
            raise ClaimError("This claim has no lines yet; add at least one before submitting it.")
        # The lock ``update_candidate`` holds while it asks whether the identity is fixed.
        list(
            Candidate.objects.select_for_update()
            .filter(pk__in={line.candidate_id for line in lines})
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        allocation = _require_claimable(centre, claim.qualification)
        units = claim_units(claim)
        for request in FullAwardRequest.objects.filter(claim=claim).select_related("candidate"):
            missing = award_shortfall(claim, request.candidate, units)
            if missing:
                raise ClaimError(
                    f"The full award for {_who(request.candidate)} is no longer complete: "
                    + missing.describe(claim.qualification)
                    + " Add the units or untick the full award."
                )
        now = timezone.now()
        claim.number = _next_number(centre)
        claim.status = Claim.Status.SUBMITTED
        claim.submitted_by = by
        claim.submitted_at = now
        claim.work_due_at = now + WORK_DUE_WITHIN
        claim.moderator = allocation.moderator
        claim.save(
            update_fields=[
                "number",
                "status",
                "submitted_by",
                "submitted_at",
                "work_due_at",
                "moderator",
                "updated_at",
            ]
        )
        audit.record(
            actor=by,
            action="claim.submitted",
            centre=centre,
            target=claim,
            data={
                "number": claim.number,
                "lines": len(lines),
                "candidates": len({line.candidate_id for line in lines}),
                "declaration": True,
                "work_due_at": claim.work_due_at.isoformat(),
            },
        )
        notify(
            user=allocation.moderator,
            notice="claims/submitted",
            context={
                "claim": claim,
                "lines": len(lines),
                "candidates": len({line.candidate_id for line in lines}),
            },
            url=moderator_url(claim),
        )
    return claim


# --- Lines from a spreadsheet ----------------------------------------------------------------


@dataclass(frozen=True)
class LineRow:
    """One row of a lines file; ``grade`` blank means "not claimed" (the row is skipped)."""

    row: int
    candidate_number: str
    unit_number: str
    grade: str
    last_name: str = ""
    first_name: str = ""


class LineRowsError(ClaimError):
    """Lines refused: ``errors`` lists every problem, row by row (``RowError``)."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        noun = "problem" if len(errors) == 1 else "problems"
        super().__init__(f"No lines were added: the rows have {len(errors)} {noun}.")


def _fold(name: str) -> str:
    return " ".join(name.split()).casefold()


def check_line_rows(claim, rows: Sequence[LineRow]) -> tuple[list[RowError], list[dict], dict]:
    """Every row against the database in a fixed number of queries: ``(errors, planned lines,
    summary)``. A planned line is ``{row, candidate_id, unit_id, entry_id, candidate, unit,
    old, new}``; a row matching a line already on the claim is counted as unchanged."""
    numbers = {r.candidate_number for r in rows if r.candidate_number}
    candidates = {
        c.candidate_number: c
        for c in Candidate.objects.filter(
            centre_id=claim.centre_id, candidate_number__in=numbers
        ).only("pk", "candidate_number", "first_name", "last_name")
    }
    units = {u.number: u for u in claim_units(claim)}
    entries: dict[int, dict] = {}  # candidate id → {unit id (None: full award): entry id}
    for entry_id, candidate_id, unit_id in (
        Entry.objects.filter(
            centre_id=claim.centre_id,
            qualification_id=claim.qualification_id,
            kind=Entry.Kind.NAMED,
            status=Entry.Status.ACCEPTED,
            candidate_id__in=[c.pk for c in candidates.values()],
        )
        .order_by("pk")
        .values_list("pk", "candidate_id", "unit_id")
    ):
        entries.setdefault(candidate_id, {})[unit_id] = entry_id
    existing = {
        (c, u): g
        for c, u, g in ClaimLine.objects.filter(claim=claim).values_list(
            "candidate_id", "unit_id", "grade"
        )
    }
    elsewhere = taken_elsewhere(claim, [c.pk for c in candidates.values()])
    errors, planned, seen = [], [], {}
    unchanged = skipped = 0
    code = claim.qualification.entry_code
    for row in rows:
        problems = []

        def problem(column, message, row=row, problems=problems):
            problems.append(RowError(row.row, column, message))

        candidate = candidates.get(row.candidate_number)
        unit = units.get(row.unit_number)
        if not row.candidate_number:
            problem("candidate_number", "Enter the candidate number.")
        elif candidate is None:
            problem(
                "candidate_number",
                f"There is no candidate {row.candidate_number} at centre {claim.centre.number}.",
            )
        else:
            for column, given, actual in (
                ("last_name", row.last_name, candidate.last_name),
                ("first_name", row.first_name, candidate.first_name),
            ):
                if given and _fold(given) != _fold(actual):
                    problem(
                        column,
                        f"Candidate {candidate.candidate_number} is {candidate.full_name}, not "
                        f"“{given}”; check the candidate number.",
                    )
        if unit is None:
            problem(
                "unit_number",
                f"“{row.unit_number}” is not a unit of {code}: use one of {', '.join(units)}."
                if row.unit_number
                else "Enter the unit number.",
            )
        grade = row.grade.strip().upper()
        if unit is not None and grade and grade not in unit.grade_scale:
            problem(
                "grade",
                f"“{row.grade}” is not a grade of unit {unit.number}: use one of "
                f"{', '.join(unit.grade_scale)}, or leave it blank.",
            )
        if candidate is not None and unit is not None and not problems:
            key = (candidate.pk, unit.pk)
            own = entries.get(candidate.pk, {})
            entry = own.get(unit.pk) or own.get(None)
            if key in seen:
                problem(
                    "unit_number",
                    f"Candidate {candidate.candidate_number} unit {unit.number} is also on row "
                    f"{seen[key]}; list each candidate and unit once.",
                )
            elif grade and entry is None:
                problem(
                    "candidate_number",
                    f"{_who(candidate)} has no accepted entry for {code} unit {unit.number}.",
                )
            elif grade and key in elsewhere:
                problem(
                    "unit_number",
                    f"{_who(candidate)} is already claimed for unit {unit.number} on "
                    f"{'claim ' + elsewhere[key] if elsewhere[key] != 'a draft' else 'a draft'}.",
                )
            seen.setdefault(key, row.row)
        if problems:
            errors.extend(problems)
            continue
        if not grade:
            skipped += 1
            continue
        old = existing.get((candidate.pk, unit.pk), "")
        if old == grade:
            unchanged += 1
            continue
        planned.append(
            {
                "row": row.row,
                "candidate_number": candidate.candidate_number,
                "unit_number": unit.number,
                "candidate_id": candidate.pk,
                "unit_id": unit.pk,
                "entry_id": entry,
                "candidate": _who(candidate),
                "unit": f"Unit {unit.number}",
                "old": old,
                "new": grade,
            }
        )
    summary = {
        "added": sum(1 for p in planned if not p["old"]),
        "changed": sum(1 for p in planned if p["old"]),
        "unchanged": unchanged,
        "skipped": skipped,
    }
    return errors, planned, summary


def add_lines(*, claim, rows: Sequence[LineRow], by) -> int:
    """Add (or regrade) every line of ``rows`` on the draft, all or none, checked again under
    the claim's lock and the entries' row locks. Raises ``LineRowsError``."""
    with transaction.atomic():
        claim = _lock_draft(claim)
        list(
            Entry.objects.select_for_update(of=("self",))
            .filter(
                centre_id=claim.centre_id,
                qualification_id=claim.qualification_id,
                candidate__candidate_number__in={r.candidate_number for r in rows},
                status=Entry.Status.ACCEPTED,
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        errors, planned, _ = check_line_rows(claim, rows)
        if errors:
            raise LineRowsError(errors)
        now = timezone.now()
        new = [p for p in planned if not p["old"]]
        ClaimLine.objects.bulk_create(
            [
                ClaimLine(
                    claim=claim,
                    candidate_id=p["candidate_id"],
                    unit_id=p["unit_id"],
                    entry_id=p["entry_id"],
                    grade=p["new"],
                    added_by=by,
                    added_at=now,
                )
                for p in new
            ],
            batch_size=1000,
        )
        changed = [p for p in planned if p["old"]]
        if changed:
            lines = {
                (line.candidate_id, line.unit_id): line
                for line in ClaimLine.objects.filter(
                    claim=claim, candidate_id__in={p["candidate_id"] for p in changed}
                )
            }
            for p in changed:
                lines[(p["candidate_id"], p["unit_id"])].grade = p["new"]
            ClaimLine.objects.bulk_update(
                [lines[(p["candidate_id"], p["unit_id"])] for p in changed], ["grade"]
            )
        audit.record(
            actor=by,
            action="claim.lines_uploaded",
            centre=claim.centre,
            target=claim,
            data={
                "added": len(new),
                "changed": len(changed),
                "lines": [f"{p['candidate']}, {p['unit']}: {p['new']}" for p in planned],
            },
        )
    return len(planned)
