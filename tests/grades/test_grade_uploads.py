"""Uploading grades: the template, the preview with row-level errors, and the all-or-nothing
confirmation."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from grades.models import Grade, QualificationGrades
from ocradmin.models import AuditEvent

from ..entries.factories import CandidateFactory
from .conftest import enter, entered_candidates, make_tag_qualification, set_grade

HEADER = ["candidate_number", "uci", "last_name", "first_name", "grade"]


def url(name, centre, qualification):
    return reverse(f"grades:{name}", args=[centre.number, qualification.entry_code])


def row(candidate, grade):
    return [
        candidate.candidate_number,
        candidate.uci,
        candidate.last_name,
        candidate.first_name,
        grade,
    ]


def csv_bytes(rows, header=HEADER, encoding="utf-8"):
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows, header=HEADER):
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, centre, qualification, content, name="grades.csv"):
    """Post the file and run its check; the status page, or the form page when refused."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            url("upload", centre, qualification), {"file": SimpleUploadedFile(name, content)}
        )
    if response.status_code != 302:
        return response
    return client.get(response["Location"])


def confirm(client, centre, qualification, response):
    """Confirm the upload shown on a status page, and run the import."""
    upload = response.context["upload"]
    address = reverse(
        "grades:upload-confirm", args=[centre.number, qualification.entry_code, upload.pk]
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(address)


def errors_of(response):
    upload = response.context.get("upload")
    if upload is None:
        return []
    upload.refresh_from_db()
    return [f"Row {e['row'] or 0}, {e['column']}: {e['message']}" for e in upload.errors]


def changes_of(response):
    """(row, old grade, new grade) of every change the status page's upload would make."""
    return [(r["row"], r["old"], r["new"]) for r in response.context["upload"].preview]


def unchanged_of(response):
    return response.context["upload"].summary["unchanged"]


def file_error(response):
    return " ".join(response.context["form"].errors.get("file", []))


def grades_now(series, qualification):
    return dict(
        Grade.objects.filter(series=series, qualification=qualification).values_list(
            "candidate__candidate_number", "grade"
        )
    )


@pytest.fixture
def admin(login, people):
    return login(people["centre_admin"])


@pytest.fixture
def graded(series, qualification, candidates):
    """The first candidate already has a P."""
    set_grade(series, qualification, candidates[0], "P", version=1)
    return candidates


def assert_unchanged(series, qualification, candidates):
    assert grades_now(series, qualification) == {candidates[0].candidate_number: "P"}
    assert not AuditEvent.objects.filter(action="grade.changed").exists()


# --- The template ---------------------------------------------------------------------------


def test_the_xlsx_template_is_a_workbook_with_the_candidates_and_grades(
    admin, series, centre, qualification, graded
):
    response = admin.get(url("template-xlsx", centre, qualification))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="grades-12345-05838.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0] == HEADER
    assert values[1] == [*row(graded[0], "P")[:4], "P"]
    assert values[2][0] == graded[1].candidate_number  # kept as text: leading zeros stay
    assert values[2][4] in (None, "")
    assert AuditEvent.objects.get(action="grades.downloaded").data["format"] == "xlsx"


# --- Good files -----------------------------------------------------------------------------


def test_a_good_csv_previews_then_changes_the_grades(admin, series, centre, qualification, graded):
    content = csv_bytes([row(graded[0], "D"), row(graded[1], "M"), row(graded[2], "")])

    response = upload(admin, centre, qualification, content)

    assert response.status_code == 200
    assert errors_of(response) == []
    assert changes_of(response) == [(2, "P", "D"), (3, "", "M")]
    assert unchanged_of(response) == 1
    html = response.content.decode()
    assert "2 grades will change" in html
    assert grades_now(series, qualification) == {graded[0].candidate_number: "P"}

    done = confirm(admin, centre, qualification, response)

    assert done.status_code == 302
    status = admin.get(done["Location"])
    assert status.context["upload"].status == "done"
    assert "2 grades changed." in status.content.decode()
    assert url("qualification", centre, qualification) in status.content.decode()
    assert grades_now(series, qualification) == {
        graded[0].candidate_number: "D",
        graded[1].candidate_number: "M",
    }
    events = AuditEvent.objects.filter(action="grade.changed")
    assert sorted((e.data["old"], e.data["new"]) for e in events) == [("", "M"), ("P", "D")]


def test_a_good_xlsx_changes_the_grades(admin, series, centre, qualification, graded):
    # Excel turns 0002 into the number 2 unless the cell is text; lower case is fine too.
    rows = [row(graded[0], "d*"), [int(graded[1].candidate_number), *row(graded[1], "U")[1:]]]

    response = upload(admin, centre, qualification, xlsx_bytes(rows), name="grades.xlsx")

    assert errors_of(response) == []
    assert [new for _, _, new in changes_of(response)] == ["D*", "U"]
    confirm(admin, centre, qualification, response)
    assert grades_now(series, qualification) == {
        graded[0].candidate_number: "D*",
        graded[1].candidate_number: "U",
    }


def test_the_downloaded_template_uploads_back_unchanged(
    admin, series, centre, qualification, graded
):
    template = admin.get(url("template-csv", centre, qualification)).content
    response = upload(admin, centre, qualification, template)
    assert errors_of(response) == []
    assert changes_of(response) == []
    assert "No grades will change" in response.content.decode()
    assert not response.context["can_confirm"]


def test_blank_rows_are_skipped_and_rows_keep_their_numbers(
    admin, series, centre, qualification, graded
):
    content = csv_bytes([row(graded[1], "M"), ["", "", "", "", ""], [], row(graded[2], "Q")])
    response = upload(admin, centre, qualification, content)
    assert errors_of(response) == [
        "Row 5, grade: “Q” is not a grade for 05838: use one of D* D M P U, or leave it blank."
    ]


# --- Bad files: every message names the row and column; nothing changes ---------------------


def test_an_unknown_candidate(admin, series, centre, qualification, graded):
    content = csv_bytes([row(graded[1], "M"), ["0999", "", "Nobody", "Ann", "D"]])
    response = upload(admin, centre, qualification, content)
    assert errors_of(response) == [
        "Row 3, candidate_number: There is no candidate 0999 at centre 12345."
    ]
    assert not response.context["can_confirm"]
    assert_unchanged(series, qualification, graded)


def test_a_candidate_of_another_centre_is_unknown(
    admin, series, centre, other_centre, qualification, graded
):
    stranger = CandidateFactory(centre=other_centre, candidate_number="0998")
    enter(stranger, qualification)
    response = upload(admin, centre, qualification, csv_bytes([row(stranger, "D")]))
    assert errors_of(response) == [
        "Row 2, candidate_number: There is no candidate 0998 at centre 12345."
    ]
    assert not Grade.objects.filter(candidate=stranger).exists()


def test_a_candidate_not_entered_for_the_qualification(
    admin, series, centre, qualification, graded
):
    other = CandidateFactory(centre=centre)
    enter(other, make_tag_qualification("05839"))
    response = upload(admin, centre, qualification, csv_bytes([row(other, "D")]))
    assert errors_of(response) == [
        f"Row 2, candidate_number: {other.candidate_number} {other.full_name} is not entered "
        "for 05838."
    ]
    assert_unchanged(series, qualification, graded)


def test_a_grade_off_the_scale(admin, series, centre, qualification, graded):
    response = upload(admin, centre, qualification, csv_bytes([row(graded[1], "A*")]))
    assert errors_of(response) == [
        "Row 2, grade: “A*” is not a grade for 05838: use one of D* D M P U, or leave it blank."
    ]
    assert_unchanged(series, qualification, graded)


def test_a_duplicate_row(admin, series, centre, qualification, graded):
    content = csv_bytes([row(graded[1], "M"), row(graded[2], "P"), row(graded[1], "D")])
    response = upload(admin, centre, qualification, content)
    assert errors_of(response) == [
        f"Row 4, candidate_number: Candidate {graded[1].candidate_number} is also on row 2; "
        "list each candidate once."
    ]
    assert_unchanged(series, qualification, graded)


def test_a_uci_or_name_that_does_not_match_the_candidate(
    admin, series, centre, qualification, graded
):
    wrong_uci = [graded[1].candidate_number, graded[2].uci, *row(graded[1], "M")[2:]]
    wrong_name = [*row(graded[2], "M")[:2], "Zzyzx", graded[2].first_name, "M"]
    response = upload(admin, centre, qualification, csv_bytes([wrong_uci, wrong_name]))
    errors = errors_of(response)
    assert errors[0].startswith(f"Row 2, uci: {graded[2].uci} is not the UCI of candidate")
    assert errors[1].startswith(f"Row 3, last_name: Candidate {graded[2].candidate_number} is")
    assert_unchanged(series, qualification, graded)


def test_a_missing_column(admin, series, centre, qualification, graded):
    content = csv_bytes(
        [[graded[1].candidate_number, graded[1].uci, "M"]],
        header=["candidate_number", "uci", "grade"],
    )
    response = upload(admin, centre, qualification, content)
    assert file_error(response) == ("The header row is missing the columns last_name, first_name.")
    assert_unchanged(series, qualification, graded)


def test_an_extra_column(admin, series, centre, qualification, graded):
    content = csv_bytes([[*row(graded[1], "M"), "great"]], header=[*HEADER, "Notes"])
    response = upload(admin, centre, qualification, content)
    assert file_error(response) == (
        "The header row has a column the template does not: notes. Remove it."
    )
    assert_unchanged(series, qualification, graded)


def test_a_value_past_the_last_column(admin, series, centre, qualification, graded):
    content = csv_bytes([[*row(graded[1], "M"), "stray"]])
    response = upload(admin, centre, qualification, content)
    assert errors_of(response) == [
        "Row 2, : This row has a value in column F (cell F2), past the template's last column "
        "(E). Remove it."
    ]
    assert_unchanged(series, qualification, graded)


@pytest.mark.parametrize("formula", ['=HYPERLINK("http://x")', "+1+1", "@SUM(A1)", "-2+3"])
def test_a_formula_in_a_text_cell(admin, series, centre, qualification, graded, formula):
    content = csv_bytes([row(graded[1], "M"), [*row(graded[2], "M")[:2], formula, "Ann", "M"]])
    response = upload(admin, centre, qualification, content)
    errors = errors_of(response)
    assert len(errors) >= 1
    assert errors[0].startswith("Row 3, last_name: ")
    assert "looks like a formula" in errors[0]
    assert_unchanged(series, qualification, graded)


def test_a_formula_cell_in_a_workbook(admin, series, centre, qualification, graded):
    rows = [row(graded[1], "M"), [*row(graded[2], "")[:4], '=IF(1,"D","M")']]
    response = upload(admin, centre, qualification, xlsx_bytes(rows), name="grades.xlsx")
    assert errors_of(response)[0].startswith("Row 3, grade: ")
    assert "looks like a formula" in errors_of(response)[0]
    assert_unchanged(series, qualification, graded)


def test_the_wrong_encoding(admin, series, centre, qualification, graded):
    content = csv_bytes([row(graded[1], "M")], encoding="utf-16")
    response = upload(admin, centre, qualification, content)
    assert "not a plain-text CSV" in file_error(response)
    assert "CSV UTF-8" in file_error(response)
    assert_unchanged(series, qualification, graded)


def test_a_windows_1252_csv_is_read(admin, series, centre, qualification):
    candidate = CandidateFactory(centre=centre, first_name="Zoë", last_name="Brontë")
    enter(candidate, qualification)
    response = upload(
        admin, centre, qualification, csv_bytes([row(candidate, "M")], encoding="cp1252")
    )
    assert errors_of(response) == []
    assert [new for _, _, new in changes_of(response)] == ["M"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("grades.xlsx", b"candidate_number,uci\n0001,x\n", "This is not an Excel workbook"),
        ("grades.xlsx", b"PK\x03\x04 not really a zip", "This is not an Excel workbook"),
        ("grades.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old-style Excel"),
        ("grades.csv", b"", "The chosen file is empty"),
    ],
)
def test_files_that_cannot_be_read(
    admin, series, centre, qualification, graded, name, content, message
):
    response = upload(admin, centre, qualification, content, name=name)
    assert message in file_error(response)
    assert_unchanged(series, qualification, graded)


