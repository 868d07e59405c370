"""The bulk-entry upload on the shared pipeline (``ocradmin.imports``): the entries importer
and the template a centre downloads.

Reading the file is ``ocradmin.spreadsheets``'; this module turns each row's cells into a
``NamedEntryRow`` (a date that is not a date, a value too long, a sex that is not F or M are
row errors here); whether the rows make sense together and against the database is
``entries.services.bulk``'s job.
"""

import re
from datetime import date, datetime

from ocradmin import imports, spreadsheets

from .models import EntryUpload
from .services import EntryError
from .services.bulk import EntryRowsError, candidate_number_of, check_rows, make_named_entries
from .services.rows import COLUMNS, NamedEntryRow, RowError

NAME_MAX_LENGTH = 100
# Every other column holds a short code or number; a longer value is refused, not echoed back.
CODE_MAX_LENGTH = 20
SEX_VALUES = {"F": "F", "FEMALE": "F", "M": "M", "MALE": "M"}

_ISO_DATE = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$")
_UK_DATE = re.compile(r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$")

# Each column with the longest value it takes (None: the date of birth, parsed instead).
_COLUMN_LIMITS = tuple(
    (
        column,
        None
        if column == "date_of_birth"
        else NAME_MAX_LENGTH
        if column.endswith("_name")
        else CODE_MAX_LENGTH,
    )
    for column in COLUMNS
)


def parse_date(value) -> date:
    """A date of birth: a spreadsheet date, ``YYYY-MM-DD`` or ``DD/MM/YYYY`` (not blank)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = spreadsheets.cell_text(value)
    match = _ISO_DATE.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _UK_DATE.match(text)
        if not match:
            raise ValueError(f"'{text[:20]}' is not a date; use YYYY-MM-DD or DD/MM/YYYY.")
        day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"'{text[:20]}' is not a real date.") from None


class EntryImporter:
    key = "entry"
    model = EntryUpload
    columns = COLUMNS
    noun = "entries"
    preview_blank = "—"
    preview_columns = (
        ("row", "Row"),
        ("candidate_number", "Candidate"),
        ("name", "Name"),
        ("candidate", "New or existing"),
        ("entry_code", "Entry code"),
        ("unit_number", "Unit"),
        ("option_code", "Option"),
    )

    def parse(self, sheet_row: spreadsheets.SheetRow) -> tuple[NamedEntryRow, list[RowError]]:
        number, cells = sheet_row.number, sheet_row.cells
        errors = []
        values = {}
        for column, limit in _COLUMN_LIMITS:
            value = cells.get(column, "")
            if limit is not None:
                if value.__class__ is not str:  # a date in a text column
                    value = spreadsheets.cell_text(value)
                if len(value) > limit:
                    errors.append(
                        RowError(number, column, f"This is longer than {limit} characters.")
                    )
                    value = ""
            values[column] = value

        dob = None  # blank: fine for a candidate the centre has; the entries check decides
        if values["date_of_birth"] != "":
            try:
                dob = parse_date(values["date_of_birth"])
            except ValueError as problem:
                errors.append(RowError(number, "date_of_birth", str(problem)))

        sex = values["sex"]
        if sex:
            sex = SEX_VALUES.get(sex.upper(), sex)
            if sex not in ("F", "M"):
                errors.append(RowError(number, "sex", f"'{sex[:20]}' is not F or M."))
                sex = ""

        row = NamedEntryRow(
            row_number=number,
            # Excel drops the leading zeros of 0042 unless the cell is text.
            candidate_number=candidate_number_of(values["candidate_number"])
            or values["candidate_number"],
            uci=values["uci"].replace(" ", "").upper(),
            uln=values["uln"].replace(" ", ""),
            first_name=values["first_name"],
            last_name=values["last_name"],
            date_of_birth=dob,
            sex=sex,
            entry_code=values["entry_code"].upper(),
            unit_number=values["unit_number"],
            option_code=values["option_code"].upper(),
        )
        return row, errors

    def check(self, upload, rows):
        errors, checked = check_rows(centre=upload.centre, rows=rows)
        if errors:
            return errors, [], {}
        preview = []
        new = set()
        for item in checked:
            row = item.row
            if item.candidate is None:
                new.add(item.candidate_number)
                name = " ".join(f"{row.first_name} {row.last_name}".split())
            else:
                name = item.candidate.full_name
            preview.append(
                {
                    "row": row.row_number,
                    "candidate_number": item.candidate_number,
                    "name": name,
                    "candidate": "new candidate"
                    if item.candidate is None
                    else "existing candidate",
                    "entry_code": item.qualification.entry_code,
                    "unit_number": item.unit.number if item.unit else "full award",
                    "option_code": item.option_code,
                }
            )
        return [], preview, {"entries": len(preview), "new_candidates": len(new)}

    def write(self, upload, by) -> int:
        rows, errors = imports.read_stored(self, upload)
        if errors:  # the stored file was checked already; this should not happen
            raise imports.ImportRefused(str(errors[0]), errors)
        try:
            entries = make_named_entries(centre=upload.centre, rows=rows, by=by, upload=upload)
        except EntryRowsError as error:
            raise imports.ImportRefused(str(error), error.errors) from error
        except EntryError as error:
            raise imports.ImportRefused(str(error)) from error
        return len(entries)

    def describe(self, upload) -> str:
        summary = upload.summary
        count = summary.get("entries", len(upload.preview))
        new = summary.get("new_candidates", 0)
        what = f"{count} entr{'y' if count == 1 else 'ies'}"
        with_new = f"{new} new candidate{'' if new == 1 else 's'}"
        if upload.status == imports.ImportStatus.DONE:
            return f"{what} created, with {with_new}. They are processed within 48 hours."
        return f"{what} will be created ({with_new})."


IMPORTER = imports.register(EntryImporter())


def example_row(approval, year: int) -> dict:
    """The template's example, with one of the centre's approved qualifications if any."""
    entry_code, unit_number, option_code = "05838", "1", ""
    if approval is not None:
        qualification = approval.qualification
        entry_code = qualification.entry_code
        unit = qualification.units.order_by("number").first()
        unit_number = unit.number if unit else ""
        option_code = str((qualification.option_codes or [""])[0])
    return {
        "candidate_number": "0001",
        "uci": "",
        "uln": "9276308686",
        "first_name": "Amelia",
        "last_name": "Khan",
        "date_of_birth": f"{year - 17}-09-14",
        "sex": "F",
        "entry_code": entry_code,
        "unit_number": unit_number,
        "option_code": option_code,
    }


def template_csv(example: dict) -> bytes:
    return spreadsheets.write_csv(COLUMNS, [[example.get(c, "") for c in COLUMNS]])


def template_xlsx(example: dict) -> bytes:
    return spreadsheets.write_xlsx(
        COLUMNS,
        [[example.get(c, "") for c in COLUMNS]],
        title="Entries",
        dates=("date_of_birth",),
    )
