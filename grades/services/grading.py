"""Entering teacher-assessed grades: one at a time (the grid, inline), all at once (the grid
without JavaScript, an upload), and the checks the pages share.

Every save is guarded by optimistic versioning: the page sends the ``version`` it showed, and
a save from a stale page is refused with the current grade instead of overwriting a
colleague's change. The qualification's ``QualificationGrades`` row is locked for the length of
a save, so a save cannot slip past "send to the head of centre", and two saves of the same
qualification queue.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, prefetch_related_objects
from django.utils import timezone
from django.utils.formats import date_format

from entries.models import Candidate
from ocradmin import audit

from ..models import CentreSubmission, Grade, QualificationGrades
from ..rules import grading_access
from ..selectors import (
    entered_candidate_ids,
    entered_candidates,
    grading_progress,
)
from . import GradeError, WindowClosed, require_window, window

__all__ = [
    "StaleGrade",
    "StaleGrades",
    "grades_complete",
    "qualification_grades_for",
    "read_only_reason",
    "record_grades_download",
    "save_grade",
    "save_grades",
    "submission_window_message",
]


class StaleGrade(GradeError):
    """Someone saved this grade after the page was loaded; nothing was saved."""

    def __init__(self, grade: Grade, *, row_number: int | None = None):
        self.grade = grade
        self.candidate_id = grade.candidate_id
        self.current = grade.grade
        self.version = grade.version
        self.changed_by = grade.updated_by
        self.row_number = row_number
        super().__init__(
            f"{_changed(grade)}; your change was not saved. The current grade is shown."
        )


class StaleGrades(GradeError):
    """A save of several grades refused as a whole because some changed since they were read."""

    def __init__(self, conflicts: list[StaleGrade]):
        self.conflicts = conflicts
        count = len(conflicts)
        noun = "grade was" if count == 1 else "grades were"
        super().__init__(
            f"{count} {noun} changed by someone else since you loaded them, so nothing was "
            "saved. The current grades are shown."
        )


def _changed(grade: Grade) -> str:
    who = grade.updated_by.get_full_name() if grade.updated_by else "Someone"
    local = timezone.localtime(grade.updated_at)
    when = f"at {local:%H:%M}"
    if local.date() != timezone.localdate():
        when = f"on {date_format(local, 'j F')} {when}"
    if grade.grade:
        return f"{who} changed this to {grade.grade} {when}"
    return f"{who} cleared this grade {when}"


# --- Checks the pages and the saves share ---------------------------------------------------


def qualification_grades_for(*, series, centre, qualifications) -> dict:
    """``{qualification_id: QualificationGrades}``, creating the missing ones as "being graded";
    a constant number of queries whatever the number of qualifications."""
    ids = [q.pk for q in qualifications]
    rows = QualificationGrades.objects.filter(
        series=series, centre=centre, qualification_id__in=ids
    )
    found = {row.qualification_id: row for row in rows}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        QualificationGrades.objects.bulk_create(
            [
                QualificationGrades(series=series, centre=centre, qualification_id=pk)
                for pk in missing
            ],
            ignore_conflicts=True,
        )
        found.update(
            (row.qualification_id, row)
            for row in QualificationGrades.objects.filter(
                series=series, centre=centre, qualification_id__in=missing
            )
        )
    return found


def _state_refusal(*, series, centre, qualification_grades) -> GradeError | None:
    """Why nobody may change these grades now, or None."""
    try:
        require_window(series, "submission")
    except WindowClosed as closed:
        return closed
    if CentreSubmission.objects.filter(series=series, centre=centre).exists():
        return GradeError(
            "The head of centre has submitted the centre's grades; they can no longer be changed."
        )
    status = qualification_grades.status
    if status == QualificationGrades.Status.SENT:
        return GradeError(
            "These grades have been sent to the head of centre — ask them to return them "
            "if a grade needs to change."
        )
    if status not in QualificationGrades.EDITABLE:
        return GradeError(
            "The head of centre has approved these grades — ask them to return them "
            "if a grade needs to change."
        )
    return None


def read_only_reason(*, series, centre, qualification_grades, user, access=None) -> str | None:
    """Why the grid is shown read-only to this user, or None when they may change grades.
    ``access`` is the user's ``grading_access`` to the qualification when the page has it
    already (worked out here otherwise)."""
    refusal = _state_refusal(
        series=series, centre=centre, qualification_grades=qualification_grades
    )
    if refusal is not None:
        return str(refusal)
    if access is None:
        access = grading_access(user, centre, series, qualification_grades.qualification)
    if not access.may_edit:
        return "You can view these grades; the assigned teachers and the exams officer enter them."
    return None


def submission_window_message(series) -> str | None:
    """ "… opens on …" / "… closed on …" outside the submission window, else None."""
    now = timezone.now()
    current = window(series, "submission")
    return None if current.is_open(now) else str(WindowClosed(current, now))


def _require_grader(*, by, centre, series, qualification) -> None:
    if not grading_access(by, centre, series, qualification).may_edit:
        raise PermissionDenied(
            f"You are not assigned to grade {qualification.entry_code} at this centre."
        )


def _lock_for_grading(*, series, centre, qualification) -> QualificationGrades:
    """Lock the qualification's state row (created if absent) and refuse when it is closed."""
    qualification_grades, _ = QualificationGrades.objects.select_for_update().get_or_create(
        series=series, centre=centre, qualification=qualification
    )
    refusal = _state_refusal(
        series=series, centre=centre, qualification_grades=qualification_grades
    )
    if refusal is not None:
        raise refusal
    return qualification_grades


