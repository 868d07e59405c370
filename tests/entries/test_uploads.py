"""Bulk upload of named entries: reading files, the checks before anything is stored, the
check → preview → confirm → import flow, and that a bad file never writes anything."""

import csv
import io
import time
import zipfile
from datetime import date
from types import SimpleNamespace
from unittest import mock

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from entries.models import Candidate, Entry, EntryUpload
from entries.services.entries import make_named_entry
from entries.services.rows import COLUMNS
from entries.uploads import IMPORTER
from ocradmin import imports, spreadsheets
from ocradmin.models import AuditEvent
from ocradmin.spreadsheets import MAX_ROWS
from ocradmin.spreadsheets import SpreadsheetError as UploadFileError

from .factories import ApprovalFactory, CandidateFactory, QualificationFactory, UnitFactory

TODAY = date.today()
DOB = date(TODAY.year - 16, 3, 1)


def parse_upload(data: bytes, name: str = "") -> SimpleNamespace:
    rows, errors = imports.parse_rows(IMPORTER, data, name=name)
    return SimpleNamespace(rows=rows, errors=errors)


def inspect_upload(file):
    return spreadsheets.inspect(file, columns=COLUMNS, noun=IMPORTER.noun)


def start_upload(*, centre, file, by):
    return imports.start_import(IMPORTER, centre=centre, file=file, by=by)


def check_upload_file(*, upload_id):
    return imports.check_import(IMPORTER, upload_id)


def confirm_upload(*, upload, by):
    return imports.confirm_import(upload, by=by)


def import_upload_file(*, upload_id, by_id=None):
    return imports.run_import(IMPORTER, upload_id, by_id)


# --- Building files ---------------------------------------------------------------------------


def row(**values) -> dict:
    base = {
        "candidate_number": "0001",
        "uci": "",
        "uln": "",
        "first_name": "Amelia",
        "last_name": "Khan",
        "date_of_birth": DOB.isoformat(),
        "sex": "F",
        "entry_code": "05838",
        "unit_number": "1",
        "option_code": "",
    }
    base.update(values)
    return base


def csv_text(rows, header=COLUMNS) -> str:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for r in rows:
        writer.writerow([r.get(column, "") for column in header] if isinstance(r, dict) else r)
    return out.getvalue()


def csv_bytes(rows, header=COLUMNS, encoding="utf-8") -> bytes:
    return csv_text(rows, header).encode(encoding)


def xlsx_bytes(rows, header=COLUMNS) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for r in rows:
        sheet.append([r.get(column) for column in header] if isinstance(r, dict) else list(r))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def two_entries(**first) -> list[dict]:
    """A new candidate (0001) for two units."""
    return [row(**first), row(unit_number="2")]


def counts():
    return Entry.objects.count(), Candidate.objects.count()


# --- Fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def qualification(centre):
    qualification = QualificationFactory(entry_code="05838")
    for number in ("1", "2", "3"):
        UnitFactory(qualification=qualification, number=number)
    ApprovalFactory(centre=centre, qualification=qualification)
    return qualification


@pytest.fixture
def admin_client(people, login, qualification):
    return login(people["centre_admin"])


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Tasks are eager in tests; this runs the ones queued with ``delay_on_commit`` too."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def upload_url(centre):
    return reverse("entries:upload", args=[centre.number])


def post_file(client, centre, content: bytes, name="entries.csv", run_on_commit=None):
    file = SimpleUploadedFile(name, content)
    if run_on_commit is None:
        return client.post(upload_url(centre), {"file": file})
    with run_on_commit():
        return client.post(upload_url(centre), {"file": file})


def latest_upload():
    return EntryUpload.objects.order_by("-pk").first()


def errors_of(upload) -> set[tuple]:
    return {(e["row"], e["column"]) for e in upload.errors}


# --- Reading files (no database) --------------------------------------------------------------


def test_parse_good_csv():
    data = csv_bytes([row(), row(candidate_number="7", date_of_birth="01/03/2009")])
    parsed = parse_upload(data, name="entries.csv")
    assert parsed.errors == []
    assert [r.row_number for r in parsed.rows] == [2, 3]
    assert parsed.rows[0].date_of_birth == DOB
    assert parsed.rows[1].candidate_number == "0007"  # Excel drops leading zeros
    assert parsed.rows[1].date_of_birth == date(2009, 3, 1)


