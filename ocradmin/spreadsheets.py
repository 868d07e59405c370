"""Reading and writing spreadsheets (CSV and XLSX). No database.

Reading an upload, in two steps:

* ``inspect(file, columns=…)`` — the checks made BEFORE anything is stored: size, type (by the
  bytes, not the name), text encoding, the header row and the number of rows. A refusal raises
  ``SpreadsheetError`` with a message fit to show the user.
* ``read(data, columns=…)`` — every non-blank data row as a ``SheetRow``: its number as the
  user sees it (the header is row 1; blank rows are skipped but counted), its cells by column
  and the ``RowError``s of the cells that cannot be taken as they are (a formula, a control
  character, a value past the last column).

Only the template's columns are kept: an XLSX row is read cell by cell as written in the file
(openpyxl's read-only parser), so a row that some program stretched to column XFD is never
padded to 16,384 cells, and a value anywhere past the last column (column XFD as well as the
next one) is a row error naming its cell; a CSV row's cells past the last column are only
looked at for a value. Every limit (size, rows
counting blank ones, columns, seconds) ends in a ``SpreadsheetError``, never a 500.

Writing: ``formula_safe`` is the one way a value goes into a cell of anything we write
(templates and exports), so a name like ``=HYPERLINK(…)`` is shown, never run.
"""

import csv
import io
import re
import time
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings

CSV, XLSX = "csv", "xlsx"
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
# Data rows below the header, blank rows included.
MAX_ROWS = 10_000
# A 5 MB workbook can unpack to far more; refuse anything that would unpack past this.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
DEFAULT_PARSE_SECONDS = 60
# OWASP "CSV injection": a cell starting with one of these is run as a formula when the data
# is opened in a spreadsheet.
FORMULA_PREFIXES = ("=", "+", "-", "@")
FORMULA_FIRST = frozenset("".join(FORMULA_PREFIXES))
FORMULA_MESSAGE = "This looks like a formula; formulas are not accepted, type the value itself."
CONTROL_MESSAGE = "This has a control character (such as a tab or a line break) in it; remove it."

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls (and .doc)
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CELL_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
_HEADER_SPACES = re.compile(r"[\s\-]+")
_CHECK_CLOCK_EVERY = 256


class SpreadsheetError(Exception):
    """The file as a whole cannot be used; the message is shown to the user as it is."""


@dataclass(frozen=True)
class RowError:
    """A problem with one cell (or, with ``column`` blank, one row; row 0: the file)."""

    row_number: int
    column: str
    message: str

    def __str__(self):
        where = f"Row {self.row_number}, {self.column}" if self.column else f"Row {self.row_number}"
        return f"{where}: {self.message}"


@dataclass
class SheetRow:
    number: int
    cells: dict  # column → str (stripped), or a date / datetime from an XLSX date cell
    errors: list[RowError] = field(default_factory=list)


def max_bytes() -> int:
    return getattr(settings, "SPREADSHEET_MAX_BYTES", DEFAULT_MAX_BYTES)


def parse_seconds() -> float:
    return getattr(settings, "SPREADSHEET_PARSE_SECONDS", DEFAULT_PARSE_SECONDS)


def describe_size(num_bytes: int) -> str:
    if num_bytes >= 1024 * 1024:
        return f"{num_bytes / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")
    return f"{max(1, round(num_bytes / 1024))} KB"