def _check_value(qualification, grade: str) -> str:
    grade = (grade or "").strip()
    if grade and grade not in qualification.grade_scale:
        raise GradeError(
            f"{grade} is not a grade for {qualification.entry_code}: use one of "
            f"{' '.join(qualification.grade_scale)}, or leave it blank."
        )
    return grade


def _change_data(qualification, grade, old, new) -> dict:
    return {
        "candidate": grade.candidate.candidate_number,
        "qualification": qualification.entry_code,
        "old": old,
        "new": new,
    }


def _audit_change(*, by, centre, qualification, grade, old, new):
    audit.record(
        actor=by,
        action="grade.changed",
        centre=centre,
        target=grade,
        data=_change_data(qualification, grade, old, new),
    )


# --- Saving ---------------------------------------------------------------------------------


def save_grade(*, series, centre, qualification, candidate, grade, expected_version, by) -> Grade:
    """Save one candidate's grade if nobody has saved it since ``expected_version`` was read.

    Raises ``PermissionDenied`` for a user who may not grade this qualification here,
    ``WindowClosed`` outside the submission window, ``StaleGrade`` when the version moved on
    and ``GradeError`` for every other refusal. An unchanged value saves nothing.
    """
    _require_grader(by=by, centre=centre, series=series, qualification=qualification)
    with transaction.atomic():
        _lock_for_grading(series=series, centre=centre, qualification=qualification)
        if (
            candidate.centre_id != centre.pk
            or not entered_candidates(centre, qualification).filter(pk=candidate.pk).exists()
        ):
            raise GradeError(
                f"{candidate} is not entered for {qualification.entry_code} at this centre."
            )
        new = _check_value(qualification, grade)
        row, _ = Grade.objects.select_for_update().get_or_create(
            series=series,
            candidate=candidate,
            qualification=qualification,
            defaults={"centre": centre, "version": 0, "grade": ""},
        )
        if row.version != int(expected_version):
            raise StaleGrade(row)
        if row.grade == new:
            return row
        old = row.grade
        row.grade = new
        row.version += 1
        row.updated_by = by
        row.updated_at = timezone.now()
        row.save(update_fields=["grade", "version", "updated_by", "updated_at"])
        row.candidate, row.qualification = candidate, qualification
        _audit_change(
            by=by, centre=centre, qualification=qualification, grade=row, old=old, new=new
        )
    return row


@dataclass(frozen=True)
class Change:
    """One grade to save in bulk; ``row_number`` names the row of an uploaded file."""

    candidate_id: int
    grade: str
    expected_version: int
    row_number: int | None = None


# What a save reads of each candidate (the audit's description of a grade names its
# candidate); a save of more candidates than LONG_LIST reads the qualification's grades at
# the centre rather than send their ids (a long list of ids costs more than the extra rows).
CANDIDATE_FIELDS = ("id", "centre_id", "candidate_number", "first_name", "last_name")
LONG_LIST = 500