def test_parse_header_order_case_and_spaces_are_free():
    others = [c for c in COLUMNS if "name" not in c]
    header = [" Last Name", "FIRST_NAME ", *others]
    values = row()
    data = csv_bytes(
        [[values["last_name"], values["first_name"], *map(values.get, others)]], header
    )
    parsed = parse_upload(data)
    assert parsed.errors == []
    assert parsed.rows[0].last_name == "Khan"


def test_csv_with_bom_and_windows_1252():
    with_bom = "\ufeff".encode() + csv_bytes([row(first_name="Zoë")])
    assert parse_upload(with_bom).rows[0].first_name == "Zoë"
    cp1252 = csv_bytes([row(first_name="Zoë", last_name="O’Brien")], encoding="cp1252")
    parsed = parse_upload(cp1252)
    assert (parsed.rows[0].first_name, parsed.rows[0].last_name) == ("Zoë", "O’Brien")


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (csv_text([row()]).encode("utf-16"), "UTF-16"),
        (bytes(range(256)) * 20, "NUL"),
        (b"candidate_number,\x81\x8d\x8f\x90\x9d\n", "encoding"),
        (b"%PDF-1.4\n\x01\x02\x03 binary", "control characters"),
    ],
)
def test_unreadable_text_is_refused_naming_the_problem(content, words):
    with pytest.raises(UploadFileError, match=words):
        parse_upload(content, name="entries.csv")


def test_missing_and_extra_columns_are_named():
    header = [c for c in COLUMNS if c != "uln"]
    with pytest.raises(UploadFileError, match="missing the column uln"):
        parse_upload(csv_bytes([row()], header=header))
    with pytest.raises(UploadFileError, match="does not: notes"):
        parse_upload(csv_bytes([row()], header=[*COLUMNS, "notes"]))
    with pytest.raises(UploadFileError, match="repeats sex"):
        parse_upload(csv_bytes([row()], header=[*COLUMNS, "Sex"]))


def test_blank_rows_are_skipped_but_counted():
    data = (
        csv_text([row()])
        + ",,,,,,,,,\r\n\r\n   ,  \r\n"
        + csv_text([row(unit_number="2")])[len(",".join(COLUMNS)) + 2 :]
    )
    parsed = parse_upload(data.encode())
    assert parsed.errors == []
    assert [r.row_number for r in parsed.rows] == [2, 6]


def test_formula_and_bad_date_are_row_errors_with_column():
    data = csv_bytes(
        [
            row(first_name='=HYPERLINK("http://evil")'),
            row(last_name=" @SUM(A1)", unit_number="2"),
            row(date_of_birth="31/02/2009", unit_number="3"),
            row(date_of_birth="next tuesday", candidate_number="0002"),
            row(sex="X", candidate_number="0003"),
        ]
    )
    parsed = parse_upload(data)
    found = {(e.row_number, e.column): e.message for e in parsed.errors}
    assert "looks like a formula" in found[(2, "first_name")]
    assert "looks like a formula" in found[(3, "last_name")]
    assert "not a real date" in found[(4, "date_of_birth")]
    assert "not a date" in found[(5, "date_of_birth")]
    assert "not F or M" in found[(6, "sex")]
    # The formula is never kept.
    assert parsed.rows[0].first_name == ""


def test_long_values_and_stray_cells_are_row_errors():
    data = csv_bytes(
        [
            row(last_name="K" * 101),
            row(entry_code="0" * 5000, unit_number="2"),
            [*row(unit_number="3").values(), "", "stray"],
        ]
    )
    parsed = parse_upload(data)
    found = {(e.row_number, e.column): e.message for e in parsed.errors}
    assert found[(2, "last_name")] == "This is longer than 100 characters."
    assert found[(3, "entry_code")] == "This is longer than 20 characters."
    assert "past the template's last column" in found[(4, "")]
    assert parsed.rows[1].entry_code == ""


def test_semicolon_separated_csv_is_read():
    data = csv_text([row()]).replace(",", ";").encode()
    parsed = parse_upload(data)
    assert parsed.errors == []
    assert parsed.rows[0].last_name == "Khan"


def test_too_many_rows_is_refused():
    rows = [row(candidate_number=f"{n % 9999 + 1:04d}") for n in range(MAX_ROWS + 1)]
    with pytest.raises(UploadFileError, match="more than 10,000 rows"):
        parse_upload(csv_bytes(rows))