def test_a_file_over_5_mb(admin, series, centre, qualification, graded):
    content = csv_bytes([row(graded[1], "M")]) + b"\n" * (5 * 1024 * 1024)
    response = upload(admin, centre, qualification, content)
    assert file_error(response) == (
        "This file is larger than 5 MB, the largest file you can upload."
    )
    bigger = upload(admin, centre, qualification, content + b"\n" * (2 * 1024 * 1024))
    assert file_error(bigger) == (
        "This file is 7 MB; the largest file you can upload is 5 MB. Split it into smaller files."
    )
    assert_unchanged(series, qualification, graded)


# --- Confirming -----------------------------------------------------------------------------


def test_a_change_since_the_preview_refuses_the_whole_upload(
    admin, series, centre, qualification, graded
):
    from ..factories import UserFactory

    content = csv_bytes([row(graded[0], "D"), row(graded[1], "M"), row(graded[2], "U")])
    response = upload(admin, centre, qualification, content)
    ana = UserFactory(full_name="Ana Teacher")
    Grade.objects.filter(candidate=graded[0]).update(grade="M", version=2, updated_by=ana)

    refused = admin.get(confirm(admin, centre, qualification, response)["Location"])

    html = refused.content.decode()
    assert "Nothing was changed: since the check, someone else changed" in html
    assert errors_of(refused) == [
        "Row 0, : Nothing was changed: since the check, someone else changed some of these "
        "grades. Download the template again to see the current grades, then upload your file "
        "again.",
        "Row 2, grade: Ana Teacher changed this to M at 12:30; your change was not saved. "
        "The current grade is shown.",
    ]
    assert grades_now(series, qualification) == {graded[0].candidate_number: "M"}
    assert not AuditEvent.objects.filter(action="grade.changed").exists()
    # The upload is spent: confirming again does nothing.
    again = confirm(admin, centre, qualification, response)
    assert again.status_code == 302
    assert grades_now(series, qualification) == {graded[0].candidate_number: "M"}


