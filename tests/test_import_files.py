"""Bad files, the same for every importer on the shared upload pipeline (``ocradmin.imports``):
each defect gets the same clear message whichever importer reads it, and nothing is written.

Every registered importer must have a setting here (``SETTINGS``); a new importer without one
fails ``test_every_importer_is_covered``.
"""

import csv
import io
import zipfile
from dataclasses import dataclass, field

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from openpyxl.styles import Font

from claims.models import ClaimLine
from claims.services.claims import start_claim
from entries.models import Candidate, Entry
from grades.models import Grade
from ocradmin import imports, spreadsheets

from .claims.conftest import claimable
from .entries.factories import ApprovalFactory, CandidateFactory, QualificationFactory, UnitFactory
from .grades.conftest import enter, make_tag_qualification, summer_2021

XFD = 16_384


@dataclass
class Setting:
    importer: object
    centre: object
    by: object
    good: list  # one good data row, in the template's column order
    fields: dict = field(default_factory=dict)  # the upload's own fields (series, …)

    @property
    def columns(self):
        return list(self.importer.columns)

    def start(self, content: bytes, name: str = "upload.csv"):
        return imports.start_import(
            self.importer,
            centre=self.centre,
            file=SimpleUploadedFile(name, content),
            by=self.by,
            **self.fields,
        )

    def check(self, content: bytes, name: str = "upload.csv"):
        """Start and check the upload; returns it (FAILED or READY)."""
        upload = self.start(content, name)
        imports.check_import(self.importer, upload.pk)
        upload.refresh_from_db()
        return upload


def entry_setting(centre, people) -> Setting:
    qualification = QualificationFactory(entry_code="05838")
    UnitFactory(qualification=qualification, number="1")
    ApprovalFactory(centre=centre, qualification=qualification)
    good = ["0001", "", "", "Amelia", "Khan", "2009-03-01", "F", "05838", "1", ""]
    return Setting(imports.IMPORTERS["entry"], centre, people["centre_admin"], good)


def grade_setting(centre, people) -> Setting:
    series = summer_2021()
    qualification = make_tag_qualification()
    candidate = CandidateFactory(centre=centre, candidate_number="0001")
    enter(candidate, qualification)
    good = [candidate.candidate_number, candidate.uci, candidate.last_name, "", "M"]
    return Setting(
        imports.IMPORTERS["grade"],
        centre,
        people["centre_admin"],
        good,
        {"series": series, "qualification": qualification},
    )


def claim_line_setting(centre, people) -> Setting:
    setup = claimable(centre, people)
    claim = start_claim(centre=centre, qualification=setup["qualification"], by=people["teacher"])
    candidate = setup["full"]
    good = [candidate.candidate_number, candidate.last_name, candidate.first_name, "1", "P"]
    return Setting(
        imports.IMPORTERS["claim_line"], centre, people["teacher"], good, {"claim": claim}
    )


SETTINGS = {"entry": entry_setting, "grade": grade_setting, "claim_line": claim_line_setting}


def test_every_importer_is_covered():
    assert set(imports.IMPORTERS) == set(SETTINGS)


@pytest.fixture(params=sorted(SETTINGS))
def setting(request, centre, people) -> Setting:
    return SETTINGS[request.param](centre, people)


def written() -> tuple:
    return (
        Entry.objects.count(),
        Candidate.objects.count(),
        Grade.objects.count(),
        ClaimLine.objects.count(),
    )


@pytest.fixture
def nothing_written():
    """Fails the test if anything was written (entries, candidates, grades, claim lines)."""
    before = written()
    yield
    assert written() == before


# --- Building files ---------------------------------------------------------------------------


