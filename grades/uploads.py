"""Grade files: the template a centre downloads and the file it uploads back.

The first half is general (read a CSV or XLSX into named columns, refuse formulas, write a
template safely); the second half is the grades upload: match each row to a candidate
entered for the qualification and work out which grades would change. Nothing here writes to
the database: ``services.grading.save_grades`` applies a confirmed preview.

Row numbers are the rows the user sees in their spreadsheet (the heading is row 1).
"""

import csv
import io
import re
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from entries.services.rows import RowError
from entries.uploads import (
    FORMULA_PREFIXES,
    MAX_ROWS,
    UploadFileError,
    describe_size,
    detect_kind,
    normalise_heading,
    read_all,
    records,
)
from ocradmin.identifiers import is_ascii_digits

from .selectors import (
    entered_candidate_ids,
    entered_candidates,
    grade_versions,
    grades_by_candidate,
)

MAX_BYTES = 5 * 1024 * 1024
GRADE_COLUMNS = ("candidate_number", "uci", "last_name", "first_name", "grade")

# The file as a whole cannot be read (too big, not a workbook, not text, …); the message is
# shown to the user as it is. Reading the file is the entries upload's.
UploadProblem = UploadFileError


@dataclass
class Table:
    """The rows of an uploaded file as ``(row_number, {column: text})``, blank rows skipped;
    ``errors`` holds what is wrong with particular rows and cells."""

    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


# --- Reading any table ----------------------------------------------------------------------


def looks_like_formula(value) -> bool:
    """A text cell a spreadsheet would run as a formula (CSV/formula injection)."""
    return isinstance(value, str) and value.strip().startswith(FORMULA_PREFIXES)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _letter(index: int) -> str:
    return f"column {get_column_letter(index + 1)}"


def read_table(upload, *, columns, max_bytes: int = MAX_BYTES) -> Table:
    """Read an uploaded CSV or XLSX (its first sheet) whose first row names exactly
    ``columns`` (any order, any case). Raises ``UploadProblem`` for a file that cannot be read
    at all (the entries upload's checks: size, type by content, encoding, a damaged or
    oversized workbook); every other problem is a ``RowError`` naming the row and column."""
    if upload.size > max_bytes:
        size, limit = describe_size(upload.size), describe_size(max_bytes)
        raise UploadProblem(
            f"This file is larger than {limit}, the largest file you can upload."
            if size == limit
            else f"This file is {size}; the largest file you can upload is {limit}."
        )
    data = read_all(upload)
    if not data.strip():
        raise UploadProblem("This file is empty. Start from the template.")
    kind = detect_kind(data, getattr(upload, "name", "") or "")

    table, headings, width = Table(), None, 0
    for number, raw in records(data, kind):
        cells = [v if isinstance(v, str) else _text(v) for v in raw]
        blank = not any(c.strip() for c in cells)
        if headings is None:
            if blank:
                continue
            headings, width = _check_headings(cells, columns, number, table.errors), len(cells)
            if table.errors:
                return table
            continue
        if blank:
            continue
        if len(table.rows) >= MAX_ROWS:
            raise UploadProblem(f"This file has more than {MAX_ROWS:,} rows.")
        values = {}
        for index, heading in enumerate(headings):
            value = cells[index] if index < len(cells) else ""
            if not heading:
                continue
            if looks_like_formula(value):
                table.errors.append(
                    RowError(
                        number,
                        heading,
                        f"“{value.strip()[:20]}” looks like a formula; formulas are not "
                        "accepted, type the value itself.",
                    )
                )
            values[heading] = value.strip()
        extra = [
            i for i, cell in enumerate(cells) if cell.strip() and (i >= width or not headings[i])
        ]
        if extra:
            table.errors.append(
                RowError(number, _letter(extra[0]), "this cell is outside the template's columns.")
            )
        table.rows.append((number, values))
    if headings is None:
        raise UploadProblem("This file is empty. Start from the template.")
    return table


def _check_headings(cells, columns, number, errors) -> list[str]:
    headings = [normalise_heading(c) for c in cells]
    seen = {}
    for index, heading in enumerate(headings):
        if not heading:
            continue
        if heading not in columns:
            errors.append(
                RowError(
                    number,
                    f"{_letter(index)} ({cells[index].strip()[:30]})",
                    "is not a column of the template; remove it. The columns are "
                    f"{', '.join(columns)}.",
                )
            )
        elif heading in seen:
            errors.append(
                RowError(
                    number,
                    f"{_letter(index)} ({heading})",
                    f"{heading} is already {_letter(seen[heading])}; keep one of them.",
                )
            )
        else:
            seen[heading] = index
    for column in columns:
        if column not in seen:
            errors.append(
                RowError(number, column, "this column is missing; download the template again.")
            )
    return headings


# --- Writing a template ---------------------------------------------------------------------


def safe_cell(value) -> str:
    """Text a spreadsheet will show as text, never run: a leading ``'`` before formula
    characters."""
    value = "" if value is None else str(value)
    return f"'{value}" if looks_like_formula(value) else value