def test_a_confirmed_upload_is_spent(admin, series, centre, qualification, graded):
    response = upload(admin, centre, qualification, csv_bytes([row(graded[1], "M")]))
    confirm(admin, centre, qualification, response)
    assert grades_now(series, qualification)[graded[1].candidate_number] == "M"
    Grade.objects.filter(candidate=graded[1]).update(grade="P", version=5)
    again = confirm(admin, centre, qualification, response)
    assert "already been confirmed" in admin.get(again["Location"]).content.decode()
    assert grades_now(series, qualification)[graded[1].candidate_number] == "P"


def test_another_qualifications_upload_is_404(admin, series, centre, qualification, graded):
    response = upload(admin, centre, qualification, csv_bytes([row(graded[1], "M")]))
    other = make_tag_qualification("05839")
    enter(graded[1], other)
    pk = response.context["upload"].pk
    status = reverse("grades:upload-status", args=[centre.number, other.entry_code, pk])
    assert admin.get(status).status_code == 404
    confirming = reverse("grades:upload-confirm", args=[centre.number, other.entry_code, pk])
    assert admin.post(confirming).status_code == 404
    assert_unchanged(series, qualification, graded)


def test_sending_after_the_preview_refuses_the_confirmation(
    admin, series, centre, qualification, graded
):
    response = upload(admin, centre, qualification, csv_bytes([row(graded[1], "M")]))
    QualificationGrades.objects.filter(qualification=qualification).update(status="sent")
    refused = admin.get(confirm(admin, centre, qualification, response)["Location"])
    assert "sent to the head of centre" in refused.content.decode()
    assert_unchanged(series, qualification, graded)