def test_xlsx_cells_numbers_dates_and_formulas():
    data = xlsx_bytes(
        [
            row(candidate_number=1, uln=9276308686, date_of_birth=DOB, unit_number=1),
            row(candidate_number=2, first_name="=A1&B1", date_of_birth=DOB),
        ]
    )
    parsed = parse_upload(data, name="anything.bin")
    first = parsed.rows[0]
    assert (first.candidate_number, first.uln, first.unit_number) == ("0001", "9276308686", "1")
    assert first.date_of_birth == DOB
    assert [(e.row_number, e.column) for e in parsed.errors] == [(3, "first_name")]


def junk_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "entries.xlsx"),
        (junk_zip(), "entries.xlsx"),
        (junk_zip(), "entries.csv"),  # the content decides, not the name
        (b"PK\x03\x04truncated", "entries.xlsx"),
    ],
)
def test_not_a_workbook_is_refused(content, name):
    with pytest.raises(UploadFileError, match=r"This is not an Excel workbook \(\.xlsx\)"):
        parse_upload(content, name=name)


def test_old_excel_format_is_refused():
    with pytest.raises(UploadFileError, match=r"old-style Excel file \(\.xls\)"):
        parse_upload(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, name="e.xls")


def test_oversized_file_refused_by_size_without_reading():
    file = SimpleUploadedFile("big.csv", b"x")
    file.size = 50 * 1024 * 1024
    file.file = mock.Mock(read=mock.Mock(side_effect=AssertionError("read")))
    with pytest.raises(UploadFileError, match="50 MB; the largest file you can upload is 5 MB"):
        inspect_upload(file)
    file.file.read.assert_not_called()


@override_settings(SPREADSHEET_MAX_BYTES=1000)
def test_size_limit_is_a_setting():
    with pytest.raises(UploadFileError, match="than 1 KB, the largest file you can upload"):
        inspect_upload(SimpleUploadedFile("e.csv", csv_bytes([row()] * 30)))


# --- The page and the flow --------------------------------------------------------------------


def test_upload_page_lists_template_and_recent_uploads(admin_client, centre):
    response = admin_client.get(upload_url(centre))
    assert response.status_code == 200
    assert reverse("entries:upload-template-xlsx", args=[centre.number]).encode() in (
        response.content
    )
    assert b"No files have been uploaded" in response.content
    assert b'enctype="multipart/form-data"' in response.content


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_template_download_is_a_valid_file(admin_client, centre, fmt):
    response = admin_client.get(reverse(f"entries:upload-template-{fmt}", args=[centre.number]))
    assert response.status_code == 200
    assert f"entries-template-{centre.number}.{fmt}" in response["Content-Disposition"]
    parsed = parse_upload(response.content)
    assert parsed.errors == []
    assert len(parsed.rows) == 1
    example = parsed.rows[0]
    assert example.entry_code == "05838"  # the centre's approved qualification
    assert example.date_of_birth is not None


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_good_file_previews_then_creates_entries_and_candidates(
    admin_client, centre, people, run_on_commit, kind
):
    existing = CandidateFactory(centre=centre, candidate_number="0009")
    rows = [
        *two_entries(),
        row(candidate_number="0009", first_name="", last_name="", date_of_birth="", sex=""),
    ]
    content = xlsx_bytes(rows) if kind == "xlsx" else csv_bytes(rows)
    before = counts()

    response = post_file(admin_client, centre, content, f"my entries.{kind}", run_on_commit)
    upload = latest_upload()
    assert response.status_code == 302
    assert response["Location"] == reverse("entries:upload-status", args=[centre.number, upload.pk])
    assert upload.status == EntryUpload.Status.READY
    assert upload.original_name == f"my entries.{kind}"
    assert upload.summary == {"entries": 3, "new_candidates": 1}
    assert upload.rows_done == 3
    assert counts() == before  # nothing yet: a preview

    page = admin_client.get(response["Location"])
    assert b"3 entries will be created (1 new candidate)" in page.content
    assert b"Confirm and save these entries" in page.content

    with run_on_commit():
        response = admin_client.post(
            reverse("entries:upload-confirm", args=[centre.number, upload.pk])
        )
    assert response.status_code == 302
    upload.refresh_from_db()
    assert upload.status == EntryUpload.Status.DONE
    assert upload.rows_done == 3
    assert counts() == (before[0] + 3, before[1] + 1)
    new = Candidate.objects.get(centre=centre, candidate_number="0001")
    assert [new.first_name, new.last_name, new.date_of_birth, new.sex] == [
        "Amelia",
        "Khan",
        DOB,
        "F",
    ]
    assert set(upload.entries.values_list("candidate_id", flat=True)) == {new.pk, existing.pk}
    assert set(upload.entries.values_list("submitted_by", flat=True)) == {people["centre_admin"].pk}

    page = admin_client.get(response["Location"])
    assert b"3 entries created" in page.content
    assert reverse("entries:list", args=[centre.number]).encode() in page.content
    actions = set(AuditEvent.objects.filter(centre=centre).values_list("action", flat=True))
    assert {
        "entry_upload.started",
        "entry_upload.ready",
        "entry_upload.confirmed",
        "entry_upload.done",
    } <= actions


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (csv_bytes([row()], header=[c for c in COLUMNS if c != "sex"]), "e.csv", "column sex"),
        (csv_bytes([row()], header=[*COLUMNS, "notes"]), "e.csv", "does not: notes"),
        (csv_text([row()]).encode("utf-16"), "e.csv", "UTF-16"),
        (bytes(range(256)) * 50, "e.csv", "NUL bytes"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "e.xlsx", "This is not an Excel workbook (.xlsx)"),
        (junk_zip(), "e.xlsx", "This is not an Excel workbook (.xlsx)"),
        (csv_bytes([]), "e.csv", "no entries"),
        (b"", "e.csv", "empty"),
    ],
)
def test_bad_file_is_refused_before_anything_is_stored(
    admin_client, centre, run_on_commit, content, name, message
):
    before = counts()
    response = post_file(admin_client, centre, content, name, run_on_commit)
    assert response.status_code == 200
    assert message in response.context["form"].errors["file"][0]
    assert not EntryUpload.objects.exists()
    assert counts() == before


