"""The grades upload on the shared pipeline (``ocradmin.imports``): the grades importer and
the template a centre downloads.

Each row is matched to a candidate entered for the qualification; the preview lists the
grades that would change (with the version each was read at), and confirming saves exactly
those through ``services.grading.save_grades``, which refuses all of them if any grade has
changed since the check. Row numbers are the rows the user sees (the heading is row 1).
"""

import re

from entries.services.candidates import normalise_candidate_number
from ocradmin import imports, spreadsheets
from ocradmin.spreadsheets import RowError

from .models import GradeUpload
from .selectors import (
    entered_candidate_ids,
    entered_candidates,
    grade_versions,
    grades_by_candidate,
)
from .services import GradeError
from .services.grading import CANDIDATE_FIELDS, LONG_LIST, Change, StaleGrades, save_grades

GRADE_COLUMNS = ("candidate_number", "uci", "last_name", "first_name", "grade")


def grade_template_rows(series, centre, qualification) -> list[list[str]]:
    """The centre's candidates entered for the qualification, with their current grades."""
    candidates = list(entered_candidates(centre, qualification))
    grades = grades_by_candidate(series, centre, qualification)
    return [
        [
            c.candidate_number,
            c.uci,
            c.last_name,
            c.first_name,
            grades[c.pk].grade if c.pk in grades else "",
        ]
        for c in candidates
    ]


def _same_name(given: str, actual: str) -> bool:
    def fold(s):
        return re.sub(r"\s+", " ", s.lstrip("'").strip()).casefold()

    return not given.strip() or fold(given) == fold(actual)


class GradeImporter:
    key = "grade"
    model = GradeUpload
    columns = GRADE_COLUMNS
    noun = "grades"
    preview_blank = "no grade"
    preview_columns = (
        ("row", "Row"),
        ("candidate", "Candidate"),
        ("old", "Current grade"),
        ("new", "New grade"),
    )

    def parse(self, sheet_row: spreadsheets.SheetRow) -> tuple[dict, list[RowError]]:
        values = {
            column: value if value.__class__ is str else spreadsheets.cell_text(value)
            for column, value in sheet_row.cells.items()
        }
        return {"row": sheet_row.number, **values}, []

    def check(self, upload, rows):
        centre, qualification = upload.centre, upload.qualification
        numbers = set()
        for values in rows:
            try:
                values["candidate_number"] = normalise_candidate_number(values["candidate_number"])
            except ValueError as error:
                values["problem"] = str(error)
            else:
                numbers.add(values["candidate_number"])
        # A whole centre's file reads the centre's candidates rather than send their numbers.
        candidates = centre.candidates.only(*CANDIDATE_FIELDS, "uci").order_by()
        if len(numbers) <= LONG_LIST:
            candidates = candidates.filter(candidate_number__in=numbers)
        at_centre = {c.candidate_number: c for c in candidates if c.candidate_number in numbers}
        entered = entered_candidate_ids(centre, qualification).intersection(
            c.pk for c in at_centre.values()
        )
        grades = grade_versions(upload.series, centre, qualification)
        scale = list(qualification.grade_scale)
        first_row = {}
        errors, preview, unchanged = [], [], 0

        for values in rows:
            number = values["row"]
            problems = []

            def problem(column, message, number=number, problems=problems):
                problems.append(RowError(number, column, message))

            candidate_number = values["candidate_number"]
            candidate = None
            if "problem" in values:
                problem("candidate_number", values["problem"])
            elif candidate_number in first_row:
                problem(
                    "candidate_number",
                    f"Candidate {candidate_number} is also on row {first_row[candidate_number]}; "
                    "list each candidate once.",
                )
            else:
                first_row[candidate_number] = number
                candidate = at_centre.get(candidate_number)
                if candidate is None:
                    problem(
                        "candidate_number",
                        f"There is no candidate {candidate_number} at centre {centre.number}.",
                    )
                elif candidate.pk not in entered:
                    problem(
                        "candidate_number",
                        f"{candidate_number} {candidate.full_name} is not entered for "
                        f"{qualification.entry_code}.",
                    )
                else:
                    uci = values["uci"].upper()
                    if uci and uci != candidate.uci:
                        problem(
                            "uci",
                            f"{uci} is not the UCI of candidate {candidate_number} "
                            f"({candidate.uci}); check the candidate number.",
                        )
                    for column, actual in (
                        ("last_name", candidate.last_name),
                        ("first_name", candidate.first_name),
                    ):
                        if not _same_name(values[column], actual):
                            problem(
                                column,
                                f"Candidate {candidate_number} is {candidate.full_name}, "
                                f"not “{values[column]}”; check the candidate number.",
                            )
            grade = values["grade"].upper()
            if grade and grade not in scale:
                problem(
                    "grade",
                    f"“{values['grade']}” is not a grade for {qualification.entry_code}: use "
                    f"one of {' '.join(scale)}, or leave it blank.",
                )
            if problems:
                errors.extend(problems)
                continue
            old, version = grades.get(candidate.pk, ("", 0))
            if old == grade:
                unchanged += 1
                continue
            preview.append(
                {
                    "row": number,
                    "candidate_id": candidate.pk,
                    "candidate": str(candidate),
                    "old": old,
                    "new": grade,
                    "version": version,
                }
            )
        return errors, preview, {"changes": len(preview), "unchanged": unchanged}

    def write(self, upload, by) -> int:
        try:
            saved = save_grades(
                series=upload.series,
                centre=upload.centre,
                qualification=upload.qualification,
                changes=[
                    Change(row["candidate_id"], row["new"], row["version"], row["row"])
                    for row in upload.preview
                ],
                by=by,
            )
        except StaleGrades as stale:
            raise imports.ImportRefused(
                "Nothing was changed: since the check, someone else changed some of these "
                "grades. Download the template again to see the current grades, then upload "
                "your file again.",
                [RowError(c.row_number or 0, "grade", str(c)) for c in stale.conflicts],
            ) from stale
        except GradeError as error:
            raise imports.ImportRefused(str(error)) from error
        return len(saved)

    def describe(self, upload) -> str:
        changes = upload.summary.get("changes", len(upload.preview))
        unchanged = upload.summary.get("unchanged", 0)
        same = (
            f" {unchanged} row{'s' if unchanged != 1 else ''} match the current "
            f"grade{'s' if unchanged != 1 else ''} and will stay as "
            f"{'they are' if unchanged != 1 else 'it is'}."
            if unchanged
            else ""
        )
        if upload.status == imports.ImportStatus.DONE:
            return f"{upload.rows_done} grade{'s' if upload.rows_done != 1 else ''} changed."
        if not changes:
            return "No grades will change: every grade in the file is the same as the current one."
        return f"{changes} grade{'s' if changes != 1 else ''} will change.{same}"


IMPORTER = imports.register(GradeImporter())
