"""Candidates: adding and editing a centre's candidates (DESIGN.md §3).

Every rule is checked here, whatever a form shows: the candidate number (four digits, not
0000, unique in the centre), the UCI (generated from the centre number, the year and the
candidate number when left blank; otherwise checked, and unique in the centre), the optional
ULN, and a plausible date of birth. A refusal raises ``InvalidCandidate`` (an ``EntryError``)
carrying every problem by field, so a form can show them all at once.

Who a candidate is becomes fixed once it matters outside the centre: once their grades are
submitted or, later, once they have results or certificates. Later apps say so through the
hook ``results_exist_checks`` (``entries/hooks.py``). From then on their identity
(``IDENTITY_FIELDS``) changes only through a correction staff approve
(``entries.services.corrections``); ``update_candidate`` refuses it with ``IdentityFixed``.
"""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from centres.models import Centre
from ocradmin import audit
from ocradmin.identifiers import is_ascii_digits

from ..hooks import results_exist_checks
from ..models import Candidate
from ..validators import make_uci, validate_uci, validate_uln
from . import EntryError

MIN_AGE = 10
MAX_AGE = 99
HIGHEST_NUMBER = 9999
SEXES = frozenset(Candidate.Sex.values)

IDENTITY_FIELDS = ("candidate_number", "uci", "uln", "first_name", "last_name", "date_of_birth")
EDITABLE_FIELDS = (*IDENTITY_FIELDS, "sex")


def results_exist(candidate: Candidate) -> bool:
    """Whether a receiver of ``results_exist_checks`` says the candidate's identity is fixed
    (submitted grades, results). A page may ask without a lock; ``update_candidate`` and the
    corrections ask under the centre's and the candidate's row locks."""
    return bool(results_exist_checks.first(candidate))


class InvalidFields(EntryError):
    """Submitted details break rules; ``errors`` maps each field to its message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__(" ".join(errors.values()))


class InvalidCandidate(InvalidFields):
    """The candidate's details break a rule."""


class IdentityFixed(EntryError):
    """The candidate's identity changes only through a correction staff approve."""

    def __init__(self, candidate: Candidate):
        self.candidate = candidate
        super().__init__(
            f"Candidate {candidate.candidate_number} {candidate.full_name} has submitted grades "
            "or results, so their name, date of birth, candidate number, UCI and ULN change "
            "only through a correction the awarding body approves. Request a correction "
            "instead."
        )


# --- The rules, one function per field --------------------------------------------------------


def normalise_candidate_number(value) -> str:
    """``"42"`` → ``"0042"``; raises ValueError unless it is 1–4 digits and not zero."""
    text = str(value or "").strip()
    if not re.fullmatch(r"[0-9]{1,4}", text):
        raise ValueError("A candidate number is four digits, 0001 to 9999.")
    if int(text) == 0:
        raise ValueError("0000 is not a valid candidate number; use 0001 to 9999.")
    return text.zfill(4)


def next_candidate_number(centre) -> str | None:
    """The number to suggest for a new candidate: one above the highest in use, or the first
    gap once 9999 is taken; None when every number is used."""
    used = set(Candidate.objects.filter(centre=centre).values_list("candidate_number", flat=True))
    numbers = {int(n) for n in used if is_ascii_digits(n)}
    highest = max(numbers, default=0)
    if highest < HIGHEST_NUMBER:
        return f"{highest + 1:04d}"
    for number in range(1, HIGHEST_NUMBER + 1):
        if number not in numbers:
            return f"{number:04d}"
    return None


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def date_of_birth_bounds(today: date | None = None) -> tuple[date, date]:
    """The earliest and latest dates of birth for a candidate aged 10 to 99 today."""
    today = today or timezone.localdate()
    latest = _years_before(today, MIN_AGE)
    earliest = date.fromordinal(_years_before(today, MAX_AGE + 1).toordinal() + 1)
    return earliest, latest