def save_grades(*, series, centre, qualification, changes, by) -> list[Grade]:
    """Save many grades in one transaction, all or none.

    ``changes`` holds ``(candidate_id, grade, expected_version)`` tuples or ``Change``s.
    Every row is checked before anything is written: an unknown or unentered candidate or a
    grade off the scale raises ``GradeError`` naming each bad row; grades changed since their
    version was read raise ``StaleGrades`` listing every conflict. Returns the changed grades.
    """
    changes = [c if isinstance(c, Change) else Change(*c) for c in changes]
    _require_grader(by=by, centre=centre, series=series, qualification=qualification)
    with transaction.atomic():
        _lock_for_grading(series=series, centre=centre, qualification=qualification)
        ids = [c.candidate_id for c in changes]
        entered = entered_candidate_ids(centre, qualification)
        candidates = {
            c.pk: c
            for c in Candidate.objects.filter(
                centre=centre, pk__in=[pk for pk in ids if pk in entered]
            )
            .only(*CANDIDATE_FIELDS)
            .order_by()
        }
        problems, seen = [], set()
        for change in changes:
            where = f"Row {change.row_number}: " if change.row_number else ""
            if change.candidate_id in seen:
                problems.append(f"{where}candidate {change.candidate_id} is listed twice.")
                continue
            seen.add(change.candidate_id)
            candidate = candidates.get(change.candidate_id)
            if candidate is None:
                problems.append(
                    f"{where}candidate {change.candidate_id} is not entered for "
                    f"{qualification.entry_code} at this centre."
                )
                continue
            try:
                _check_value(qualification, change.grade)
            except GradeError as error:
                problems.append(f"{where}{candidate}: {error}")
        if problems:
            raise GradeError(" ".join(problems))
        grades = Grade.objects.select_for_update(of=("self",)).filter(
            series=series, qualification=qualification
        )
        if len(ids) <= LONG_LIST:
            grades = grades.filter(candidate_id__in=ids)
        else:  # the candidates are the centre's, and so are their grades
            grades = grades.filter(centre=centre)
        existing = {g.candidate_id: g for g in grades.order_by()}
        stale, to_save = [], []
        for change in changes:
            row = existing.get(change.candidate_id)
            version = row.version if row else 0
            if version != int(change.expected_version):
                stale.append((change, row))
                continue
            new = change.grade.strip()
            if (row.grade if row else "") != new:
                to_save.append((change, row, new))
        if stale:
            # Who changed them is read only now, for the conflicts, in one query.
            prefetch_related_objects([row for _, row in stale if row], "updated_by")
            raise StaleGrades(
                [
                    StaleGrade(
                        row or Grade(candidate_id=change.candidate_id, grade="", version=0),
                        row_number=change.row_number,
                    )
                    for change, row in stale
                ]
            )

        # New grades are written as they will stay; changed ones take one UPDATE per value.
        now = timezone.now()
        created = Grade.objects.bulk_create(
            [
                Grade(
                    series_id=series.pk,
                    centre_id=centre.pk,
                    qualification_id=qualification.pk,
                    candidate_id=change.candidate_id,
                    grade=new,
                    version=1,
                    updated_by_id=by.pk,
                    updated_at=now,
                )
                for change, row, new in to_save
                if row is None
            ]
        )
        if any(g.pk is None for g in created):  # a backend without INSERT … RETURNING
            created = list(
                Grade.objects.filter(
                    series=series,
                    qualification=qualification,
                    candidate_id__in=[g.candidate_id for g in created],
                )
            )
        by_value = defaultdict(list)
        saved = []
        for _, row, new in to_save:
            if row is None:
                continue
            by_value[new].append(row.pk)
            old = row.grade
            row.grade, row.version, row.updated_by, row.updated_at = new, row.version + 1, by, now
            saved.append((row, old))
        for value, pks in by_value.items():
            Grade.objects.filter(pk__in=pks).update(
                grade=value, version=F("version") + 1, updated_by=by, updated_at=now
            )
        saved += [(grade, "") for grade in created]
        for grade, _ in saved:
            grade.candidate = candidates[grade.candidate_id]
            grade.qualification = qualification
        audit.record_many(
            actor=by,
            action="grade.changed",
            centre=centre,
            events=(
                (grade, _change_data(qualification, grade, old, grade.grade))
                for grade, old in saved
            ),
        )
        saved = [grade for grade, _ in saved]
    return saved


def grades_complete(*, series, centre, qualification) -> bool:
    """Every candidate entered for the qualification at the centre has a grade (vacuously true
    when nobody is entered)."""
    graded, total = grading_progress(series, centre, [qualification.pk])[qualification.pk]
    return graded == total


def record_grades_download(*, series, centre, qualification, file_format, by) -> None:
    """Every download of a grades file goes in the audit trail."""
    with transaction.atomic():
        audit.record(
            actor=by,
            action="grades.downloaded",
            centre=centre,
            target=qualification,
            data={
                "series": series.code,
                "qualification": qualification.entry_code,
                "format": file_format,
            },
        )