def test_no_upload_form_once_grades_are_sent(admin, series, centre, qualification, graded):
    QualificationGrades.objects.create(
        series=series, centre=centre, qualification=qualification, status="sent"
    )
    page = admin.get(url("upload", centre, qualification))
    assert page.status_code == 200
    assert 'type="file"' not in page.content.decode()
    response = upload(admin, centre, qualification, csv_bytes([row(graded[1], "M")]))
    assert response.context.get("preview") is None
    assert_unchanged(series, qualification, graded)


def test_an_assigned_teacher_may_upload(
    login, series, centre, qualification, graded, assigned_teacher
):
    client = login(assigned_teacher)
    response = upload(client, centre, qualification, csv_bytes([row(graded[1], "M")]))
    confirm(client, centre, qualification, response)
    assert Grade.objects.get(candidate=graded[1]).updated_by == assigned_teacher


def test_the_xlsx_template_uploads_back_with_one_change(
    admin, series, centre, qualification, graded
):
    risky = CandidateFactory(centre=centre, last_name="=Risky")
    enter(risky, qualification)
    template = admin.get(url("template-xlsx", centre, qualification)).content
    book = load_workbook(io.BytesIO(template))
    sheet = book.active
    assert sheet.cell(row=5, column=3).value == "'=Risky"
    sheet.cell(row=3, column=5).value = "D"
    out = io.BytesIO()
    book.save(out)

    response = upload(admin, centre, qualification, out.getvalue(), name="grades.xlsx")

    assert errors_of(response) == []
    assert changes_of(response) == [(3, "", "D")]
    assert unchanged_of(response) == 3


# --- Cost -----------------------------------------------------------------------------------


def test_the_preview_and_the_confirmation_take_the_same_queries_for_3_and_30_rows(
    admin, series, centre, qualification
):
    """A whole centre's file (up to 9,999 rows) costs what a small one does."""

    def queries_for(count, first_name):
        candidates = entered_candidates(centre, qualification, count, first_name=first_name)
        for candidate in candidates[::2]:  # half already graded: changed, the rest new
            set_grade(series, qualification, candidate, "P", version=1)
        content = csv_bytes([row(c, "M") for c in candidates])
        with CaptureQueriesContext(connection) as previewing:
            response = upload(admin, centre, qualification, content)
        assert len(changes_of(response)) == count
        with CaptureQueriesContext(connection) as confirming:
            assert confirm(admin, centre, qualification, response).status_code == 302
        return len(previewing), len(confirming)

    queries_for(1, "Warm")  # the qualification's state row, the content type
    assert queries_for(3, "Few") == queries_for(30, "Many")
    events = AuditEvent.objects.filter(action="grade.changed")
    assert events.count() == 1 + 3 + 30
    assert sorted({(e.data["old"], e.data["new"]) for e in events}) == [("", "M"), ("P", "M")]
