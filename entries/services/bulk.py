"""Named entries in bulk (an uploaded file, DESIGN.md §2): checking every row against the
database, and writing them all or none.

``check_rows`` checks every row with a fixed number of queries however many rows there are;
``make_named_entries`` checks again under the per-centre lock (``entries._lock_centre``) and
writes everything or nothing. The rules of a single entry and of a single candidate are the
ones in ``services/entries.py`` and ``services/candidates.py``; this module only applies them
to many rows at once.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from operator import attrgetter

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from centres.models import Qualification, QualificationApproval, Unit
from centres.services.approvals import lock_approvals
from ocradmin import audit

from ..models import Candidate, Entry
from ..validators import make_uci, validate_uci
from . import EntryError
from .candidates import (
    candidate_field_problems,
    normalise_candidate_number,
    uln_taken_message,
)
from .entries import (
    _duplicate_message,
    _elsewhere_message,
    _lock_centre,
    _option_code_problem,
    _same_text,
    _what,
    process_by_for,
    unit_key,
)
from .rows import COLUMNS, NamedEntryRow, RowError

BATCH_SIZE = 1000


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


def candidate_number_of(value: str) -> str | None:
    """The row's candidate number as stored (``"7"`` → ``"0007"``), or None when invalid."""
    try:
        return normalise_candidate_number(value)
    except ValueError:
        return None


def _candidate_number_problem(value: str) -> str:
    try:
        normalise_candidate_number(value)
    except ValueError as error:
        return str(error)
    return ""


@dataclass
class _Loaded:
    """What checking a file needs, loaded in a fixed number of queries."""

    qualifications: dict  # entry code (upper case) → Qualification, with ``.approved``
    units: dict  # (qualification id, unit number) → Unit
    by_number: dict  # candidate number → Candidate at the centre
    by_uci: dict  # UCI → Candidate at the centre
    by_uln: dict  # ULN → Candidate at the centre
    live: set  # (candidate id, qualification id, unit id or None) with a live entry
    elsewhere: dict  # (UCI, unit id) → number of another centre with a live entry
    # ULN → candidate number, among the file's new candidates (filled while checking)
    new_ulns: dict = field(default_factory=dict)


@dataclass
class CheckedRow:
    """A row that passed, ready to write."""

    row: NamedEntryRow
    candidate_number: str
    candidate: Candidate | None  # None: a new candidate, made from the row
    qualification: Qualification
    unit: Unit | None
    option_code: str
    uci: str


class _RowKeys:
    """The candidate number of each row, the UCI a new candidate would be given and the
    problems with a new candidate's details, each worked out once per value: a file names
    most candidates on several rows, and a check reads every row twice (loading, then
    checking)."""

    def __init__(self, centre, today: date):
        self.centre_number = centre.number
        self.year = today.year
        self.today = today
        self._numbers: dict[str, str | None] = {}
        self._ucis: dict[str, str] = {}
        self._problems: dict[tuple, dict[str, str]] = {}

    def field_problems(self, row: NamedEntryRow) -> dict[str, str]:
        details = _DETAILS(row)
        try:
            return self._problems[details]
        except KeyError:
            _uci, uln, first_name, last_name, date_of_birth, sex = details
            fields = {
                "uln": uln,
                "first_name": first_name,
                "last_name": last_name,
                "date_of_birth": date_of_birth,
                "sex": (sex or "").strip().upper(),
            }
            problems = self._problems[details] = candidate_field_problems(fields, self.today)
            return problems

    def number(self, row: NamedEntryRow) -> str | None:
        raw = row.candidate_number
        try:
            return self._numbers[raw]
        except KeyError:
            number = self._numbers[raw] = candidate_number_of(raw)
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
    by_uln = {c.uln: c for c in candidates if c.uln}

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
    return _Loaded(qualifications, units, by_number, by_uci, by_uln, live, elsewhere)


def _check(centre, rows: Sequence[NamedEntryRow], today: date):
    """(errors, rows ready to write) for the rows, in five queries whatever their number."""
    keys = _RowKeys(centre, today)
    loaded = _load(centre, rows, keys)
    errors: list[RowError] = []
    checked: list[CheckedRow] = []
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
            problem("candidate_number", _candidate_number_problem(row.candidate_number))
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
            checked.append(
                CheckedRow(row, number, candidate, qualification, unit, option_code, uci)
            )
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
    """A candidate not yet at the centre: their details must be complete and valid, by the
    rules of a candidate added on a form, and their ULN not another candidate's. Returns the
    UCI they will have (given, or generated), or "" when it is invalid."""
    for column, message in keys.field_problems(row).items():
        problem(column, message)
    uln = (row.uln or "").strip()
    if uln:
        holder = loaded.by_uln.get(uln)
        other_new = loaded.new_ulns.setdefault(uln, number)
        if holder is not None:
            problem("uln", uln_taken_message(uln, holder.candidate_number))
        elif other_new != number:
            problem(
                "uln",
                f"ULN {uln} is also given to candidate {other_new} in this file; a learner has "
                "one ULN. Check the ULN.",
            )

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
    attnames = [f.attname for f in model._meta.concrete_fields]
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


def check_rows(*, centre, rows: Sequence[NamedEntryRow]) -> tuple[list[RowError], list[CheckedRow]]:
    """Every problem with these rows, in row order (empty when they can all be written), and
    the rows that passed. Uses the same few queries for 10 rows or 10,000."""
    if not rows:
        return [], []
    return _check(centre, rows, timezone.localdate())


def check_named_entry_rows(*, centre, rows: Sequence[NamedEntryRow]) -> list[RowError]:
    """Every problem with these rows, in row order; empty when they can all be written."""
    return check_rows(centre=centre, rows=rows)[0]


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