def test_fifty_megabyte_file_is_refused(admin_client, centre, run_on_commit):
    content = b"candidate_number," + b"x" * (50 * 1024 * 1024)
    with mock.patch("ocradmin.imports.inspect") as inspect:
        response = post_file(admin_client, centre, content, "huge.csv", run_on_commit)
    assert response.status_code == 200
    assert "the largest file you can upload is 5 MB" in response.context["form"].errors["file"][0]
    inspect.assert_not_called()  # refused by its size alone
    assert not EntryUpload.objects.exists()


@pytest.mark.parametrize(
    ("bad", "column", "words"),
    [
        ({"first_name": "=cmd|' /C calc'!A0"}, "first_name", "looks like a formula"),
        ({"last_name": "+44 1234"}, "last_name", "looks like a formula"),
        ({"uci": "123456789012Z"}, "uci", "UCI"),
        ({"uln": "1234567890"}, "uln", "ULN"),
        ({"date_of_birth": "2009-13-01"}, "date_of_birth", "not a real date"),
        ({"date_of_birth": f"{TODAY.year + 1}-01-01"}, "date_of_birth", "age"),
        ({"entry_code": "99999"}, "entry_code", "no qualification"),
        ({"unit_number": "42"}, "unit_number", "not part of"),
        ({"candidate_number": "12345"}, "candidate_number", "four digits"),
    ],
)
def test_bad_rows_are_listed_by_row_and_column_and_nothing_is_written(
    admin_client, centre, run_on_commit, bad, column, words
):
    before = counts()
    rows = [row(candidate_number="0005", unit_number="3"), *two_entries(**bad)]
    response = post_file(admin_client, centre, csv_bytes(rows), run_on_commit=run_on_commit)
    assert response.status_code == 302
    upload = latest_upload()
    assert upload.status == EntryUpload.Status.FAILED
    assert (3, column) in errors_of(upload)
    message = next(e["message"] for e in upload.errors if (e["row"], e["column"]) == (3, column))
    assert words in message
    page = admin_client.get(response["Location"])
    assert f'<span class="ident">{column}</span>'.encode() in page.content
    assert b"Nothing from this file has been saved" in page.content
    assert b"Confirm" not in page.content
    assert counts() == before


