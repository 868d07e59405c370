"""Benchmark: a bulk entry upload (read, check, make) against a bare ``bulk_create``.

Runs only with ``make benchmarks`` (pytest's addopts ignore tests/benchmarks). It prints
seconds and the ratio to the baseline; it asserts nothing about time.
"""

import csv
import io
import time
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from entries.models import Candidate, Entry, EntryUpload
from entries.services.bulk import check_named_entry_rows, make_named_entries
from entries.services.rows import COLUMNS
from entries.uploads import IMPORTER
from entries.validators import make_uci
from ocradmin import imports
from ocradmin.spreadsheets import SpreadsheetError

from ..entries.factories import ApprovalFactory, QualificationFactory, UnitFactory
from ..factories import CentreFactory

UNITS = ("1", "2")
DOB = date(date.today().year - 16, 3, 1)


def upload_csv(rows: int) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for n in range(rows):
        number = f"{n // len(UNITS) + 1:04d}"
        unit = UNITS[n % len(UNITS)]
        writer.writerow(
            [number, "", "", "Amelia", f"Khan{number}", DOB.isoformat(), "F", "05838", unit, ""]
        )
    return out.getvalue().encode()


def timed(func):
    started = time.perf_counter()
    result = func()
    return time.perf_counter() - started, result


@pytest.fixture
def setting(people, centre):
    qualification = QualificationFactory(entry_code="05838")
    units = [UnitFactory(qualification=qualification, number=n) for n in UNITS]
    ApprovalFactory(centre=centre, qualification=qualification)
    return qualification, units


def baseline(rows: int, qualification, units) -> float:
    """``Entry.objects.bulk_create`` of the same number of rows, for ready-made candidates at
    another centre (making the candidates is not timed)."""
    elsewhere = CentreFactory(number="34567")
    candidates = Candidate.objects.bulk_create(
        [
            Candidate(
                centre=elsewhere,
                candidate_number=f"{n + 1:04d}",
                uci=make_uci(centre_number="34567", year=2026, candidate_number=str(n + 1)),
                first_name="Amelia",
                last_name=f"Khan{n}",
                date_of_birth=DOB,
                sex="F",
            )
            for n in range(rows // len(UNITS))
        ]
    )
    now = timezone.now()
    entries = [
        Entry(
            centre=elsewhere,
            qualification=qualification,
            kind=Entry.Kind.NAMED,
            candidate=candidates[n // len(UNITS)],
            unit=units[n % len(UNITS)],
            submitted_at=now,
            process_by=now,
        )
        for n in range(rows)
    ]
    seconds, _ = timed(lambda: Entry.objects.bulk_create(entries, batch_size=1000))
    return seconds


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1000, 10_000])
def test_entry_upload_benchmark(centre, people, setting, rows):
    qualification, units = setting
    admin = people["centre_admin"]
    data = upload_csv(rows)

    # The parts, one by one (what the tasks do, without the upload bookkeeping).
    t_parse, (rows_read, errors) = timed(lambda: imports.parse_rows(IMPORTER, data))
    assert not errors
    t_check, errors = timed(lambda: check_named_entry_rows(centre=centre, rows=rows_read))
    assert not errors
    t_make, made = timed(
        lambda: make_named_entries(centre=centre, rows=rows_read, by=admin, progress=None)
    )
    assert len(made) == rows
    Entry.objects.filter(centre=centre).delete()
    Candidate.objects.filter(centre=centre).delete()

    # The whole flow, as the upload page runs it (the file is read three times).
    def flow():
        file = SimpleUploadedFile("bench.csv", data)
        upload = imports.start_import(IMPORTER, centre=centre, file=file, by=admin)
        assert imports.check_import(IMPORTER, upload.pk) == "ready"
        imports.confirm_import(upload, by=admin)
        assert imports.run_import(IMPORTER, upload.pk, admin.pk) == "done"
        return upload

    t_flow, upload = timed(flow)
    assert EntryUpload.objects.get(pk=upload.pk).status == EntryUpload.Status.DONE
    assert Entry.objects.filter(upload=upload).count() == rows

    t_base = baseline(rows, qualification, units)
    parts = t_parse + t_check + t_make
    print(
        f"\n[{connection.vendor}] {rows:>6,} rows: parse {t_parse:.2f} s, check {t_check:.2f} s, "
        f"make {t_make:.2f} s = {parts:.2f} s ({parts / t_base:.1f}× baseline); "
        f"whole upload flow {t_flow:.2f} s ({t_flow / t_base:.1f}× baseline); "
        f"baseline Entry.objects.bulk_create {t_base:.3f} s"
    )


def padded_workbook(columns, row, padded_rows: int, stray: bool = False) -> bytes:
    """The header and one row, then rows holding only a styled empty cell in column XFD, as a
    program that formats whole rows writes them: every row "reaches" column 16,384. With
    ``stray``, the data row has a value in column XFD too."""
    book = Workbook()
    sheet = book.active
    sheet.append(list(columns))
    sheet.append(list(row))
    bold = Font(bold=True)
    for number in range(1, padded_rows + 3):
        sheet.cell(row=number, column=16_384).font = bold
    if stray:
        sheet.cell(row=2, column=16_384, value="stray")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_time(importer, data: bytes) -> tuple[float, str]:
    """Seconds to read the workbook, and what came of it: rows read, or the refusal."""
    started = time.perf_counter()
    try:
        rows, errors = imports.parse_rows(importer, data, name="upload.xlsx")
    except SpreadsheetError as error:
        return time.perf_counter() - started, f"refused ({str(error)[:48]}…)"
    if errors:
        return time.perf_counter() - started, f"row error ({str(errors[0])[:56]}…)"
    return time.perf_counter() - started, f"read ({len(rows)} row)"


def test_reading_a_workbook_padded_to_column_xfd():
    """Only the template's columns are read: a small workbook whose rows reach column XFD
    costs what an unpadded one does, whichever importer reads it. The baseline is the same
    workbook without the padding."""
    cases = {
        "entry": ["0001", "", "", "Amelia", "Khan", "2009-03-01", "F", "05838", "1", ""],
        "grade": ["0001", "", "Khan", "Amelia", "M"],
    }
    for key, row in cases.items():
        importer = imports.IMPORTERS[key]
        t_plain, _ = read_time(importer, padded_workbook(importer.columns, row, 0))
        for padded_rows, stray in ((300, False), (300, True), (12_000, False)):
            data = padded_workbook(importer.columns, row, padded_rows, stray)
            t_padded, outcome = read_time(importer, data)
            value = " and a value in XFD2" if stray else ""
            print(
                f"\n{key} upload, {len(data) / 1024:.1f} KB workbook, {padded_rows:,} rows padded "
                f"to XFD{value}: {outcome} in {t_padded:.3f} s ({t_padded / t_plain:.1f}× the "
                f"unpadded {t_plain:.3f} s)"
            )