def column_letter(index: int) -> str:
    """``0`` → ``A``; any index, however large (openpyxl's stops at 18,278)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# --- The file as a whole --------------------------------------------------------------------


def detect_kind(data: bytes, name: str = "") -> str:
    """CSV or XLSX, decided by the content; the name only chooses the message of a refusal."""
    lowered = name.lower()
    if data.startswith(_OLE2_MAGIC) or lowered.endswith(".xls"):
        raise SpreadsheetError(
            "This is an old-style Excel file (.xls). Open it in Excel and save it as an "
            "Excel workbook (.xlsx) or as CSV UTF-8, then upload that."
        )
    if data.startswith(_ZIP_MAGIC):
        return XLSX
    if lowered.endswith((".xlsx", ".xlsm")):
        raise SpreadsheetError("This is not an Excel workbook (.xlsx).")
    return CSV


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), or failing that Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        encoding = "UTF-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "binary data"
        raise SpreadsheetError(
            f"This file is not a plain-text CSV: it contains NUL bytes ({encoding}). "
            "In Excel, use Save As → 'CSV UTF-8 (Comma delimited)' and upload that."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as error:
            raise SpreadsheetError(
                "This file's text encoding could not be read: it is neither UTF-8 nor "
                f"Windows-1252 (byte 0x{data[error.start]:02x} at position {error.start}). "
                "Save it as 'CSV UTF-8 (Comma delimited)' and upload it again."
            ) from None
    bad = _CONTROL_CHARS.search(text)
    if bad:
        raise SpreadsheetError(
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
        raise SpreadsheetError(
            f"Row {record + 1} could not be read as CSV ({error}). Check its quotation marks."
        ) from None


class _Cells(tuple):
    """An XLSX row's values in the template's columns, and ``beyond``: the index of the first
    cell past the last column that holds a value (None when there is none)."""

    beyond = None


def _xlsx_records(data: bytes, width: int) -> Iterator[Sequence]:
    from openpyxl import load_workbook

    not_a_workbook = SpreadsheetError("This is not an Excel workbook (.xlsx).")
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
        raise SpreadsheetError(
            "This workbook is too large once unpacked. Copy the rows into the template "
            "and upload that."
        )
    try:
        # data_only=False: a formula arrives as its text ("=…") and is refused as a formula.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds (KeyError, InvalidFileException, …)
        raise not_a_workbook from None
    try:
        if not workbook.worksheets:
            raise SpreadsheetError("This workbook has no worksheet.")
        try:
            yield from _xlsx_rows(workbook.worksheets[0], width)
        except SpreadsheetError:
            raise
        except Exception:
            raise not_a_workbook from None
    finally:
        workbook.close()


def _xlsx_rows(sheet, width: int) -> Iterator[Sequence]:
    """The rows of a read-only worksheet, each as it is in the file: only the cells written
    there are looked at, whatever their columns, so a row reaching column XFD is never padded
    to 16,384 cells (openpyxl's ``iter_rows`` pads every row to its widest one; with
    ``max_col`` it cannot see a value far past the template's last column).

    The header row (row 1) comes whole, up to its last value, so its extra columns are
    counted as in a CSV; every other row as a ``_Cells`` of the template's ``width``, with
    ``beyond`` set when a value lies past it. The sheet's declared dimension is not used:
    some programs write a wrong one. Missing rows come as empty rows, so the numbers are the
    ones the user sees.

    This walks openpyxl's own worksheet parser (the one ``iter_rows`` uses) over the sheet's
    XML; openpyxl is pinned in pyproject.toml and the file-format tests cover this reader.
    """
    from openpyxl.worksheet._reader import WorkSheetParser

    book = sheet.parent
    with sheet._get_source() as source:
        parser = WorkSheetParser(
            source,
            sheet._shared_strings,
            data_only=book.data_only,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        expected = 1
        for number, cells in parser.parse():
            if number < expected:  # a row written twice or out of order: read once
                continue
            while expected < number:
                yield ()
                expected += 1
            expected += 1
            if number == 1:
                header = {c["column"]: c["value"] for c in cells if c["value"] is not None}
                yield [header.get(i) for i in range(1, max(header, default=0) + 1)]
                continue
            values = [None] * width
            beyond = None
            for cell in cells:
                column, value = cell["column"], cell["value"]
                if column <= width:
                    values[column - 1] = value
                elif beyond is None and not _is_blank((value,)):
                    beyond = column - 1
            row = _Cells(values)
            if beyond is not None:
                row.beyond = beyond
            yield row


def _is_blank(cells) -> bool:
    for cell in cells:
        if cell is None or (cell.__class__ is str and not cell.strip()):
            continue
        return False
    return True


def normalise_heading(value) -> str:
    if value is None:
        return ""
    return _HEADER_SPACES.sub("_", str(value).strip().lstrip("\ufeff").strip()).lower()


def _listed(names: list[str], most: int = 5) -> str:
    shown = ", ".join(names[:most])
    return shown if len(names) <= most else f"{shown} and {len(names) - most:,} more"


def read_header(cells: Sequence, columns: Sequence[str]) -> list[str]:
    """The column names in the file's order; refuses missing, unknown or repeated columns."""
    headings = [normalise_heading(cell) for cell in cells]
    while headings and not headings[-1]:
        headings.pop()
    if not headings:
        raise SpreadsheetError(
            f"The first row must be the header row, with the columns {', '.join(columns)}. "
            "Start from the template."
        )
    problems = []
    missing = [c for c in columns if c not in headings]
    extra = [h for h in headings if h and h not in columns]
    repeated = sorted({h for h in headings if h and headings.count(h) > 1})
    if missing:
        problems.append(
            f"The header row is missing the column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}."
        )
    if len(headings) > len(columns) + 1 and len(extra) > 5:
        problems.append(
            f"The header row has {len(headings):,} columns; the template has {len(columns)}. "
            f"Remove every column after column {column_letter(len(columns) - 1)}."
        )
    elif extra:
        problems.append(
            f"The header row has {'columns' if len(extra) > 1 else 'a column'} the template "
            f"does not: {_listed(extra)}. Remove {'them' if len(extra) > 1 else 'it'}."
        )
    if repeated:
        problems.append(f"The header row repeats {_listed(repeated)}.")
    if "" in headings and not problems:
        problems.append(
            f"Column {column_letter(headings.index(''))} of the header row has no heading."
        )
    if problems:
        raise SpreadsheetError(" ".join(problems))
    return headings


def read(
    data: bytes,
    *,
    columns: Sequence[str],
    name: str = "",
    max_rows: int = MAX_ROWS,
    noun: str = "rows",
) -> Iterator[SheetRow]:
    """Every non-blank data row of the file (see the module docstring). File-level problems
    raise ``SpreadsheetError``; ``noun`` names the rows in the row-cap message."""
    kind = detect_kind(data, name)
    width = len(columns)
    deadline = time.monotonic() + parse_seconds()
    records = _xlsx_records(data, width) if kind == XLSX else _csv_records(data)
    first = next(records, None)
    if first is None:
        raise SpreadsheetError("This file is empty. Start from the template.")
    headings = read_header(first, columns)
    for number, cells in enumerate(records, start=2):
        if number > max_rows + 1:
            raise SpreadsheetError(
                f"This file has more than {max_rows:,} rows below the header (blank rows "
                f"count too). Split it into files of at most {max_rows:,} {noun} and upload "
                "them one by one."
            )
        if number % _CHECK_CLOCK_EVERY == 0 and time.monotonic() > deadline:
            raise SpreadsheetError(
                f"This file took too long to read (more than {parse_seconds():g} seconds). "
                "Copy the rows into the template and upload that."
            )
        if _is_blank(cells):
            continue
        yield _sheet_row(number, headings, cells, width)


def _sheet_row(number: int, headings: list[str], cells: Sequence, width: int) -> SheetRow:
    row = SheetRow(number, {})
    # Run for every row of a 10,000-row file: a plain text cell takes the shortest path.
    for heading, raw in zip(headings, cells, strict=False):
        if raw.__class__ is str:
            text = raw.strip()
        elif raw is None:
            text = ""
        elif isinstance(raw, date):  # a datetime is a date too
            row.cells[heading] = raw
            continue
        else:
            text = cell_text(raw)
        if text:
            if text.startswith(FORMULA_PREFIXES):
                row.errors.append(RowError(number, heading, FORMULA_MESSAGE))
                text = ""
            elif _CELL_CONTROL_CHARS.search(text):
                row.errors.append(RowError(number, heading, CONTROL_MESSAGE))
                text = ""
        row.cells[heading] = text
    for heading in headings[len(cells) :]:
        row.cells[heading] = ""
    beyond = getattr(cells, "beyond", None)  # an XLSX row says; a CSV row is all there
    if beyond is None and len(cells) > width:
        beyond = next((i for i in range(width, len(cells)) if not _is_blank((cells[i],))), None)
    if beyond is not None:
        letter = column_letter(beyond)
        row.errors.append(
            RowError(
                number,
                "",
                f"This row has a value in column {letter} (cell {letter}{number}), past the "
                f"template's last column ({column_letter(width - 1)}). Remove it.",
            )
        )
    return row


def size_problem(size: int) -> str | None:
    """Why a file of ``size`` bytes is refused, or None when it is small enough."""
    limit = max_bytes()
    if size <= limit:
        return None
    shown, largest = describe_size(size), describe_size(limit)
    if shown == largest:
        return f"This file is larger than {largest}, the largest file you can upload."
    return (
        f"This file is {shown}; the largest file you can upload is {largest}. Split it into "
        "smaller files."
    )


def read_upload(file) -> bytes:
    """The bytes of an uploaded file, refused unread when its size is over the limit."""
    limit = max_bytes()
    problem = size_problem(file.size)
    if problem:
        raise SpreadsheetError(problem)
    if file.size == 0:
        raise SpreadsheetError("This file is empty. Start from the template.")
    file.seek(0)
    data = file.read(limit + 1)
    file.seek(0)
    if len(data) > limit:  # the reported size was wrong
        raise SpreadsheetError(
            f"This file is larger than {describe_size(limit)}, the largest file you can "
            "upload. Split it into smaller files."
        )
    return data


def inspect(file, *, columns: Sequence[str], noun: str = "rows") -> tuple[str, int]:
    """The checks made before an upload is stored. Returns ``(kind, number of data rows)``.

    ``file`` is a Django ``UploadedFile``: its ``size`` is checked before anything is read.
    """
    data = read_upload(file)
    name = getattr(file, "name", "") or ""
    kind = detect_kind(data, name)
    count = sum(1 for _ in read(data, columns=columns, name=name, noun=noun))
    if count == 0:
        raise SpreadsheetError(f"This file has a header row but no {noun}.")
    return kind, count


# --- Cells ----------------------------------------------------------------------------------


def cell_text(value) -> str:
    """A cell's value as the text the user typed (``7.0`` → ``7``; a date → ISO)."""
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


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.strip().startswith(FORMULA_PREFIXES)


def formula_safe(value) -> str:
    """Text a spreadsheet shows as text, never runs: a leading ``'`` before formula
    characters. Every cell of every file we write goes through here, so the first character
    is looked at before the whole check (an export of 3,000 rows has 50,000 cells)."""
    value = "" if value is None else str(value)
    if value and (value[0] in FORMULA_FIRST or value[0].isspace()) and looks_like_formula(value):
        return f"'{value}"
    return value


# --- Writing --------------------------------------------------------------------------------


def write_csv(columns: Sequence[str], rows) -> bytes:
    """A CSV with a byte-order mark (so Excel reads it as UTF-8); every cell formula-safe."""
    return b"".join(csv_lines(columns, rows))


def csv_lines(columns: Sequence[str], rows) -> Iterator[bytes]:
    """The same CSV, line by line, for a streamed export."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([formula_safe(c) for c in columns])
    yield "\ufeff".encode() + out.getvalue().encode("utf-8")
    for row in rows:
        out.seek(0)
        out.truncate()
        writer.writerow([formula_safe(v) for v in row])
        yield out.getvalue().encode("utf-8")


def write_xlsx(
    columns: Sequence[str],
    rows,
    *,
    title: str,
    choices: dict | None = None,
    dates: Sequence[str] = (),
) -> bytes:
    """A one-sheet workbook with every cell stored as text (so 0001 keeps its zeros and a
    formula is shown, not run); ``choices`` maps a column to the values a drop-down offers in
    it; a column in ``dates`` holds ISO dates, written as dates."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append([formula_safe(c) for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    rows = list(rows)
    for number, row in enumerate(rows, start=2):
        for index, (column, value) in enumerate(zip(columns, row, strict=True), start=1):
            cell = sheet.cell(row=number, column=index)
            if column in dates and value:
                cell.value = date.fromisoformat(str(value))
                cell.number_format = "yyyy-mm-dd"
            else:
                cell.value = formula_safe(value)
                cell.data_type = "s"
                cell.number_format = "@"
    for index, column in enumerate(columns):
        letter = column_letter(index)
        sheet.column_dimensions[letter].width = max(12, len(column) + 3)
        if column not in dates:
            sheet.column_dimensions[letter].number_format = "@"
        if choices and column in choices:
            listed = ",".join(choices[column])
            validation = DataValidation(type="list", formula1=f'"{listed}"', allow_blank=True)
            validation.error = f"Use one of {' '.join(choices[column])}, or leave it blank."
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{max(len(rows) + 1, 2) + 500}")
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
