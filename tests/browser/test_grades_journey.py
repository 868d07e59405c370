"""Summer 2021 teacher-assessed grades in a real browser, from the grid to the PDF receipt.

The teacher of centre 12345, assigned to two TAG qualifications, grades the first by hand in
the grid (each choice saved at once with htmx, the row saying "Saved") and the second by
uploading the pre-filled template, previewed and then confirmed; and sends both to the head of
centre. The head returns the first with a comment; the teacher sees the comment, changes a
grade and sends it again. The head approves both, completes the declaration and submits; the
receipt opens as a PDF, and the grid is read-only from then on.

The 2021 series is re-seeded (transactional tests flush it) and the clock is set to 1 June
2021, inside its submission window, and left running (``tick=True``) for the live server and
the browser. The server's sessions expire by the same travelled clock, and the cookies it sets
carry Max-Age, which Chromium counts from its own (real) clock, so signing in keeps working.

Every distinct page is checked with axe-core, and (``page_problems``) for console errors.
"""

import csv
import io
import re
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from grades.models import Grade, TeacherAssignment
from grades.services.materials import add_material

from ..entries.factories import ApprovalFactory, CandidateFactory
from ..grades.conftest import IN_WINDOW, enter, make_tag_qualification, summer_2021

# Not in the seeded catalogue, so the factory makes them afresh whatever the database holds.
CODE_A, CODE_B = "79101", "79102"
RETURN_COMMENT = "Candidate 1002's grade does not match the moderated sample; please check it."


@pytest.fixture(autouse=True)
def series(transactional_db):
    with time_machine.travel(IN_WINDOW, tick=True):
        yield summer_2021()


def candidates_for(centre, qualification, names):
    made = []
    for number, first, last in names:
        candidate = CandidateFactory(
            centre=centre, candidate_number=number, first_name=first, last_name=last
        )
        enter(candidate, qualification)
        made.append(candidate)
    return made


def follow(page, control):
    """Click a link or submit button and wait until the next page has loaded, so that the next
    step does not cut short the loading of its stylesheets and scripts."""
    with page.expect_navigation():
        control.click()


def grade_label(candidate):
    return f"Grade for {candidate.candidate_number} {candidate.first_name} {candidate.last_name}"


