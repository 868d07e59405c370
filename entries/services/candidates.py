"""Candidates: adding and editing a centre's candidates (DESIGN.md §3).

Every rule is checked here, whatever a form shows: the candidate number (four digits, not
0000, unique in the centre), the UCI (generated from the centre number, the year and the
candidate number when left blank; otherwise checked, and unique in the centre), the optional
ULN, and a plausible date of birth. A refusal raises ``InvalidCandidate`` (an ``EntryError``)
carrying every problem by field, so a form can show them all at once.

Changing who a candidate is after results exist is allowed (names get corrected) but staff
must know: later apps register on ``results_exist_checks`` (``entries/hooks.py``); when any
says yes, the change is audited as ``candidate.identity_changed_after_results`` and
staff are emailed.
"""

import re
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from centres.models import Centre
from ocradmin import audit
from ocradmin.notifications import email_notice

from ..hooks import results_exist_checks
from ..models import Candidate
from ..validators import make_uci, validate_uci, validate_uln
from . import EntryError

MIN_AGE = 10
MAX_AGE = 99
HIGHEST_NUMBER = 9999

IDENTITY_FIELDS = ("candidate_number", "uci", "uln", "first_name", "last_name", "date_of_birth")
EDITABLE_FIELDS = (*IDENTITY_FIELDS, "sex")

IDENTITY_CHANGED_AFTER_RESULTS = "candidate.identity_changed_after_results"


def results_exist(candidate: Candidate) -> bool:
    """Whether a receiver of ``results_exist_checks`` says the candidate has results. A page
    may ask without a lock; ``update_candidate`` asks under the candidate's row lock."""
    return bool(results_exist_checks.first(candidate))


class InvalidFields(EntryError):
    """Submitted details break rules; ``errors`` maps each field to its message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__(" ".join(errors.values()))


class InvalidCandidate(InvalidFields):
    """The candidate's details break a rule."""


# --- The rules, one function per field --------------------------------------------------------


def normalise_candidate_number(value) -> str:
    """``"42"`` → ``"0042"``; raises ValueError unless it is 1–4 digits and not zero."""
    text = str(value or "").strip()
    if not re.fullmatch(r"\d{1,4}", text):
        raise ValueError("A candidate number is four digits, 0001 to 9999.")
    if int(text) == 0:
        raise ValueError("0000 is not a valid candidate number; use 0001 to 9999.")
    return text.zfill(4)


def next_candidate_number(centre) -> str | None:
    """The number to suggest for a new candidate: one above the highest in use, or the first
    gap once 9999 is taken; None when every number is used."""
    used = set(Candidate.objects.filter(centre=centre).values_list("candidate_number", flat=True))
    numbers = {int(n) for n in used if n.isdigit()}
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


def _clean(centre, fields: dict, *, exclude_pk=None, generate_uci: bool) -> dict:
    """Check and normalise the given fields; raise InvalidCandidate with every problem."""
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
            if "candidate_number" not in errors:
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
        uln = re.sub(r"\s+", "", fields["uln"] or "")
        if uln:
            try:
                validate_uln(uln)
            except ValidationError as error:
                errors["uln"] = _message(error)
        clean["uln"] = uln

    for name, label in (("first_name", "first name"), ("last_name", "last name")):
        if name in fields:
            clean[name] = " ".join((fields[name] or "").split())
            if not clean[name]:
                errors[name] = f"Enter the candidate's {label}."
            elif len(clean[name]) > 100:
                errors[name] = f"The {label} can be at most 100 characters."

    if "date_of_birth" in fields:
        if not isinstance(fields["date_of_birth"], date):
            errors["date_of_birth"] = "Enter the candidate's date of birth."
        else:
            try:
                check_date_of_birth(fields["date_of_birth"])
            except ValueError as error:
                errors["date_of_birth"] = str(error)

    if "sex" in fields and fields["sex"] not in Candidate.Sex.values:
        errors["sex"] = "Choose the candidate's sex as recorded for exams (F or M)."

    if errors:
        raise InvalidCandidate(errors)
    return clean


def _jsonable(value):
    return value.isoformat() if isinstance(value, date) else value


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
        clean = _clean(current.centre, changes, exclude_pk=current.pk, generate_uci=False)
        changed = {
            name: [_jsonable(getattr(current, name)), _jsonable(value)]
            for name, value in clean.items()
            if getattr(current, name) != value
        }
        if not changed:
            return current
        identity_changed = any(name in IDENTITY_FIELDS for name in changed)
        after_results = identity_changed and results_exist(current)
        for name in changed:
            setattr(current, name, clean[name])
        try:
            with transaction.atomic():
                current.save(update_fields=[*changed, "updated_at"])
        except IntegrityError as error:
            raise EntryError(
                "Another candidate took this number or UCI at the same time; try again."
            ) from error

        action = IDENTITY_CHANGED_AFTER_RESULTS if after_results else "candidate.updated"
        audit.record(
            actor=by,
            action=action,
            centre=current.centre,
            target=current,
            data={"changes": changed},
        )
        if after_results:
            email_notice(
                to=[settings.STAFF_EMAIL],
                notice="entries/identity_changed_after_results",
                context={"candidate": current, "by": by, "changed": changed},
            )
    return current