def write_csv(columns, rows) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def write_xlsx(columns, rows, *, title: str, choices: dict | None = None) -> bytes:
    """A one-sheet workbook with every cell stored as text; ``choices`` maps a column to the
    values a drop-down offers in it."""
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, len(column) + 2)
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            cell.data_type = "s"
            cell.number_format = "@"
        if choices and column in choices:
            listed = ",".join(choices[column])
            validation = DataValidation(type="list", formula1=f'"{listed}"', allow_blank=True)
            validation.error = f"Use one of {' '.join(choices[column])}, or leave it blank."
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{max(len(rows) + 1, 2) + 500}")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- Grades ---------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class PreviewRow:
    row_number: int
    candidate_id: int
    candidate: str
    old: str
    new: str
    version: int


@dataclass
class GradePreview:
    changes: list[PreviewRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    unchanged: int = 0


def _candidate_number(value: str) -> str:
    value = value.strip()
    return value.zfill(4) if is_ascii_digits(value) and len(value) <= 4 else value


def _same_name(given: str, actual: str) -> bool:
    def fold(s):
        return re.sub(r"\s+", " ", s.lstrip("'").strip()).casefold()

    return not given.strip() or fold(given) == fold(actual)


def preview_grade_upload(*, series, centre, qualification, upload) -> GradePreview:
    """Check an uploaded grades file against the centre's entries and the qualification's
    scale. Raises ``UploadProblem`` for an unreadable file."""
    table = read_table(upload, columns=GRADE_COLUMNS)
    preview = GradePreview(errors=list(table.errors))
    if not table.rows:
        if not preview.errors:
            preview.errors.append(RowError(2, "candidate_number", "the file has no candidates."))
        return preview

    numbers = {_candidate_number(values["candidate_number"]) for _, values in table.rows}
    at_centre = {
        c.candidate_number: c
        for c in centre.candidates.filter(candidate_number__in=numbers).order_by()
    }
    entered = entered_candidate_ids(centre, qualification).intersection(
        c.pk for c in at_centre.values()
    )
    grades = grade_versions(series, centre, qualification)
    scale = list(qualification.grade_scale)
    first_row = {}
    bad_rows = {e.row_number for e in table.errors}

    for number, values in table.rows:
        problems = []
        candidate_number = _candidate_number(values["candidate_number"])
        candidate = None
        if not candidate_number:
            problems.append(RowError(number, "candidate_number", "is missing."))
        elif not re.fullmatch(r"[0-9]{4}", candidate_number):
            problems.append(
                RowError(
                    number,
                    "candidate_number",
                    f"“{candidate_number}” is not a candidate number (four digits).",
                )
            )
        elif candidate_number in first_row:
            problems.append(
                RowError(
                    number,
                    "candidate_number",
                    f"candidate {candidate_number} is also in row {first_row[candidate_number]}; "
                    "list each candidate once.",
                )
            )
        else:
            first_row[candidate_number] = number
            candidate = at_centre.get(candidate_number)
            if candidate is None:
                problems.append(
                    RowError(
                        number,
                        "candidate_number",
                        f"there is no candidate {candidate_number} at centre {centre.number}.",
                    )
                )
            elif candidate.pk not in entered:
                problems.append(
                    RowError(
                        number,
                        "candidate_number",
                        f"{candidate_number} {candidate.full_name} is not entered for "
                        f"{qualification.entry_code}.",
                    )
                )
            else:
                uci = values["uci"].strip().upper()
                if uci and uci != candidate.uci:
                    problems.append(
                        RowError(
                            number,
                            "uci",
                            f"{uci} is not the UCI of candidate {candidate_number} "
                            f"({candidate.uci}); check the candidate number.",
                        )
                    )
                for column, actual in (
                    ("last_name", candidate.last_name),
                    ("first_name", candidate.first_name),
                ):
                    if not _same_name(values[column], actual):
                        problems.append(
                            RowError(
                                number,
                                column,
                                f"candidate {candidate_number} is {candidate.full_name}, "
                                f"not “{values[column]}”; check the candidate number.",
                            )
                        )
        grade = values["grade"].strip().upper()
        if grade and grade not in scale:
            problems.append(
                RowError(
                    number,
                    "grade",
                    f"“{values['grade']}” is not a grade for {qualification.entry_code}: use "
                    f"one of {' '.join(scale)}, or leave it blank.",
                )
            )
        if problems or number in bad_rows:
            preview.errors.extend(problems)
            continue
        old, version = grades.get(candidate.pk, ("", 0))
        if old == grade:
            preview.unchanged += 1
            continue
        preview.changes.append(
            PreviewRow(
                row_number=number,
                candidate_id=candidate.pk,
                candidate=str(candidate),
                old=old,
                new=grade,
                version=version,
            )
        )
    preview.errors.sort(key=lambda e: e.row_number)
    return preview