def test_duplicates_in_the_file_and_against_the_database(
    admin_client, centre, people, qualification, run_on_commit
):
    existing = CandidateFactory(centre=centre, candidate_number="0009")
    unit = qualification.units.get(number="1")
    make_named_entry(
        centre=centre, candidate=existing, qualification=qualification, unit=unit, by=None
    )
    before = counts()
    rows = [
        row(),  # 2
        row(),  # 3: the same entry again
        row(candidate_number="0009", first_name="", last_name="", date_of_birth="", sex=""),  # 4
    ]
    post_file(admin_client, centre, csv_bytes(rows), run_on_commit=run_on_commit)
    upload = latest_upload()
    assert upload.status == EntryUpload.Status.FAILED
    messages = {(e["row"], e["column"]): e["message"] for e in upload.errors}
    assert "also on row 2" in messages[(3, "unit_number")]
    assert "already has a live entry" in messages[(4, "unit_number")]
    assert (2, "unit_number") not in messages
    assert counts() == before


def test_errors_are_capped_with_a_total(admin_client, centre, run_on_commit):
    rows = [row(candidate_number=f"{n:04d}", sex="Q") for n in range(1, 301)]
    post_file(admin_client, centre, csv_bytes(rows), run_on_commit=run_on_commit)
    upload = latest_upload()
    assert upload.status == EntryUpload.Status.FAILED
    assert len(upload.errors) == 200
    assert upload.summary["error_count"] == 300
    page = admin_client.get(reverse("entries:upload-status", args=[centre.number, upload.pk]))
    assert b"Showing the first 200 of 300 problems" in page.content


