"""Making, amending and withdrawing entries, one at a time or in bulk (DESIGN.md §2–§4).

Every entry starts ``submitted`` with ``process_by`` = submitted + 48 h; the processing job
(``services/processing.py``) accepts or rejects it. The checks here are the ones a centre can
fix before submitting: the qualification is approved for the centre, the unit belongs to it,
the option code fits, the candidate is not entered twice, and the unit is not already entered
for the same UCI at another centre.

Bulk entries (an uploaded file) go through ``check_named_entry_rows``, which checks every row
with a fixed number of queries however many rows there are, and ``make_named_entries``, which
checks again under a per-centre lock and writes everything or nothing.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from operator import attrgetter

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from centres.models import Centre, Qualification, QualificationApproval, Unit
from centres.services import CentreError
from centres.services.approvals import lock_approvals, lock_approved_qualification
from ocradmin import audit

from ..hooks import entry_withdrawal_blockers
from ..models import Candidate, Entry
from ..validators import make_uci, validate_uci, validate_uln
from . import EntryError
from .rows import NamedEntryRow, RowError

PROCESS_WITHIN = timedelta(hours=48)
BATCH_SIZE = 1000
MAX_UNNAMED_QUANTITY = 500
MIN_AGE, MAX_AGE = 10, 99
WITHDRAWABLE = (Entry.Status.SUBMITTED, Entry.Status.ACCEPTED, Entry.Status.NEEDS_REVIEW)

# The upload template's headers, in order; ``RowError.column`` is one of these.
COLUMNS = (
    "candidate_number",
    "uci",
    "uln",
    "first_name",
    "last_name",
    "date_of_birth",
    "sex",
    "entry_code",
    "unit_number",
    "option_code",
)

CANDIDATE_NUMBER_RE = re.compile(r"^[0-9]{1,4}$")
_SEXES = frozenset(Candidate.Sex.values)


class EntryRowsError(EntryError):
    """Bulk entries refused: ``errors`` lists every problem, row by row."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        noun = "problem" if len(errors) == 1 else "problems"
        super().__init__(
            f"No entries were made: the rows have {len(errors)} {noun}. First: {errors[0]}"
            if errors
            else "No entries were made."
        )


def process_by_for(submitted_at):
    """The processing deadline for an entry submitted at ``submitted_at``."""
    return submitted_at + PROCESS_WITHIN


# --- Shared checks and wording ----------------------------------------------------------------


def normalise_candidate_number(value: str) -> str | None:
    """``"7"`` → ``"0007"`` (spreadsheets drop leading zeros); None when it is not 0001–9999."""
    value = (value or "").strip()
    if not CANDIDATE_NUMBER_RE.match(value):
        return None
    value = value.zfill(4)
    return None if value == "0000" else value


def unit_key(number: str) -> str:
    """How a unit number is matched: ``"01"`` and ``"1"`` are the same unit; case ignored."""
    number = (number or "").strip().upper()
    return (number.lstrip("0") or "0") if number.isdigit() else number


def age_on(date_of_birth: date, today: date) -> int:
    before_birthday = (today.month, today.day) < (date_of_birth.month, date_of_birth.day)
    return today.year - date_of_birth.year - before_birthday


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


def withdraw_entry(*, entry, by) -> Entry:
    """Withdraw a live entry, unless something later (a claim) still uses it."""
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
        reason = entry_withdrawal_blockers.first(entry)
        if reason:
            raise EntryError(f"This entry cannot be withdrawn: {reason}")
        previous = entry.status
        entry.status = Entry.Status.WITHDRAWN
        entry.withdrawn_at = timezone.now()
        entry.save(update_fields=["status", "withdrawn_at"])
        audit.record(
            actor=by,
            action="entry.withdrawn",
            centre=entry.centre,
            target=entry,
            data={**_entry_data(entry), "previous_status": previous},
        )
    return entry


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


# --- Bulk named entries -----------------------------------------------------------------------