def csv_bytes(header, rows, encoding="utf-8") -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(header, rows, *, padded_rows: int = 0) -> bytes:
    """A workbook; ``padded_rows`` more rows hold only a styled empty cell in column XFD, as a
    program that formats whole rows writes them (the header and data rows reach XFD too)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    if padded_rows:
        bold = Font(bold=True)
        for number in range(1, len(rows) + 2 + padded_rows):
            sheet.cell(row=number, column=XFD).font = bold
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def refused(setting: Setting, content: bytes, name: str = "upload.csv") -> str:
    """The message of a file refused before anything is stored."""
    with pytest.raises(imports.ImportRefused) as refusal:
        setting.start(content, name)
    assert not setting.importer.model.objects.exists()
    return str(refusal.value)


def row_errors(upload) -> list[tuple]:
    assert upload.status == imports.ImportStatus.FAILED
    return [(e["row"], e["column"], e["message"]) for e in upload.errors]


# --- Encodings --------------------------------------------------------------------------------


def test_utf8_with_a_byte_order_mark_and_windows_1252_are_read(setting, nothing_written):
    header, good = setting.columns, setting.good
    with_bom = "\ufeff".encode() + csv_bytes(header, [good])
    assert setting.check(with_bom).status == imports.ImportStatus.READY
    assert setting.check(csv_bytes(header, [good], encoding="cp1252")).status == "ready"


@pytest.mark.parametrize(
    ("encoding", "content", "message"),
    [
        ("utf-16", None, "it contains NUL bytes (UTF-16)"),
        (None, b"\x81\x8d\x8f\x90\x9d\n", "neither UTF-8 nor Windows-1252 (byte 0x81"),
        (None, b"\x01\x02 binary", "it contains control characters (0x01)"),
    ],
)
def test_text_that_cannot_be_read_is_refused(setting, nothing_written, encoding, content, message):
    if encoding:
        content = csv_bytes(setting.columns, [setting.good], encoding=encoding)
    else:
        content = csv_bytes(setting.columns, [setting.good]) + content
    assert message in refused(setting, content)


# --- The header -------------------------------------------------------------------------------


def test_a_missing_column(setting, nothing_written):
    header = setting.columns[:-1]
    content = csv_bytes(header, [setting.good[:-1]])
    assert refused(setting, content) == (
        f"The header row is missing the column {setting.columns[-1]}."
    )


def test_an_extra_column(setting, nothing_written):
    content = csv_bytes([*setting.columns, "Notes"], [[*setting.good, "great"]])
    assert refused(setting, content) == (
        "The header row has a column the template does not: notes. Remove it."
    )


def test_a_header_with_18000_extra_columns(setting, nothing_written):
    header = [*setting.columns, *(f"extra{n}" for n in range(18_000))]
    content = csv_bytes(header, [setting.good])
    width = len(setting.columns)
    last = spreadsheets.column_letter(width - 1)
    assert refused(setting, content) == (
        f"The header row has {width + 18_000:,} columns; the template has {width}. "
        f"Remove every column after column {last}."
    )


# --- Rows -------------------------------------------------------------------------------------


def test_blank_rows_are_skipped_but_keep_the_row_numbers(setting, nothing_written):
    blank = [""] * len(setting.columns)
    upload = setting.check(csv_bytes(setting.columns, [blank, [], setting.good]))
    assert upload.status == imports.ImportStatus.READY
    assert [row["row"] for row in upload.preview] == [4]


def test_rows_past_the_cap_blank_ones_included(setting, nothing_written):
    content = csv_bytes(setting.columns, [setting.good]) + b",\r\n" * 10_000
    assert refused(setting, content).startswith(
        "This file has more than 10,000 rows below the header (blank rows count too)."
    )


def test_a_formula_in_a_cell(setting, nothing_written):
    bad = ['=HYPERLINK("http://evil")', *setting.good[1:]]
    upload = setting.check(csv_bytes(setting.columns, [bad]))
    assert (2, setting.columns[0], spreadsheets.FORMULA_MESSAGE) in row_errors(upload)


def test_a_control_character_in_a_workbook_cell(setting, nothing_written):
    bad = [*setting.good[:3], "Line\nbreak", *setting.good[4:]]
    upload = setting.check(xlsx_bytes(setting.columns, [bad]), "upload.xlsx")
    assert (2, setting.columns[3], spreadsheets.CONTROL_MESSAGE) in row_errors(upload)


def stray_file(setting, kind: str, column: int) -> bytes:
    """The good row with a value in ``column`` (1-based), the columns between left empty."""
    width = len(setting.columns)
    if kind == "csv":
        stray = [*setting.good, *[""] * (column - width - 1), "stray"]
        return csv_bytes(setting.columns, [stray])
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(setting.columns)
    sheet.append(setting.good)
    sheet.cell(row=2, column=column, value="stray")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize("past", [1, 2, 200, "XFD"])
def test_a_data_cell_beyond_the_last_column(setting, nothing_written, kind, past):
    """Wherever it is: the next column, far to the right, or the last column a workbook can
    have (an XLSX row is not padded out to find it)."""
    width = len(setting.columns)
    column = XFD if past == "XFD" else width + past
    upload = setting.check(stray_file(setting, kind, column), f"upload.{kind}")
    letter = spreadsheets.column_letter(column - 1)
    assert row_errors(upload) == [
        (
            2,
            "",
            f"This row has a value in column {letter} (cell {letter}2), past the template's "
            f"last column ({spreadsheets.column_letter(width - 1)}). Remove it.",
        )
    ]


def test_a_workbook_header_with_18000_extra_columns(setting, nothing_written):
    """The header row of a workbook is read to its last value, so its extra columns are
    counted as a CSV's are."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([*setting.columns, *(f"extra{n}" for n in range(XFD - len(setting.columns)))])
    sheet.append(setting.good)
    out = io.BytesIO()
    book.save(out)
    width = len(setting.columns)
    last = spreadsheets.column_letter(width - 1)
    assert refused(setting, out.getvalue(), "upload.xlsx") == (
        f"The header row has {XFD:,} columns; the template has {width}. "
        f"Remove every column after column {last}."
    )


# --- The file as a whole ----------------------------------------------------------------------


@override_settings(SPREADSHEET_MAX_BYTES=1024)
def test_a_file_over_the_size_limit(setting, nothing_written):
    content = csv_bytes(setting.columns, [setting.good] * 100)
    assert refused(setting, content).endswith(
        "the largest file you can upload is 1 KB. Split it into smaller files."
    )


def _zip_of_text() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return out.getvalue()


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
        b"PK\x03\x04truncated",
        _zip_of_text(),
    ],
    ids=["pdf", "truncated zip", "zip of text"],
)
def test_an_xlsx_that_is_really_something_else(setting, nothing_written, content):
    assert refused(setting, content, "upload.xlsx") == "This is not an Excel workbook (.xlsx)."


def test_an_old_excel_file(setting, nothing_written):
    content = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100
    assert refused(setting, content, "upload.xls").startswith(
        "This is an old-style Excel file (.xls)."
    )


def test_a_workbook_padded_to_column_xfd_is_read_by_its_columns_only(setting, nothing_written):
    content = xlsx_bytes(setting.columns, [setting.good], padded_rows=300)
    assert len(content) < 7 * 1024  # how long it takes: tests/benchmarks/test_entry_upload.py
    upload = setting.check(content, "upload.xlsx")
    assert upload.status == imports.ImportStatus.READY, upload.errors
    assert [row["row"] for row in upload.preview] == [2]


def test_an_importer_is_registered_once():
    with pytest.raises(ValueError, match="registered already"):
        imports.register(imports.IMPORTERS["entry"])
