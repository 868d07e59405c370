"""Lines from a spreadsheet into a draft claim, on the shared pipeline (``ocradmin.imports``):
the importer and the template, pre-filled with every candidate and unit that can be claimed.

A row with a grade adds the line (or changes its grade); a row left blank is skipped. The
check lists the lines that will be added or changed; confirming adds them all or none
(``services.claims.add_lines``, which checks again under the claim's lock).
"""

from entries.services.candidates import normalise_candidate_number
from ocradmin import imports, spreadsheets
from ocradmin.spreadsheets import RowError

from .models import ClaimUpload
from .selectors import claim_candidates, claim_lines, claim_units, taken_elsewhere
from .services import ClaimError
from .services.claims import LineRow, LineRowsError, add_lines, check_line_rows

LINE_COLUMNS = ("candidate_number", "last_name", "first_name", "unit_number", "grade")


def line_template_rows(claim) -> list[list[str]]:
    """A row per candidate and unit that can be claimed now, with the grade already on the
    claim (blank otherwise)."""
    grades = {(line.candidate_id, line.unit_id): line.grade for line in claim_lines(claim)}
    units = claim_units(claim)
    rows = claim_candidates(claim)
    elsewhere = taken_elsewhere(claim, [row["candidate"].pk for row in rows])
    return [
        [
            c.candidate_number,
            c.last_name,
            c.first_name,
            unit.number,
            grades.get((c.pk, unit.pk), ""),
        ]
        for row in rows
        for c in [row["candidate"]]
        for unit in units
        if unit.pk in row["unit_ids"] and (c.pk, unit.pk) not in elsewhere
    ]


def _text(value) -> str:
    return value if value.__class__ is str else spreadsheets.cell_text(value)


class ClaimLineImporter:
    key = "claim_line"
    model = ClaimUpload
    columns = LINE_COLUMNS
    noun = "lines"
    preview_blank = "—"
    preview_columns = (
        ("row", "Row"),
        ("candidate", "Candidate"),
        ("unit", "Unit"),
        ("old", "Grade on the claim"),
        ("new", "Grade in the file"),
    )

    def parse(self, sheet_row: spreadsheets.SheetRow) -> tuple[LineRow, list[RowError]]:
        cells = {column: _text(value).strip() for column, value in sheet_row.cells.items()}
        problems = []
        number = cells["candidate_number"]
        if number:
            try:
                number = normalise_candidate_number(number)
            except ValueError as error:
                problems.append(RowError(sheet_row.number, "candidate_number", str(error)))
        row = LineRow(
            row=sheet_row.number,
            candidate_number=number,
            unit_number=cells["unit_number"],
            grade=cells["grade"],
            last_name=cells["last_name"],
            first_name=cells["first_name"],
        )
        return row, problems

    def check(self, upload, rows):
        return check_line_rows(upload.claim, rows)

    def write(self, upload, by) -> int:
        rows = [
            LineRow(
                row=line["row"],
                candidate_number=line["candidate_number"],
                unit_number=line["unit_number"],
                grade=line["new"],
            )
            for line in upload.preview
        ]
        try:
            return add_lines(claim=upload.claim, rows=rows, by=by)
        except LineRowsError as error:
            raise imports.ImportRefused(
                "Nothing was added: since the check, the claim or its candidates changed. "
                "Download the template again and upload your file again.",
                error.errors,
            ) from error
        except ClaimError as error:
            raise imports.ImportRefused(str(error)) from error

    def describe(self, upload) -> str:
        if upload.status == imports.ImportStatus.DONE:
            return f"{upload.rows_done} line{'s' if upload.rows_done != 1 else ''} saved."
        summary = upload.summary
        parts = [
            f"{summary.get('added', 0)} line{'s' if summary.get('added', 0) != 1 else ''} "
            "will be added",
        ]
        if summary.get("changed"):
            parts.append(
                f"{summary['changed']} grade{'s' if summary['changed'] != 1 else ''} will change"
            )
        if summary.get("unchanged"):
            parts.append(f"{summary['unchanged']} already on the claim stay as they are")
        if summary.get("skipped"):
            parts.append(
                f"{summary['skipped']} row{'s' if summary['skipped'] != 1 else ''} "
                "without a grade are skipped"
            )
        return "; ".join(parts) + "."


IMPORTER = imports.register(ClaimLineImporter())