@dataclass
class _Loaded:
    """What checking a file needs, loaded in a fixed number of queries."""

    qualifications: dict  # entry code (upper case) → Qualification, with ``.approved``
    units: dict  # (qualification id, unit number) → Unit
    by_number: dict  # candidate number → Candidate at the centre
    by_uci: dict  # UCI → Candidate at the centre
    live: set  # (candidate id, qualification id, unit id or None) with a live entry
    elsewhere: dict  # (UCI, unit id) → number of another centre with a live entry


@dataclass
class _Checked:
    """A row that passed, ready to write."""

    row: NamedEntryRow
    candidate_number: str
    candidate: Candidate | None  # None: a new candidate, made from the row
    qualification: Qualification
    unit: Unit | None
    option_code: str
    uci: str


class _RowKeys:
    """The candidate number of each row, and the UCI a new candidate would be given, each
    worked out once per value: a file names most candidates on several rows, and a check
    reads every row twice (loading, then checking)."""

    def __init__(self, centre, year: int):
        self.centre_number = centre.number
        self.year = year
        self._numbers: dict[str, str | None] = {}
        self._ucis: dict[str, str] = {}

    def number(self, row: NamedEntryRow) -> str | None:
        raw = row.candidate_number
        try:
            return self._numbers[raw]
        except KeyError:
            number = self._numbers[raw] = normalise_candidate_number(raw)
            return number

    def generated_uci(self, number: str) -> str:
        try:
            return self._ucis[number]
        except KeyError:
            uci = self._ucis[number] = make_uci(
                centre_number=self.centre_number, year=self.year, candidate_number=number
            )
            return uci


def _load(centre, rows: Sequence[NamedEntryRow], keys: _RowKeys) -> _Loaded:
    codes = {(r.entry_code or "").strip() for r in rows}
    codes |= {c.upper() for c in codes}
    approved = QualificationApproval.objects.filter(
        centre=centre,
        qualification=OuterRef("pk"),
        status=QualificationApproval.Status.APPROVED,
    )
    qualifications = {
        q.entry_code.upper(): q
        for q in Qualification.objects.filter(entry_code__in=codes).annotate(
            approved=Exists(approved)
        )
    }
    units = {
        (u.qualification_id, unit_key(u.number)): u
        for u in Unit.objects.filter(qualification_id__in=[q.pk for q in qualifications.values()])
    }
    # A centre has at most 9,999 candidates: load them all (no 10,000-item IN list).
    candidates = list(Candidate.objects.filter(centre=centre).order_by())
    by_number = {c.candidate_number: c for c in candidates}
    by_uci = {c.uci: c for c in candidates}

    numbers = {keys.number(r) for r in rows} - {None}
    live = set()
    if qualifications and any(n in by_number for n in numbers):
        # The centre's live entries for these qualifications, with no list of candidate ids:
        # next to the other conditions, a list of thousands of ids makes the database probe
        # its index once per combination. Entries of candidates not in the file are never
        # looked up.
        live = set(
            Entry.objects.filter(
                centre=centre,
                qualification_id__in=[q.pk for q in qualifications.values()],
                status__in=Entry.LIVE,
            )
            .order_by()
            .values_list("candidate_id", "qualification_id", "unit_id")
        )

    ucis = set()
    for row in rows:
        if not (row.unit_number or "").strip():
            continue
        number = keys.number(row)
        if number in by_number:
            ucis.add(by_number[number].uci)
        elif (row.uci or "").strip():
            ucis.add(row.uci.strip().upper())
        elif number:
            ucis.add(keys.generated_uci(number))
    elsewhere = {}
    if ucis:
        for uci, unit_id, number in (
            Entry.objects.filter(candidate__uci__in=ucis, unit__isnull=False, status__in=Entry.LIVE)
            .exclude(centre=centre)
            .values_list("candidate__uci", "unit_id", "centre__number")
        ):
            elsewhere.setdefault((uci, unit_id), number)
    return _Loaded(qualifications, units, by_number, by_uci, live, elsewhere)