def _long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def check_date_of_birth(value: date, today: date | None = None) -> None:
    earliest, latest = date_of_birth_bounds(today)
    if not earliest <= value <= latest:
        raise ValueError(
            f"Check the date of birth: a candidate must be aged {MIN_AGE} to {MAX_AGE} today, "
            f"so born between {_long_date(earliest)} and {_long_date(latest)}."
        )


def _message(error: ValidationError) -> str:
    return " ".join(error.messages)


def candidate_field_problems(fields: dict, today: date | None = None) -> dict[str, str]:
    """The problems with a candidate's own details — ULN, names, date of birth and sex — for
    whichever of them ``fields`` holds: the one check for a candidate added on a form, edited,
    or new in an uploaded file. The candidate number, the UCI and what must be unique at the
    centre are checked by the caller."""
    errors = {}
    if "uln" in fields:
        uln = re.sub(r"\s+", "", fields["uln"] or "")
        if uln:
            try:
                validate_uln(uln)
            except ValidationError as error:
                errors["uln"] = _message(error)
    for name, label in (("first_name", "first name"), ("last_name", "last name")):
        if name in fields:
            value = " ".join((fields[name] or "").split())
            if not value:
                errors[name] = f"Enter the candidate's {label}."
            elif len(value) > 100:
                errors[name] = f"The {label} can be at most 100 characters."
    if "date_of_birth" in fields:
        if not isinstance(fields["date_of_birth"], date):
            errors["date_of_birth"] = "Enter the candidate's date of birth."
        else:
            try:
                check_date_of_birth(fields["date_of_birth"], today)
            except ValueError as error:
                errors["date_of_birth"] = str(error)
    if "sex" in fields and fields["sex"] not in SEXES:
        errors["sex"] = "Choose the candidate's sex as recorded for exams (F or M)."
    return errors


def uln_holder(centre, uln: str, *, exclude_pk=None) -> Candidate | None:
    """Another of the centre's candidates with this ULN: a learner has one ULN."""
    return (
        Candidate.objects.filter(centre=centre, uln=uln).exclude(pk=exclude_pk).order_by().first()
    )


def uln_taken_message(uln: str, candidate_number: str) -> str:
    return (
        f"ULN {uln} already belongs to candidate {candidate_number} at this centre; "
        "a learner has one ULN. Check the ULN."
    )


def candidate_problems(
    centre, fields: dict, *, exclude_pk=None, generate_uci: bool
) -> tuple[dict, dict[str, str]]:
    """Check and normalise whichever candidate fields ``fields`` holds: ``(clean, errors)``,
    every problem at once (a form asks this with the fields it has read, so that the ULN or
    a number already in use is reported together with a missing name)."""
    errors: dict[str, str] = {}
    clean = dict(fields)

    if "candidate_number" in fields:
        try:
            clean["candidate_number"] = normalise_candidate_number(fields["candidate_number"])
        except ValueError as error:
            errors["candidate_number"] = str(error)
        else:
            taken = Candidate.objects.filter(
                centre=centre, candidate_number=clean["candidate_number"]
            ).exclude(pk=exclude_pk)
            if taken.exists():
                suggestion = next_candidate_number(centre)
                hint = f" The next free number is {suggestion}." if suggestion else ""
                errors["candidate_number"] = (
                    f"Candidate number {clean['candidate_number']} is already used at centre "
                    f"{centre.number}.{hint}"
                )

    if "uci" in fields:
        uci = (fields["uci"] or "").strip().upper()
        if not uci and generate_uci:
            if "candidate_number" in clean and "candidate_number" not in errors:
                uci = make_uci(
                    centre_number=centre.number,
                    year=timezone.localdate().year % 100,
                    candidate_number=clean["candidate_number"],
                )
        elif not uci:
            errors["uci"] = "Enter the candidate's UCI."
        else:
            try:
                validate_uci(uci)
            except ValidationError as error:
                errors["uci"] = _message(error)
        clean["uci"] = uci
        if uci and "uci" not in errors:
            taken = Candidate.objects.filter(centre=centre, uci=uci).exclude(pk=exclude_pk)
            holder = taken.first()
            if holder is not None:
                errors["uci"] = (
                    f"UCI {uci} already belongs to candidate {holder.candidate_number} "
                    f"{holder.full_name} at this centre."
                )

    if "uln" in fields:
        clean["uln"] = re.sub(r"\s+", "", fields["uln"] or "")
    for name in ("first_name", "last_name"):
        if name in fields:
            clean[name] = " ".join((fields[name] or "").split())
    for name, message in candidate_field_problems(fields).items():
        errors.setdefault(name, message)
    if clean.get("uln") and "uln" not in errors:
        holder = uln_holder(centre, clean["uln"], exclude_pk=exclude_pk)
        if holder is not None:
            errors["uln"] = uln_taken_message(clean["uln"], holder.candidate_number)
    return clean, errors


