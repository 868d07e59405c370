"""Reading a bulk-entry file (CSV or XLSX) into the shared row shape.

Two steps, both pure (no database):

* ``inspect_upload(file)`` — the checks made BEFORE anything is stored: size, type (by the
  bytes, not the name), text encoding, the header row and the number of rows. A refusal raises
  ``UploadFileError`` with a message fit to show the user.
* ``parse_upload(data)`` — every data row as a ``NamedEntryRow``, plus a ``RowError`` for each
  cell that cannot be read (a date that is not a date, a value that looks like a spreadsheet
  formula, …). Rows are numbered as the user sees them in their spreadsheet: the header is
  row 1, and blank rows are skipped but still counted.

``COLUMNS`` (the template's columns) comes from the entries service. Whether the rows make
sense together and against the database (candidates, qualifications, approvals, duplicates)
is ``entries.services.entries.check_named_entry_rows``' job.
"""

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings

from ocradmin.identifiers import is_ascii_digits

from .services.entries import COLUMNS
from .services.rows import NamedEntryRow, RowError

MAX_ROWS = 10_000
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
# A 5 MB workbook can unpack to far more; refuse anything that would unpack past this.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
NAME_MAX_LENGTH = 100
# Every other column holds a short code or number; a longer value is refused, not echoed back.
CODE_MAX_LENGTH = 20
# OWASP "CSV injection": a cell starting with one of these is run as a formula when the data
# is later opened in a spreadsheet, so such values are refused, never stored.
FORMULA_PREFIXES = ("=", "+", "-", "@")
CSV, XLSX = "csv", "xlsx"

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls (and .doc)
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_HEADER_SPACES = re.compile(r"[\s\-]+")


def max_upload_bytes() -> int:
    return getattr(settings, "ENTRY_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES)


def describe_size(num_bytes: int) -> str:
    if num_bytes >= 1024 * 1024:
        return f"{num_bytes / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")
    return f"{max(1, round(num_bytes / 1024))} KB"


class UploadFileError(Exception):
    """The file as a whole cannot be used; the message is shown to the user as it is."""