def _check(centre, rows: Sequence[NamedEntryRow], today: date):
    """(errors, rows ready to write) for the rows, in five queries whatever their number."""
    keys = _RowKeys(centre, today.year)
    loaded = _load(centre, rows, keys)
    errors: list[RowError] = []
    checked: list[_Checked] = []
    first_row_of: dict[str, NamedEntryRow] = {}
    new_ucis: dict[str, str] = {}  # UCI → candidate number, among the file's new candidates
    seen_entries: dict[tuple, int] = {}

    for row in rows:
        row_errors: list[RowError] = []

        def problem(column, message, row=row, row_errors=row_errors):
            row_errors.append(RowError(row.row_number, column, message))

        # The candidate.
        number = keys.number(row)
        candidate = None
        uci = ""
        if number is None:
            problem("candidate_number", "A candidate number is four digits, 0001 to 9999.")
        elif number in loaded.by_number:
            candidate = loaded.by_number[number]
            uci = candidate.uci
            _check_existing(row, candidate, problem)
        else:
            uci = _check_new(row, number, today, loaded, keys, new_ucis, problem)
            first = first_row_of.get(number)
            if first is None:
                first_row_of[number] = row
                if uci:
                    new_ucis.setdefault(uci, number)
            else:
                differs = _first_difference(first, row)
                if differs:
                    problem(
                        differs,
                        f"Candidate {number} is also on row {first.row_number} with different "
                        "details; a candidate's details must be the same on every row.",
                    )

        # The entry.
        code = (row.entry_code or "").strip().upper()
        unit_number = (row.unit_number or "").strip().upper()
        option_code = (row.option_code or "").strip().upper()
        qualification = loaded.qualifications.get(code) if code else None
        unit = None
        if not code:
            problem("entry_code", "Give the qualification's entry code.")
        elif qualification is None:
            problem("entry_code", f"There is no qualification with entry code {code}.")
        elif not centre.is_approved:
            problem("entry_code", f"Centre {centre.number} is not an approved centre.")
        elif not qualification.is_active:
            problem("entry_code", f"{qualification.entry_code} is no longer offered.")
        elif not qualification.approved:
            problem(
                "entry_code",
                f"Centre {centre.number} is not approved for {qualification.entry_code} "
                f"{qualification.title}. Request approval on the centre's Qualifications page.",
            )
        else:
            if unit_number:
                unit = loaded.units.get((qualification.pk, unit_key(unit_number)))
                if unit is None:
                    problem(
                        "unit_number",
                        f"Unit {unit_number} is not part of {qualification.entry_code}.",
                    )
            option_problem = _option_code_problem(qualification, option_code)
            if option_problem:
                problem("option_code", option_problem)

        if qualification is not None and (unit is not None or not unit_number) and number:
            column = "unit_number" if unit else "entry_code"
            key = (number, qualification.pk, unit.pk if unit else None)
            if key in seen_entries:
                problem(
                    column,
                    f"The same entry ({_what(qualification, unit)} for candidate {number}) "
                    f"is also on row {seen_entries[key]}.",
                )
            else:
                seen_entries[key] = row.row_number
            if candidate and (candidate.pk, *key[1:]) in loaded.live:
                problem(column, _duplicate_message(number, qualification, unit))
            if unit is not None and uci and (uci, unit.pk) in loaded.elsewhere:
                problem(
                    "unit_number",
                    _elsewhere_message(uci, qualification, unit, loaded.elsewhere[(uci, unit.pk)]),
                )

        if row_errors:
            errors.extend(row_errors)
        else:
            checked.append(_Checked(row, number, candidate, qualification, unit, option_code, uci))
    return errors, checked