def sign_out(page):
    follow(page, page.get_by_role("button", name="Sign out"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def grade_in_grid(page, candidate, grade):
    """Choose a grade in the grid and wait for htmx to swap in the saved row."""
    row = page.locator(f"#grade-row-{candidate.pk}")
    row.get_by_label(grade_label(candidate)).select_option(grade)
    expect(row.get_by_role("status")).to_have_text("Saved")
    expect(row.get_by_label(grade_label(candidate))).to_have_value(grade)


def send_for_approval(page, code):
    page.once("dialog", lambda dialog: dialog.accept())
    follow(page, page.get_by_role("button", name="Send for approval"))
    expect(page.get_by_role("alert").filter(has_text="sent to the head")).to_have_text(
        f"{code} grades sent to the head of centre."
    )
    expect(page.get_by_text("Status: Sent to the head of centre")).to_be_visible()
    expect(page.get_by_role("combobox")).to_have_count(0)


def review_row(page, code):
    return page.get_by_role("row").filter(
        has=page.get_by_role("link", name=re.compile(rf"^{code} "))
    )


def test_a_teacher_grades_two_qualifications_and_the_head_submits(
    page, url, sign_in, assert_accessible, page_problems, people, centre, series
):
    qualification_a = make_tag_qualification(CODE_A)
    qualification_b = make_tag_qualification(CODE_B, scale=("A*", "A", "B", "C", "D", "E", "U"))
    for qualification in (qualification_a, qualification_b):
        TeacherAssignment.objects.create(
            series=series, centre=centre, qualification=qualification, teacher=people["teacher"]
        )
    graded_by_hand = candidates_for(
        centre,
        qualification_a,
        [("1001", "Ada", "Lovelace"), ("1002", "Alan", "Turing"), ("1003", "Grace", "Hopper")],
    )
    uploaded = candidates_for(
        centre,
        qualification_b,
        [("2001", "Mary", "Somerville"), ("2002", "Charles", "Babbage")],
    )
    teacher, head = people["teacher"], people["head_of_centre"]

    # --- The teacher grades qualification A by hand --------------------------------------
    sign_in(page, teacher.email)
    page.goto(url("/centres/12345/grades/"))
    expect(page.get_by_role("heading", name="Teacher-assessed grades: Summer 2021")).to_be_visible()
    qualifications = page.get_by_role("table")
    expect(qualifications.locator("tbody tr")).to_have_count(2)
    row_a = qualifications.get_by_role("row").filter(has_text=CODE_A)
    expect(row_a).to_contain_text("Being graded")
    expect(row_a).to_contain_text("0 of 3")
    assert_accessible(page)

    follow(page, qualifications.get_by_role("link", name=f"Cambridge Technical {CODE_A}"))
    expect(page).to_have_url(url(f"/centres/12345/grades/{CODE_A}/"))
    expect(
        page.get_by_role("heading", name=f"Cambridge Technical {CODE_A} ({CODE_A})")
    ).to_be_visible()
    expect(page.get_by_role("combobox")).to_have_count(3)
    assert_accessible(page)

    for candidate, grade in zip(graded_by_hand, ["D*", "M", "P"], strict=True):
        grade_in_grid(page, candidate, grade)
    assert_accessible(page)  # the grid with its "Saved" messages
    assert dict(
        Grade.objects.filter(qualification=qualification_a).values_list(
            "candidate__candidate_number", "grade"
        )
    ) == {"1001": "D*", "1002": "M", "1003": "P"}

    # The saved grades are there after a reload.
    page.reload()
    expect(page.get_by_label(grade_label(graded_by_hand[1]))).to_have_value("M")
    send_for_approval(page, CODE_A)

    # --- ...and qualification B by uploading the pre-filled template ----------------------
    follow(page, page.get_by_role("link", name="Grades", exact=True).first)
    expect(page).to_have_url(url("/centres/12345/grades/"))
    expect(page.get_by_role("row").filter(has_text=CODE_A)).to_contain_text(
        "Sent to the head of centre"
    )
    follow(page, page.get_by_role("link", name=f"Cambridge Technical {CODE_B}"))
    expect(page).to_have_url(url(f"/centres/12345/grades/{CODE_B}/"))

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download grades (CSV)").click()
    download = download_info.value
    assert download.suggested_filename == f"grades-12345-{CODE_B}.csv"
    with open(download.path(), encoding="utf-8-sig") as template:
        rows = list(csv.DictReader(template))
    # Chromium turns the link's navigation into the download and reports the navigation
    # request as aborted; that is how a download goes, not a failed resource.
    template_url = url(f"/centres/12345/grades/{CODE_B}/template.csv")
    assert f"request failed: {template_url}" in page_problems
    page_problems.remove(f"request failed: {template_url}")
    assert [(r["candidate_number"], r["last_name"], r["grade"]) for r in rows] == [
        ("2001", "Somerville", ""),
        ("2002", "Babbage", ""),
    ]
    new_grades = {"2001": "A*", "2002": "C"}
    filled = io.StringIO()
    writer = csv.DictWriter(filled, fieldnames=list(rows[0]))
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "grade": new_grades[row["candidate_number"]]})

    follow(page, page.get_by_role("link", name="Upload grades"))
    expect(page).to_have_url(url(f"/centres/12345/grades/{CODE_B}/upload/"))
    expect(
        page.get_by_role("heading", name=re.compile(f"^Upload grades for .*{CODE_B}"))
    ).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Grades file (CSV or Excel .xlsx)").set_input_files(
        {
            "name": f"grades-12345-{CODE_B}.csv",
            "mimeType": "text/csv",
            "buffer": filled.getvalue().encode(),
        }
    )
    follow(page, page.get_by_role("button", name="Check the file"))
    expect(page).to_have_url(re.compile(f"/centres/12345/grades/{CODE_B}/uploads/\\d+/$"))
    preview = page.get_by_role("region", name="What will be saved")
    expect(preview).to_contain_text("2 grades will change.")
    changes = preview.get_by_role("table")
    expect(changes.get_by_role("row").filter(has_text="Somerville")).to_contain_text("A*")
    expect(changes.get_by_role("row").filter(has_text="Babbage")).to_contain_text("no grade")
    assert not Grade.objects.filter(qualification=qualification_b).exists()  # not yet
    assert_accessible(page)

    follow(page, preview.get_by_role("button", name="Confirm and save these grades"))
    expect(page.get_by_role("alert").filter(has_text="from grades-")).to_have_text(
        f"Saving 2 grades from grades-12345-{CODE_B}.csv."
    )
    expect(page.get_by_role("status")).to_contain_text("Done: 2 grades saved.")
    assert_accessible(page)
    follow(page, page.get_by_role("link", name=f"See the grades for {CODE_B}"))
    expect(page).to_have_url(url(f"/centres/12345/grades/{CODE_B}/"))
    expect(page.get_by_label(grade_label(uploaded[0]))).to_have_value("A*")
    expect(page.get_by_label(grade_label(uploaded[1]))).to_have_value("C")
    send_for_approval(page, CODE_B)
    sign_out(page)

    # --- The head of centre returns qualification A with a comment ------------------------
    sign_in(page, head.email)
    page.goto(url("/centres/12345/grades/"))
    follow(page, page.get_by_role("link", name="Review, approve and submit"))
    expect(page).to_have_url(url("/centres/12345/grades/review/"))
    expect(
        page.get_by_role("heading", name="Summer 2021 grades: review, approve and submit")
    ).to_be_visible()
    expect(review_row(page, CODE_A)).to_contain_text("Sent to the head of centre")
    expect(review_row(page, CODE_B)).to_contain_text("2 of 2")
    expect(page.get_by_role("link", name="Complete the declaration and submit")).to_have_count(0)
    assert_accessible(page)

    page.get_by_label(f"What needs to change in {CODE_A}").fill(RETURN_COMMENT)
    follow(page, review_row(page, CODE_A).get_by_role("button", name="Return"))
    expect(page.get_by_role("alert").filter(has_text="returned")).to_have_text(
        f"{CODE_A} grades returned to the teachers."
    )
    expect(review_row(page, CODE_A)).to_contain_text("Returned by the head of centre")
    expect(review_row(page, CODE_A)).to_contain_text(RETURN_COMMENT)
    expect(review_row(page, CODE_A).get_by_role("button", name="Approve")).to_have_count(0)
    sign_out(page)

    # --- The teacher sees it returned, changes a grade and sends it again -----------------
    sign_in(page, teacher.email)
    page.goto(url("/centres/12345/grades/"))
    expect(page.get_by_role("row").filter(has_text=CODE_A)).to_contain_text(
        "Returned by the head of centre"
    )
    follow(page, page.get_by_role("link", name=f"Cambridge Technical {CODE_A}"))
    expect(page.get_by_text("Status: Returned by the head of centre")).to_contain_text(
        RETURN_COMMENT
    )
    assert_accessible(page)
    grade_in_grid(page, graded_by_hand[1], "D")
    send_for_approval(page, CODE_A)
    sign_out(page)

    # --- The head approves both, completes the declaration and submits --------------------
    sign_in(page, head.email)
    page.goto(url("/centres/12345/grades/review/"))
    for code in (CODE_A, CODE_B):
        follow(page, review_row(page, code).get_by_role("button", name="Approve"))
        expect(page.get_by_role("alert").filter(has_text="approved")).to_have_text(
            f"{code} grades approved."
        )
        expect(review_row(page, code)).to_contain_text("Approved by the head of centre")

    follow(page, page.get_by_role("link", name="Complete the declaration and submit"))
    expect(page).to_have_url(url("/centres/12345/grades/declaration/"))
    expect(
        page.get_by_role("heading", name="Head of centre declaration — Summer 2021")
    ).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Your name").fill("Hannah Head")
    page.get_by_label("Your job title").fill("Headteacher")
    for statement in (
        "The centre's policy for determining grades was followed.",
        "The grades were quality-assured as the centre policy requires.",
        "Each grade reflects evidence of the candidate's performance.",
        "The evidence is kept and can be provided on request.",
    ):
        page.get_by_label(statement).check()
    page.once("dialog", lambda dialog: dialog.accept())
    follow(page, page.get_by_role("button", name="Submit the centre's grades"))

    expect(page).to_have_url(url("/centres/12345/grades/review/"))
    expect(page.get_by_role("alert").filter(has_text="submitted")).to_have_text(
        "The centre's grades are submitted. Thank you."
    )
    expect(page.get_by_role("status")).to_contain_text(
        "Submitted by Hannah Head, Headteacher, on 1 June 2021"
    )
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)
    expect(page.get_by_role("button", name="Return")).to_have_count(0)
    assert_accessible(page)

    receipt_link = page.get_by_role("link", name="Open the receipt (PDF)")
    receipt = page.request.get(url(receipt_link.get_attribute("href")))
    assert receipt.ok
    assert receipt.headers["content-type"] == "application/pdf"
    assert receipt.body().startswith(b"%PDF-")
    sign_out(page)

    # --- After submission the grid is read-only ------------------------------------------
    sign_in(page, teacher.email)
    page.goto(url("/centres/12345/grades/"))
    expect(page.get_by_role("status").filter(has_text="submitted")).to_contain_text(
        "they can no longer be changed"
    )
    expect(page.get_by_role("row").filter(has_text=CODE_A)).to_contain_text("No: submitted")
    follow(page, page.get_by_role("link", name=f"Cambridge Technical {CODE_A}"))
    expect(page.get_by_role("status")).to_have_text(
        "The head of centre has submitted the centre's grades; they can no longer be changed."
    )
    expect(page.get_by_role("combobox")).to_have_count(0)
    expect(page.get_by_role("button", name="Save all grades")).to_have_count(0)
    expect(page.get_by_role("button", name="Send for approval")).to_have_count(0)
    expect(page.get_by_role("link", name="Upload grades")).to_have_count(0)
    turing = page.get_by_role("table").get_by_role("row").filter(has_text="Turing")
    expect(turing.locator("td").nth(2)).to_have_text("D")  # number, UCI, grade, save status
    assert_accessible(page)
    assert dict(
        Grade.objects.filter(series=series, centre=centre).values_list(
            "candidate__candidate_number", "grade"
        )
    ) == {"1001": "D*", "1002": "D", "1003": "P", "2001": "A*", "2002": "C"}