@dataclass
class ParsedUpload:
    kind: str
    rows: list[NamedEntryRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def row_count(self) -> int:
        return len(self.rows)


# --- The file as a whole --------------------------------------------------------------------


def detect_kind(data: bytes, name: str = "") -> str:
    """CSV or XLSX, decided by the content; the name only chooses the message of a refusal."""
    lowered = name.lower()
    if data.startswith(_OLE2_MAGIC) or lowered.endswith(".xls"):
        raise UploadFileError(
            "This is an old-style Excel file (.xls). Open it in Excel and save it as an "
            "Excel workbook (.xlsx) or as CSV UTF-8, then upload that."
        )
    if data.startswith(_ZIP_MAGIC):
        return XLSX
    if lowered.endswith((".xlsx", ".xlsm")):
        raise UploadFileError("This is not an Excel workbook (.xlsx).")
    return CSV


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), or failing that Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        encoding = "UTF-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "binary data"
        raise UploadFileError(
            f"This file is not a plain-text CSV: it contains NUL bytes ({encoding}). "
            "In Excel, use Save As → 'CSV UTF-8 (Comma delimited)' and upload that."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as error:
            raise UploadFileError(
                "This file's text encoding could not be read: it is neither UTF-8 nor "
                f"Windows-1252 (byte 0x{data[error.start]:02x} at position {error.start}). "
                "Save it as 'CSV UTF-8 (Comma delimited)' and upload it again."
            ) from None
    bad = _CONTROL_CHARS.search(text)
    if bad:
        raise UploadFileError(
            "This file is not a text CSV: it contains control characters "
            f"(0x{ord(bad.group()):02x}). Save it as 'CSV UTF-8 (Comma delimited)' and "
            "upload it again."
        )
    return text


def _csv_records(data: bytes) -> Iterator[list]:
    text = decode_csv(data)
    first_line = text.split("\n", 1)[0]
    delimiter = ","
    if "," not in first_line:
        # Excel in some locales writes semicolons; a tab-separated export also turns up.
        delimiter = next((d for d in (";", "\t") if d in first_line), ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    record = 0
    try:
        for record, cells in enumerate(reader, start=1):  # noqa: B007
            yield cells
    except csv.Error as error:
        raise UploadFileError(
            f"Row {record + 1} could not be read as CSV ({error}). Check its quotation marks."
        ) from None


def _xlsx_records(data: bytes) -> Iterator[tuple]:
    from openpyxl import load_workbook

    not_a_workbook = UploadFileError("This is not an Excel workbook (.xlsx).")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
            unpacked = sum(m.file_size for m in members)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise not_a_workbook from None
    if "xl/workbook.xml" not in names and "[Content_Types].xml" not in names:
        raise not_a_workbook
    if unpacked > MAX_UNPACKED_BYTES or len(members) > 10_000:
        raise UploadFileError(
            "This workbook is too large once unpacked. Copy the entries into the template "
            "and upload that."
        )
    try:
        # data_only=False: a formula arrives as its text ("=…") and is refused as a formula.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds (KeyError, InvalidFileException, …)
        raise not_a_workbook from None
    try:
        if not workbook.worksheets:
            raise UploadFileError("This workbook has no worksheet.")
        sheet = workbook.worksheets[0]
        # Some programs write a wrong "used range"; read every row that is really there.
        sheet.reset_dimensions()
        try:
            yield from sheet.iter_rows(values_only=True)
        except UploadFileError:
            raise
        except Exception:
            raise not_a_workbook from None
    finally:
        workbook.close()


def records(data: bytes, kind: str) -> Iterator[tuple[int, list]]:
    """``(row number, cells)`` for every row of the file, header included (row 1)."""
    source = _xlsx_records(data) if kind == XLSX else _csv_records(data)
    for number, cells in enumerate(source, start=1):
        yield number, list(cells)


def _is_blank(cells) -> bool:
    for cell in cells:
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            continue
        return False
    return True


def normalise_heading(value) -> str:
    if value is None:
        return ""
    return _HEADER_SPACES.sub("_", str(value).strip().lstrip("\ufeff").strip()).lower()


def read_header(cells: list) -> list[str]:
    """The column names in the file's order; refuses missing, unknown or repeated columns."""
    headings = [normalise_heading(cell) for cell in cells]
    while headings and not headings[-1]:
        headings.pop()
    if not headings:
        raise UploadFileError(
            "The first row must be the header row, with the columns "
            f"{', '.join(COLUMNS)}. Start from the template."
        )
    problems = []
    missing = [c for c in COLUMNS if c not in headings]
    extra = [h for h in headings if h and h not in COLUMNS]
    repeated = sorted({h for h in headings if h and headings.count(h) > 1})
    if missing:
        problems.append(
            f"The header row is missing the column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}."
        )
    if extra:
        problems.append(
            f"The header row has {'columns' if len(extra) > 1 else 'a column'} the template "
            f"does not: {', '.join(extra)}. Remove {'them' if len(extra) > 1 else 'it'}."
        )
    if repeated:
        problems.append(f"The header row repeats {', '.join(repeated)}.")
    if "" in headings and not problems:
        blank = headings.index("")
        problems.append(f"Column {_column_letter(blank)} of the header row has no heading.")
    if problems:
        raise UploadFileError(" ".join(problems))
    return headings


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _data_rows(data: bytes, kind: str) -> Iterator[tuple[int, dict, int]]:
    """``(row number, {column: cell}, extra cells)`` for each non-blank data row."""
    rows = records(data, kind)
    first = next(rows, None)
    if first is None:
        raise UploadFileError("This file is empty. Start from the template.")
    headings = read_header(first[1])
    width = len(headings)
    count = 0
    for number, cells in rows:
        if _is_blank(cells):
            continue
        count += 1
        if count > MAX_ROWS:
            raise UploadFileError(
                f"This file has more than {MAX_ROWS:,} rows of entries. Split it into files "
                f"of at most {MAX_ROWS:,} rows and upload them one by one."
            )
        extra = (
            sum(1 for cell in cells[width:] if not _is_blank((cell,))) if len(cells) > width else 0
        )
        yield number, dict(zip(headings, cells, strict=False)), extra


def inspect_upload(file) -> tuple[str, int]:
    """The checks made before an upload is stored. Returns ``(kind, number of data rows)``.

    ``file`` is a Django ``UploadedFile``: its ``size`` is checked before anything is read, so
    an oversized file is refused without reading it into memory.
    """
    limit = max_upload_bytes()
    if file.size > limit:
        raise UploadFileError(
            f"This file is {describe_size(file.size)}; the largest file you can upload is "
            f"{describe_size(limit)}. Split it into smaller files."
        )
    if file.size == 0:
        raise UploadFileError("This file is empty. Start from the template.")
    data = read_all(file)
    kind = detect_kind(data, getattr(file, "name", "") or "")
    count = sum(1 for _ in _data_rows(data, kind))
    if count == 0:
        raise UploadFileError("This file has a header row but no entries.")
    return kind, count


def read_all(file) -> bytes:
    file.seek(0)
    data = file.read(max_upload_bytes() + 1)
    file.seek(0)
    if len(data) > max_upload_bytes():  # the reported size was wrong
        raise UploadFileError(
            f"This file is larger than {describe_size(max_upload_bytes())}, the largest file "
            "you can upload. Split it into smaller files."
        )
    return data


# --- Cells ----------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.strip().startswith(FORMULA_PREFIXES)


_ISO_DATE = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$")
_UK_DATE = re.compile(r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$")


def parse_date(value) -> date:
    """A date of birth: a spreadsheet date, ``YYYY-MM-DD`` or ``DD/MM/YYYY`` (not blank)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
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


SEX_VALUES = {"F": "F", "FEMALE": "F", "M": "M", "MALE": "M"}


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
FORMULA_MESSAGE = "This looks like a formula; enter the value itself."


def _row(number: int, cells: dict, extra: int) -> tuple[NamedEntryRow, list[RowError]]:
    errors = []
    values = {}

    def error(column, message):
        errors.append(RowError(row_number=number, column=column, message=message))

    # Run for every row of a 10,000-row file, twice (check and import): plain text, the
    # usual cell, takes the shortest path; any other value goes through _text.
    for column, limit in _COLUMN_LIMITS:
        raw = cells.get(column)
        if raw.__class__ is str:
            text = raw.strip()
            if text.startswith(FORMULA_PREFIXES):
                error(column, FORMULA_MESSAGE)
                values[column] = ""
                continue
        elif raw is None:
            text = ""
        elif limit is None and isinstance(raw, date):  # a datetime is a date too
            values[column] = raw
            continue
        elif _looks_like_formula(raw):
            error(column, FORMULA_MESSAGE)
            values[column] = ""
            continue
        else:
            text = _text(raw)
        if limit is not None and len(text) > limit:
            error(column, f"This is longer than {limit} characters.")
            text = ""
        values[column] = text

    dob = None  # blank: fine for a candidate the centre has; the entries check decides
    if values["date_of_birth"] != "":
        try:
            dob = parse_date(values["date_of_birth"])
        except ValueError as problem:
            error("date_of_birth", str(problem))

    candidate_number = values["candidate_number"]
    if is_ascii_digits(candidate_number) and len(candidate_number) < 4:
        # Excel drops the leading zeros of 0042 unless the cell is text.
        candidate_number = candidate_number.zfill(4)

    sex = values["sex"]
    if sex:
        sex = SEX_VALUES.get(sex.upper(), sex)
        if sex not in ("F", "M"):
            error("sex", f"'{sex[:20]}' is not F or M.")
            sex = ""

    if extra:
        error("", f"This row has {extra} value{'s' if extra > 1 else ''} past the last column.")

    row = NamedEntryRow(
        row_number=number,
        candidate_number=candidate_number,
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


def parse_upload(
    data: bytes,
    *,
    name: str = "",
    progress: Callable[[int], None] | None = None,
    progress_every: int = 500,
) -> ParsedUpload:
    """Every data row of the file, and the errors of the cells that could not be read.

    File-level problems raise ``UploadFileError`` (as ``inspect_upload`` does). ``progress``
    is called with the number of rows read so far after every ``progress_every`` rows.
    """
    kind = detect_kind(data, name)
    parsed = ParsedUpload(kind=kind)
    for number, cells, extra in _data_rows(data, kind):
        row, errors = _row(number, cells, extra)
        parsed.rows.append(row)
        parsed.errors.extend(errors)
        if progress and len(parsed.rows) % progress_every == 0:
            progress(len(parsed.rows))
    return parsed


def merge_errors(*groups: list[RowError]) -> list[RowError]:
    """The errors of every group, one per row and column (the first wins), in row order."""
    seen = set()
    merged = []
    for group in groups:
        for error in group:
            key = (error.row_number, error.column)
            if key in seen:
                continue
            seen.add(key)
            merged.append(error)
    order = {column: index for index, column in enumerate(COLUMNS)}
    merged.sort(key=lambda e: (e.row_number, order.get(e.column, -1)))
    return merged


# --- The template ---------------------------------------------------------------------------


def template_csv(example: dict) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow([example.get(c, "") for c in COLUMNS])
    # The byte-order mark makes Excel open the file as UTF-8.
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def template_xlsx(example: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Entries"
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(COLUMNS, start=1):
        letter = _column_letter(index - 1)
        sheet.column_dimensions[letter].width = max(14, len(column) + 4)
        value = example.get(column, "")
        cell = sheet.cell(row=2, column=index)
        if column == "date_of_birth" and value:
            cell.value = date.fromisoformat(value)
            cell.number_format = "yyyy-mm-dd"
        else:
            # Text columns, so Excel keeps leading zeros (0001) and long numbers (ULNs) as typed.
            cell.value = value
            cell.number_format = "@"
            sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