def _check_existing(row: NamedEntryRow, candidate: Candidate, problem) -> None:
    """Details in the row must not contradict the stored candidate (blank is fine)."""
    number = candidate.candidate_number
    for column, given, stored in (
        ("first_name", row.first_name, candidate.first_name),
        ("last_name", row.last_name, candidate.last_name),
    ):
        if (given or "").strip() and not _same_text(given, stored):
            label = column.replace("_", " ")
            problem(
                column,
                f"Candidate {number} is {candidate.full_name}; this row gives the {label} "
                f"{given.strip()!r}. Check the candidate number, or correct the candidate first.",
            )
    if row.date_of_birth and row.date_of_birth != candidate.date_of_birth:
        problem(
            "date_of_birth",
            f"Candidate {number} ({candidate.full_name}) was born on "
            f"{candidate.date_of_birth:%d/%m/%Y}, not {row.date_of_birth:%d/%m/%Y}.",
        )
    sex = (row.sex or "").strip().upper()
    if sex and sex != candidate.sex:
        problem(
            "sex", f"Candidate {number} ({candidate.full_name}) is recorded as {candidate.sex}."
        )
    uci = (row.uci or "").strip().upper()
    if uci and uci != candidate.uci:
        problem(
            "uci",
            f"Candidate {number} ({candidate.full_name}) has UCI {candidate.uci}, not {uci}.",
        )
    uln = (row.uln or "").strip()
    if uln and candidate.uln and uln != candidate.uln:
        problem(
            "uln",
            f"Candidate {number} ({candidate.full_name}) has ULN {candidate.uln}, not {uln}.",
        )


def _check_new(row, number, today, loaded: _Loaded, keys: _RowKeys, new_ucis, problem) -> str:
    """A candidate not yet at the centre: their details must be complete and valid.
    Returns the UCI they will have (given, or generated), or "" when it is invalid."""
    if not (row.first_name or "").strip():
        problem("first_name", f"Candidate {number} is new: give their first name.")
    if not (row.last_name or "").strip():
        problem("last_name", f"Candidate {number} is new: give their last name.")
    if row.date_of_birth is None:
        problem("date_of_birth", f"Candidate {number} is new: give their date of birth.")
    elif not MIN_AGE <= age_on(row.date_of_birth, today) <= MAX_AGE:
        problem(
            "date_of_birth",
            f"A date of birth of {row.date_of_birth:%d/%m/%Y} gives an age of "
            f"{age_on(row.date_of_birth, today)}; candidates are {MIN_AGE} to {MAX_AGE}.",
        )
    if (row.sex or "").strip().upper() not in _SEXES:
        problem("sex", "Sex is F or M.")
    uln = (row.uln or "").strip()
    if uln:
        try:
            validate_uln(uln)
        except ValidationError as error:
            problem("uln", error.messages[0])

    uci = (row.uci or "").strip().upper()
    generated = not uci
    if generated:
        uci = keys.generated_uci(number)
    else:
        try:
            validate_uci(uci)
        except ValidationError as error:
            problem("uci", error.messages[0])
            return ""
    holder = loaded.by_uci.get(uci)
    other_new = new_ucis.get(uci)
    if holder is not None or (other_new and other_new != number):
        owner = holder.candidate_number if holder is not None else other_new
        if generated:
            problem(
                "uci",
                f"The UCI this candidate would be given, {uci}, is already used by candidate "
                f"{owner}; give the candidate's UCI.",
            )
        else:
            problem("uci", f"UCI {uci} is already used by candidate {owner} at this centre.")
        return ""
    return uci


def _details(row: NamedEntryRow) -> dict:
    return {
        "uci": (row.uci or "").strip().upper(),
        "uln": (row.uln or "").strip(),
        "first_name": " ".join((row.first_name or "").split()).casefold(),
        "last_name": " ".join((row.last_name or "").split()).casefold(),
        "date_of_birth": row.date_of_birth,
        "sex": (row.sex or "").strip().upper(),
    }


# The row's candidate details that ``_details`` compares.
_DETAILS = attrgetter("uci", "uln", "first_name", "last_name", "date_of_birth", "sex")


def _first_difference(first: NamedEntryRow, row: NamedEntryRow) -> str | None:
    if _DETAILS(first) == _DETAILS(row):  # the same values, so the same once normalised
        return None
    a, b = _details(first), _details(row)
    for column in COLUMNS:
        if column in a and a[column] != b[column]:
            return column
    return None