def test_the_assessment_materials_user_sees_materials_but_not_grades(
    page, url, sign_in, assert_accessible, people, centre, series
):
    qualification = make_tag_qualification(CODE_A)
    enter(CandidateFactory(centre=centre), qualification)
    ApprovalFactory(centre=centre, qualification=qualification)
    add_material(
        series=series,
        qualification=qualification,
        title="Set task 2021",
        upload=SimpleUploadedFile("set-task.pdf", b"%PDF-1.7\n%%EOF\n"),
        available_from=timezone.now() - timedelta(days=1),
        by=people["staff"],
    )

    sign_in(page, people["aam_user"].email)
    # The centre's member, but with no grades permission: refused, with the shell's own page.
    for path in ("/centres/12345/grades/", f"/centres/12345/grades/{CODE_A}/"):
        response = page.goto(url(path))
        assert response.status == 403, path
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "You do not have permission to do that"
        )
        expect(page.get_by_role("combobox")).to_have_count(0)
    assert_accessible(page)

    response = page.goto(url("/centres/12345/materials/"))
    assert response.status == 200
    expect(page.get_by_role("heading", name="Assessment materials — Summer 2021")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Set task 2021")).to_contain_text(
        "Download set-task.pdf"
    )
    tabs = page.get_by_role("navigation", name="Centre sections")
    expect(tabs.get_by_role("link", name="Grades")).to_have_count(0)
    assert_accessible(page)