def _clean(centre, fields: dict, *, exclude_pk=None, generate_uci: bool) -> dict:
    """Check and normalise the given fields; raise InvalidCandidate with every problem."""
    clean, errors = candidate_problems(
        centre, fields, exclude_pk=exclude_pk, generate_uci=generate_uci
    )
    if errors:
        raise InvalidCandidate(errors)
    return clean


def jsonable(value):
    return value.isoformat() if isinstance(value, date) else value


def checked_changes(current: Candidate, changes: dict) -> tuple[dict, dict]:
    """Check ``changes`` to a candidate; return the clean values and ``{field: [old, new]}``
    for those that differ (dates as ISO text). Raises InvalidCandidate."""
    clean = _clean(current.centre, changes, exclude_pk=current.pk, generate_uci=False)
    changed = {
        name: [jsonable(getattr(current, name)), jsonable(value)]
        for name, value in clean.items()
        if getattr(current, name) != value
    }
    return clean, changed


# --- Transitions ------------------------------------------------------------------------------


def create_candidate(
    *,
    centre,
    by,
    candidate_number,
    first_name,
    last_name,
    date_of_birth,
    sex,
    uci: str = "",
    uln: str = "",
) -> Candidate:
    fields = {
        "candidate_number": candidate_number,
        "uci": uci,
        "uln": uln,
        "first_name": first_name,
        "last_name": last_name,
        "date_of_birth": date_of_birth,
        "sex": sex,
    }
    with transaction.atomic():
        # One candidate is added at a time per centre, so the uniqueness checks hold.
        Centre.objects.select_for_update().filter(pk=centre.pk).first()
        clean = _clean(centre, fields, generate_uci=True)
        candidate = Candidate(centre=centre, **clean)
        try:
            with transaction.atomic():
                candidate.save()
        except IntegrityError as error:
            raise EntryError(
                "Another candidate with this number or UCI was added at the same time; "
                "check the candidate list and try again."
            ) from error
        audit.record(
            actor=by,
            action="candidate.created",
            centre=centre,
            target=candidate,
            data={
                "candidate_number": candidate.candidate_number,
                "uci": candidate.uci,
                "uci_generated": not (uci or "").strip(),
            },
        )
    return candidate


def update_candidate(*, candidate, by, **changes) -> Candidate:
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"update_candidate cannot change {', '.join(sorted(unknown))}")
    with transaction.atomic():
        Centre.objects.select_for_update().filter(pk=candidate.centre_id).first()
        current = (
            Candidate.objects.select_for_update().select_related("centre").get(pk=candidate.pk)
        )
        clean, changed = checked_changes(current, changes)
        if not changed:
            return current
        if any(name in IDENTITY_FIELDS for name in changed) and results_exist(current):
            raise IdentityFixed(current)
        for name in changed:
            setattr(current, name, clean[name])
        try:
            with transaction.atomic():
                current.save(update_fields=[*changed, "updated_at"])
        except IntegrityError as error:
            raise EntryError(
                "Another candidate took this number or UCI at the same time; try again."
            ) from error
        audit.record(
            actor=by,
            action="candidate.updated",
            centre=current.centre,
            target=current,
            data={"changes": changed},
        )
    return current