def _instances(model, *, shared: dict, varying: tuple[str, ...], rows) -> list:
    """``model(**shared, **dict(zip(varying, row)))`` for each row, made faster: the values
    are passed by position, which spares ``Model.__init__`` its lookup of every keyword (half
    the time of making 10,000 entries). Every other field takes its default, worked out once,
    so a model with a mutable default (a JSONField's ``dict``) is refused."""
    attnames = [field.attname for field in model._meta.concrete_fields]
    template = model(**shared)
    values = [getattr(template, name) for name in attnames]
    if any(isinstance(value, dict | list | set) for value in values):
        raise ValueError(f"{model.__name__} has a mutable default; make it with keywords.")
    slots = [attnames.index(name) for name in varying]
    made = []
    for row in rows:
        for slot, value in zip(slots, row, strict=True):
            values[slot] = value
        made.append(model(*values))
    return made


def check_named_entry_rows(*, centre, rows: Sequence[NamedEntryRow]) -> list[RowError]:
    """Every problem with these rows, in row order; empty when they can all be written.

    Uses the same few queries for 10 rows or 10,000.
    """
    if not rows:
        return []
    errors, _ = _check(centre, rows, timezone.localdate())
    return errors


def make_named_entries(
    *,
    centre,
    rows: Sequence[NamedEntryRow],
    by,
    upload=None,
    progress: Callable[[int], None] | None = None,
) -> list[Entry]:
    """Create the rows' new candidates and every entry, or nothing (raises EntryRowsError,
    an EntryError whose ``errors`` lists the problems). ``progress(done)`` is called after
    each batch of ``BATCH_SIZE`` entries is written.
    """
    if not rows:
        raise EntryError("There are no entries to make.")
    try:
        with transaction.atomic():
            centre = _lock_centre(centre)
            lock_approvals(centre=centre)
            now = timezone.now()
            today = timezone.localdate(now)
            errors, checked = _check(centre, rows, today)
            if errors:
                raise EntryRowsError(errors)

            new = {}  # candidate number → Candidate, from the first row naming them
            for item in checked:
                if item.candidate is None and item.candidate_number not in new:
                    row = item.row
                    new[item.candidate_number] = Candidate(
                        centre=centre,
                        candidate_number=item.candidate_number,
                        uci=item.uci,
                        uln=(row.uln or "").strip(),
                        first_name=" ".join(row.first_name.split()),
                        last_name=" ".join(row.last_name.split()),
                        date_of_birth=row.date_of_birth,
                        sex=row.sex.strip().upper(),
                        created_at=now,
                    )
            if new:
                Candidate.objects.bulk_create(list(new.values()), batch_size=BATCH_SIZE)
                if any(c.pk is None for c in new.values()):  # a database that returns no keys
                    new = {
                        c.candidate_number: c
                        for c in Candidate.objects.filter(
                            centre=centre, candidate_number__in=list(new)
                        )
                    }

            process_by = process_by_for(now)
            by_id = by.pk if by is not None else None
            upload_id = upload.pk if upload is not None else None
            # Keys rather than objects: assigning 10,000 related objects is slow.
            entries = _instances(
                Entry,
                shared={
                    "centre_id": centre.pk,
                    "kind": Entry.Kind.NAMED,
                    "status": Entry.Status.SUBMITTED,
                    "submitted_by_id": by_id,
                    "submitted_at": now,
                    "process_by": process_by,
                    "upload_id": upload_id,
                },
                varying=("qualification_id", "candidate_id", "unit_id", "option_code"),
                rows=(
                    (
                        item.qualification.pk,
                        (item.candidate or new[item.candidate_number]).pk,
                        item.unit.pk if item.unit else None,
                        item.option_code,
                    )
                    for item in checked
                ),
            )

            done = 0
            for start in range(0, len(entries), BATCH_SIZE):
                batch = entries[start : start + BATCH_SIZE]
                Entry.objects.bulk_create(batch)
                done += len(batch)
                if progress is not None:
                    progress(done)

            audit.record(
                actor=by,
                action="entries.bulk_created",
                centre=centre,
                target=upload,
                data={
                    "count": len(entries),
                    "new_candidates": len(new),
                    "upload": upload.pk if upload is not None else None,
                },
            )
    except IntegrityError as error:
        raise EntryError(
            "The centre's candidates or entries changed while these entries were being made; "
            "nothing was written. Check the file again and resubmit."
        ) from error
    return entries
