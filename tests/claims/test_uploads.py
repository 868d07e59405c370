"""Lines from a spreadsheet into a draft claim: the pre-filled template, every bad row named,
the preview, all or nothing, and the shared pipeline end to end."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims.models import ClaimLine, ClaimUpload
from claims.services import ClaimError
from claims.services.claims import (
    LineRow,
    LineRowsError,
    add_line,
    add_lines,
    check_line_rows,
    start_claim,
    submit_claim,
)
from claims.uploads import LINE_COLUMNS, line_template_rows
from ocradmin import imports

from ..entries.factories import CandidateFactory


@pytest.fixture
def claim(setup, centre, people):
    return start_claim(centre=centre, qualification=setup["qualification"], by=people["teacher"])


def row(n, candidate, unit, grade, **names):
    return LineRow(row=n, candidate_number=candidate, unit_number=unit, grade=grade, **names)


def lines_csv(rows) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(LINE_COLUMNS)
    writer.writerows(rows)
    return out.getvalue().encode()


def test_the_template_lists_every_claimable_candidate_and_unit(claim, setup, people):
    add_line(
        claim=claim,
        candidate=setup["full"],
        unit=setup["units"]["1"],
        grade="M",
        by=people["teacher"],
    )
    rows = line_template_rows(claim)
    full, unit_only = setup["full"].candidate_number, setup["unit_only"].candidate_number
    # A full-award entry: every unit of the qualification.
    assert [r[0] for r in rows].count(full) == setup["qualification"].units.count()
    assert [r for r in rows if r[0] == unit_only] == [
        [unit_only, setup["unit_only"].last_name, setup["unit_only"].first_name, "3", ""]
    ]
    assert [full, setup["full"].last_name, setup["full"].first_name, "1", "M"] in rows
    assert setup["withdrawn"].candidate_number not in {r[0] for r in rows}


def test_good_rows_are_planned_and_added_together(claim, setup, people):
    full, unit_only = setup["full"].candidate_number, setup["unit_only"].candidate_number
    add_line(
        claim=claim,
        candidate=setup["full"],
        unit=setup["units"]["1"],
        grade="M",
        by=people["teacher"],
    )
    rows = [
        row(2, full, "1", "D"),  # changes M to D
        row(3, full, "2", "m"),
        row(4, unit_only, "3", "P", last_name=setup["unit_only"].last_name.upper()),
        row(5, full, "3", ""),  # not claimed
    ]
    errors, _, summary = check_line_rows(claim, rows)
    assert errors == []
    assert summary == {"added": 2, "changed": 1, "unchanged": 0, "skipped": 1}
    assert add_lines(claim=claim, rows=rows, by=people["teacher"]) == 3
    grades = {
        (line.candidate.candidate_number, line.unit.number): line.grade
        for line in ClaimLine.objects.filter(claim=claim).select_related("candidate", "unit")
    }
    assert grades == {(full, "1"): "D", (full, "2"): "M", (unit_only, "3"): "P"}


def test_every_bad_row_is_named_and_nothing_is_added(claim, setup, people, centre):
    full, unit_only = setup["full"].candidate_number, setup["unit_only"].candidate_number
    stranger = CandidateFactory(centre=centre).candidate_number
    rows = [
        row(2, full, "1", "D"),  # good, but the file is refused whole
        row(3, "9998", "1", "D"),
        row(4, stranger, "1", "D"),
        row(5, unit_only, "1", "D"),
        row(6, full, "99", "D"),
        row(7, full, "2", "D*"),
        row(8, full, "1", "M"),
        row(9, full, "3", "M", first_name="Somebody"),
        row(10, setup["withdrawn"].candidate_number, "1", "D"),
        row(11, "", "1", "D"),
    ]
    errors, _, _ = check_line_rows(claim, rows)
    found = {(e.row_number, e.column): e.message for e in errors}
    assert "no candidate 9998" in found[(3, "candidate_number")]
    assert "no accepted entry" in found[(4, "candidate_number")]
    assert "no accepted entry" in found[(5, "candidate_number")]
    assert "not a unit of" in found[(6, "unit_number")]
    assert "not a grade of unit 2" in found[(7, "grade")]
    assert "also on row 2" in found[(8, "unit_number")]
    assert "check the candidate number" in found[(9, "first_name")]
    assert "no accepted entry" in found[(10, "candidate_number")]
    assert "Enter the candidate number" in found[(11, "candidate_number")]
    assert (2, "candidate_number") not in found
    with pytest.raises(LineRowsError):
        add_lines(claim=claim, rows=rows, by=people["teacher"])
    assert not ClaimLine.objects.exists()


def test_a_line_on_another_live_claim_is_refused(claim, setup, people, centre):
    full = setup["full"].candidate_number
    add_line(
        claim=claim,
        candidate=setup["full"],
        unit=setup["units"]["1"],
        grade="D",
        by=people["teacher"],
    )
    submit_claim(claim=claim, declaration=True, by=people["teacher"])
    second = start_claim(centre=centre, qualification=setup["qualification"], by=people["teacher"])
    errors, _, _ = check_line_rows(second, [row(2, full, "1", "D")])
    assert "already claimed for unit 1 on claim 12345-0001" in errors[0].message
    with pytest.raises(ClaimError, match="only the examiner-moderator"):
        add_lines(claim=claim, rows=[row(2, full, "2", "D")], by=people["teacher"])


def test_a_file_goes_through_the_pipeline_to_the_claim(
    claim, setup, people, django_capture_on_commit_callbacks
):
    full = setup["full"]
    content = lines_csv(
        [
            [full.candidate_number, full.last_name, full.first_name, "1", "D"],
            [full.candidate_number, full.last_name, full.first_name, "2", "P"],
        ]
    )
    from claims.uploads import IMPORTER

    with django_capture_on_commit_callbacks(execute=True):
        upload = imports.start_import(
            IMPORTER,
            centre=claim.centre,
            file=SimpleUploadedFile("lines.csv", content),
            by=people["teacher"],
            claim=claim,
        )
    upload.refresh_from_db()
    assert upload.status == "ready" and len(upload.preview) == 2
    assert not ClaimLine.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        imports.confirm_import(upload, by=people["teacher"])
    upload.refresh_from_db()
    assert upload.status == "done" and upload.rows_done == 2
    assert ClaimLine.objects.filter(claim=claim).count() == 2


def test_the_upload_pages(client, people, centre, claim, setup, django_capture_on_commit_callbacks):
    client.force_login(people["teacher"])
    template = client.get(reverse("claims:upload-template-csv", args=[centre.number, claim.pk]))
    assert template.status_code == 200
    body = template.content.decode().lstrip("\ufeff")
    assert body.splitlines()[0] == ",".join(LINE_COLUMNS)
    filled = body.replace(
        f"{setup['unit_only'].first_name},3,", f"{setup['unit_only'].first_name},3,P"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("claims:upload", args=[centre.number, claim.pk]),
            {"file": SimpleUploadedFile("lines.csv", filled.encode())},
        )
    upload = ClaimUpload.objects.get()
    assert response["Location"] == reverse(
        "claims:upload-status", args=[centre.number, claim.pk, upload.pk]
    )
    status = client.get(response["Location"]).content.decode()
    assert "1 line will be added" in status
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("claims:upload-confirm", args=[centre.number, claim.pk, upload.pk]))
    assert ClaimLine.objects.get(claim=claim).grade == "P"
    xlsx = client.get(reverse("claims:upload-template-xlsx", args=[centre.number, claim.pk]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