def test_recent_uploads_list_queries_do_not_grow(admin_client, centre, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(upload_url(centre)).status_code == 200
        return len(captured)

    def add(n):
        EntryUpload.objects.bulk_create(
            EntryUpload(
                centre=centre,
                uploaded_by=people["centre_admin"],
                original_name=f"file{i}.csv",
                status=EntryUpload.Status.DONE,
                row_count=i,
            )
            for i in range(n)
        )

    add(1)
    one = queries()
    add(49)
    assert queries() == one


def test_fixed_file_is_a_new_upload(admin_client, centre, run_on_commit):
    post_file(admin_client, centre, csv_bytes(two_entries(sex="?")), run_on_commit=run_on_commit)
    bad = latest_upload()
    post_file(admin_client, centre, csv_bytes(two_entries()), run_on_commit=run_on_commit)
    good = latest_upload()
    assert good.pk != bad.pk
    bad.refresh_from_db()
    assert (bad.status, good.status) == (EntryUpload.Status.FAILED, EntryUpload.Status.READY)
    page = admin_client.get(upload_url(centre))
    assert list(page.context["object_list"]) == [good, bad]


def test_confirm_twice_is_refused(admin_client, centre, run_on_commit):
    post_file(admin_client, centre, csv_bytes(two_entries()), run_on_commit=run_on_commit)
    upload = latest_upload()
    url = reverse("entries:upload-confirm", args=[centre.number, upload.pk])
    with run_on_commit():
        admin_client.post(url)
    after_first = counts()
    with run_on_commit():
        response = admin_client.post(url, follow=True)
    assert b"already been confirmed" in response.content
    assert counts() == after_first
    assert AuditEvent.objects.filter(action="entry_upload.confirmed").count() == 1


def test_confirm_service_refuses_unless_ready(centre, people, qualification):
    upload = EntryUpload.objects.create(
        centre=centre, original_name="x.csv", status=EntryUpload.Status.FAILED
    )
    with pytest.raises(imports.ImportRefused, match="has errors"):
        confirm_upload(upload=upload, by=people["centre_admin"])
    upload.refresh_from_db()
    assert upload.status == EntryUpload.Status.FAILED


def test_import_rechecks_and_fails_writing_nothing(admin_client, centre, run_on_commit):
    post_file(admin_client, centre, csv_bytes(two_entries()), run_on_commit=run_on_commit)
    upload = latest_upload()
    assert upload.status == EntryUpload.Status.READY
    # Between the check and the confirmation someone adds candidate 0001 with other details.
    CandidateFactory(centre=centre, candidate_number="0001", first_name="Zara")
    before = counts()
    with run_on_commit():
        response = admin_client.post(
            reverse("entries:upload-confirm", args=[centre.number, upload.pk])
        )
    upload.refresh_from_db()
    assert upload.status == EntryUpload.Status.FAILED
    assert (2, "first_name") in errors_of(upload)
    assert counts() == before
    page = admin_client.get(response["Location"])
    assert b"Nothing from this file has been saved" in page.content


def test_progress_fragment_polls_while_busy_then_reloads(admin_client, centre, run_on_commit):
    post_file(admin_client, centre, csv_bytes(two_entries()))  # the check is not run
    upload = latest_upload()
    assert upload.status == EntryUpload.Status.CHECKING
    status_page = admin_client.get(
        reverse("entries:upload-status", args=[centre.number, upload.pk])
    )
    assert b'role="status"' in status_page.content
    assert b'aria-live="polite"' in status_page.content
    assert b'hx-trigger="every 1s"' in status_page.content
    progress = reverse("entries:upload-progress", args=[centre.number, upload.pk])
    fragment = admin_client.get(progress, headers={"HX-Request": "true"})
    assert b"Checking the file: 0 of 2 rows" in fragment.content
    assert b"<html" not in fragment.content

    check_upload_file(upload_id=upload.pk)
    done = admin_client.get(progress, headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"
    page = admin_client.get(reverse("entries:upload-status", args=[centre.number, upload.pk]))
    assert b'hx-trigger="every 1s"' not in page.content


def test_a_redelivered_task_does_nothing(centre, people, qualification):
    upload = start_upload(
        centre=centre,
        file=SimpleUploadedFile("e.csv", csv_bytes(two_entries())),
        by=people["centre_admin"],
    )
    assert check_upload_file(upload_id=upload.pk) == "ready"
    assert check_upload_file(upload_id=upload.pk) == "skipped"
    confirm_upload(upload=upload, by=people["centre_admin"])
    assert import_upload_file(upload_id=upload.pk) == "done"
    assert import_upload_file(upload_id=upload.pk) == "skipped"
    assert Entry.objects.filter(upload=upload).count() == 2


# --- Permissions ------------------------------------------------------------------------------


def test_teacher_and_head_get_403(client, people, centre, qualification):
    for person in ("teacher", "head_of_centre"):
        client.force_login(people[person])
        assert client.get(upload_url(centre)).status_code == 403
        response = client.post(upload_url(centre), {"file": SimpleUploadedFile("e.csv", b"x")})
        assert response.status_code == 403
    assert not EntryUpload.objects.exists()


def test_staff_may_look_but_not_upload_or_confirm(client, people, centre, qualification):
    upload = EntryUpload.objects.create(
        centre=centre, original_name="x.csv", status=EntryUpload.Status.READY
    )
    client.force_login(people["staff"])
    page = client.get(upload_url(centre))
    assert page.status_code == 200
    assert b"Upload and check" not in page.content
    status = client.get(reverse("entries:upload-status", args=[centre.number, upload.pk]))
    assert status.status_code == 200
    assert b"Confirm and create" not in status.content
    files = {"file": SimpleUploadedFile("e.csv", csv_bytes([row()]))}
    assert client.post(upload_url(centre), files).status_code == 403
    confirm = reverse("entries:upload-confirm", args=[centre.number, upload.pk])
    assert client.post(confirm).status_code == 403
    upload.refresh_from_db()
    assert upload.status == EntryUpload.Status.READY


def test_another_centres_upload_is_404(client, people, centre, other_centre, qualification):
    theirs = EntryUpload.objects.create(
        centre=other_centre, original_name="theirs.csv", status=EntryUpload.Status.READY
    )
    client.force_login(people["centre_admin"])
    for name in ("entries:upload-status", "entries:upload-progress", "entries:upload-confirm"):
        url = reverse(name, args=[centre.number, theirs.pk])
        response = client.post(url) if name.endswith("confirm") else client.get(url)
        assert response.status_code == 404
    client.force_login(people["other_centre_admin"])
    assert client.get(upload_url(centre)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == EntryUpload.Status.READY


# --- Size ------------------------------------------------------------------------------------


def test_ten_thousand_rows(admin_client, centre, run_on_commit):
    rows = [
        row(candidate_number=f"{n + 1:04d}", last_name=f"Khan{n}", unit_number=unit)
        for n in range(5000)
        for unit in ("1", "2")
    ]
    assert len(rows) == MAX_ROWS
    started = time.perf_counter()
    post_file(admin_client, centre, csv_bytes(rows), run_on_commit=run_on_commit)
    upload = latest_upload()
    assert upload.status == EntryUpload.Status.READY, upload.errors[:3]
    assert upload.summary == {"entries": 10_000, "new_candidates": 5000}
    with run_on_commit():
        admin_client.post(reverse("entries:upload-confirm", args=[centre.number, upload.pk]))
    upload.refresh_from_db()
    assert upload.status == EntryUpload.Status.DONE
    assert counts() == (10_000, 5000)
    print(f"10,000-row upload: {time.perf_counter() - started:.1f} s")


# --- Random bad input -------------------------------------------------------------------------

cell_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30
) | st.sampled_from(["", " ", "=1+1", "-", "@x", "0000", "99999", "31/12/1999", "2009-02-30"])
# Values that are fine in their column, so that some files pass and are imported.
good_change = st.sampled_from(
    [
        ("candidate_number", "0002"),
        ("candidate_number", "7"),
        ("uln", "9276308686"),
        ("date_of_birth", DOB.strftime("%d/%m/%Y")),
        ("sex", "m"),
        ("unit_number", "2"),
        ("unit_number", "3"),
        ("unit_number", ""),
        ("first_name", "  Zoë "),
    ]
)
bad_row = st.lists(st.tuples(st.sampled_from(COLUMNS), cell_text) | good_change, max_size=3).map(
    lambda changes: row(**dict(changes))
)


def without_illegal_xml(rows):
    """openpyxl cannot write control characters; no spreadsheet program writes them either."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return [{k: ILLEGAL_CHARACTERS_RE.sub("", v) for k, v in r.items()} for r in rows]


@hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=st.lists(bad_row, min_size=1, max_size=6), as_xlsx=st.booleans())
def test_random_bad_rows_never_crash_and_never_write_partly(
    centre, people, qualification, rows, as_xlsx
):
    admin = people["centre_admin"]
    sid = transaction.savepoint()
    try:
        entries, candidates = counts()
        content = xlsx_bytes(without_illegal_xml(rows)) if as_xlsx else csv_bytes(rows)
        file = SimpleUploadedFile("random.xlsx" if as_xlsx else "random.csv", content)
        try:
            upload = start_upload(centre=centre, file=file, by=admin)
        except imports.ImportRefused:
            event("refused before storing")
            assert counts() == (entries, candidates)
            return
        assert check_upload_file(upload_id=upload.pk) in ("ready", "failed")
        upload.refresh_from_db()
        event(f"checked: {upload.status}")
        if upload.status == EntryUpload.Status.FAILED:
            assert upload.errors and all(e["message"] for e in upload.errors)
            assert counts() == (entries, candidates)
            return
        confirm_upload(upload=upload, by=admin)
        assert import_upload_file(upload_id=upload.pk) == "done", upload.errors
        assert Entry.objects.count() == entries + upload.summary["entries"]
        assert Candidate.objects.count() == candidates + upload.summary["new_candidates"]
    finally:
        transaction.savepoint_rollback(sid)


@hypothesis_settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(content=st.binary(max_size=2000) | st.lists(bad_row, min_size=1, max_size=3).map(csv_bytes))
def test_random_files_through_the_view_never_500(
    client, people, centre, qualification, django_capture_on_commit_callbacks, content
):
    client.force_login(people["centre_admin"])
    before = counts()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(upload_url(centre), {"file": SimpleUploadedFile("r.csv", content)})
    assert response.status_code in (200, 302)
    assert counts() == before  # nothing is written before a confirmation


# --- Interrupted uploads ---------------------------------------------------------------------


@pytest.mark.parametrize("status", [EntryUpload.Status.CHECKING, EntryUpload.Status.IMPORTING])
def test_an_upload_whose_worker_died_is_failed_after_an_hour(centre, people, status):
    from datetime import timedelta

    from django.utils import timezone

    from ocradmin.imports import INTERRUPTED
    from ocradmin.imports import fail_interrupted_imports as fail_interrupted_uploads

    def stuck(age):
        return EntryUpload.objects.create(
            centre=centre,
            uploaded_by=people["centre_admin"],
            original_name="entries.csv",
            status=status,
            created_at=timezone.now() - age,
        )

    old, recent = stuck(timedelta(hours=1, minutes=1)), stuck(timedelta(minutes=50))
    done = EntryUpload.objects.create(
        centre=centre,
        original_name="done.csv",
        status=EntryUpload.Status.DONE,
        created_at=timezone.now() - timedelta(days=1),
    )

    assert fail_interrupted_uploads() == 1
    assert fail_interrupted_uploads() == 0

    old.refresh_from_db()
    assert old.status == EntryUpload.Status.FAILED
    assert old.errors[0]["message"] == INTERRUPTED
    for upload, expected in ((recent, status), (done, EntryUpload.Status.DONE)):
        upload.refresh_from_db()
        assert upload.status == expected
