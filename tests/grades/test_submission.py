"""The declaration and submission, the PDF receipt, closing reminders, and the staff pages."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from centres.models import Centre, Role
from entries.models import Candidate, Entry
from entries.validators import make_uci
from grades.models import CentreSubmission, Grade, QualificationGrades
from grades.services import GradeError, WindowClosed
from grades.services.grading import save_grade
from grades.services.reminders import send_closing_reminders
from grades.services.submission import CONFIRMATIONS, store_receipt, submit_centre_grades
from ocradmin.models import AuditEvent, Notification, SentNotice

from ..factories import CentreFactory, MembershipFactory
from .conftest import entered_candidates, make_tag_qualification, set_grade, staff_export

CLOSES_AT = datetime(2021, 6, 18, 23, 0, tzinfo=UTC)
ALL_CONFIRMED = dict.fromkeys(CONFIRMATIONS, True)


def approved_qualification(series, centre, qualification, candidates, grade="M"):
    for candidate in candidates:
        set_grade(series, qualification, candidate, grade)
    QualificationGrades.objects.update_or_create(
        series=series, centre=centre, qualification=qualification, defaults={"status": "approved"}
    )


def submit(series, centre, by, **overrides):
    fields = {"head_name": "Hannah Head", "head_job_title": "Headteacher"}
    fields.update(overrides)
    confirmations = fields.pop("confirmations", ALL_CONFIRMED)
    return submit_centre_grades(
        series=series, centre=centre, confirmations=confirmations, by=by, **fields
    )


@pytest.fixture
def ready(series, centre, qualification, candidates):
    approved_qualification(series, centre, qualification, candidates)
    return candidates


def test_the_head_submits_and_everything_becomes_read_only(
    series, centre, qualification, ready, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submission = submit(series, centre, people["head_of_centre"])

    submission.refresh_from_db()
    assert submission.receipt.name.endswith(".pdf")
    assert submission.receipt.open("rb").read(5) == b"%PDF-"
    assert AuditEvent.objects.get(action="grades.submitted").data == {
        "series": "summer-2021",
        "grades": 3,
    }
    told = set(
        Notification.objects.filter(subject__contains="submitted").values_list(
            "user__email", flat=True
        )
    )
    assert told == {"head@northfield.example", "officer@northfield.example"}
    assert any("submitted" in m.subject for m in mail.outbox)
    with pytest.raises(GradeError, match="submitted"):
        save_grade(
            series=series,
            centre=centre,
            qualification=qualification,
            candidate=ready[0],
            grade="D",
            expected_version=1,
            by=people["centre_admin"],
        )
    with pytest.raises(GradeError, match="were submitted on"):
        submit(series, centre, people["head_of_centre"])
    assert CentreSubmission.objects.count() == 1


def test_every_qualification_must_be_approved(series, centre, qualification, ready, people):
    second = make_tag_qualification("H446", scale=("A*", "A", "B", "C", "D", "E", "U"))
    entered_candidates(centre, second, 2)
    with pytest.raises(GradeError, match="Not yet: H446"):
        submit(series, centre, people["head_of_centre"])
    assert not CentreSubmission.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"head_name": ""},
        {"head_job_title": "  "},
        {"confirmations": {**ALL_CONFIRMED, "confirm_evidence_kept": False}},
        {"confirmations": {}},
    ],
)
def test_an_incomplete_declaration_is_refused(series, centre, ready, people, overrides):
    with pytest.raises(GradeError):
        submit(series, centre, people["head_of_centre"], **overrides)
    assert not CentreSubmission.objects.exists()


@pytest.mark.parametrize("person", ["centre_admin", "teacher", "aam_user"])
def test_only_the_head_submits(series, centre, ready, people, person):
    with pytest.raises(PermissionDenied):
        submit(series, centre, people[person])


def test_submission_closes_to_the_second(series, centre, ready, people, in_submission_window):
    in_submission_window.move_to(CLOSES_AT)
    with pytest.raises(WindowClosed, match="closed on"):
        submit(series, centre, people["head_of_centre"])
    in_submission_window.move_to(CLOSES_AT - timedelta(seconds=1))
    submit(series, centre, people["head_of_centre"])


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_declaration_page_submits_and_the_receipt_opens(
    client, series, centre, ready, people, django_capture_on_commit_callbacks
):
    client.force_login(people["head_of_centre"])
    url = reverse("grades:declaration", args=[centre.number])
    incomplete = client.post(url, {"head_name": "Hannah Head", "head_job_title": "Head"})
    assert incomplete.status_code == 200
    assert not CentreSubmission.objects.exists()

    form = {"head_name": "Hannah Head", "head_job_title": "Headteacher"}
    form.update(dict.fromkeys(CONFIRMATIONS, "on"))
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, form).status_code == 302
    response = client.get(reverse("grades:receipt", args=[centre.number]))
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="summer-2021-12345-receipt.pdf"' in response["Content-Disposition"]
    text = pdf_text(b"".join(response.streaming_content))
    assert "Receipt: Summer 2021 teacher-assessed grades" in text
    assert f"Centre 12345 {centre.name}" in text
    assert "by Hannah Head, Headteacher" in text
    assert "05838" in text and "3 grades in 1 qualification" in text
    for candidate in ready:
        assert f"{candidate.last_name}, {candidate.first_name}" in text
    assert "Page 1 of 1" in text


def test_the_receipt_embeds_its_fonts(series, centre, ready, people):
    submission = store_receipt(submission_id=submit(series, centre, people["head_of_centre"]).pk)
    reader = PdfReader(submission.receipt.open("rb"))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    names = set()
    for ref in fonts.values():
        font = ref.get_object()
        descendant = (
            font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
        )
        descriptor = descendant["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor or "/FontFile3" in descriptor  # embedded
        names.add(str(font["/BaseFont"]).split("+")[-1])
    assert {"Document-Sans", "Document-Sans-Bold"} <= names  # the @font-face of pdf/print.css
    assert reader.pages[0].mediabox.width == pytest.approx(595.3, abs=0.5)  # A4


def test_opening_the_receipt_never_renders_it(
    client, series, centre, ready, people, django_capture_on_commit_callbacks
):
    submission = submit(series, centre, people["head_of_centre"])  # no on-commit: not yet stored
    client.force_login(people["head_of_centre"])
    url = reverse("grades:receipt", args=[centre.number])
    with mock.patch("ocradmin.documents.render_pdf", side_effect=AssertionError("rendered")):
        waiting = client.get(url)
    assert waiting.status_code == 202
    assert waiting["Refresh"] == "5"
    assert "is being prepared" in waiting.content.decode()
    submission.refresh_from_db()
    assert not submission.receipt

    store_receipt(submission_id=submission.pk)  # the task
    with mock.patch("ocradmin.documents.render_pdf", side_effect=AssertionError("rendered")):
        ready_response = client.get(url)
    assert ready_response.status_code == 200
    assert b"".join(ready_response.streaming_content).startswith(b"%PDF-")


def test_the_receipt_is_rendered_once_and_kept(series, centre, ready, people):
    submission = submit(series, centre, people["head_of_centre"])  # no on-commit: not yet stored
    first = store_receipt(submission_id=submission.pk).receipt.name
    with mock.patch("ocradmin.documents.render_pdf", side_effect=AssertionError("rendered")):
        assert store_receipt(submission_id=submission.pk).receipt.name == first


def test_a_document_loads_nothing_but_its_fonts(settings):
    from ocradmin.documents import font_fetcher

    fetch = font_fetcher().fetch
    for url in ["https://fonts.example.org/x.woff2", "file:///etc/passwd", "data:,x"]:
        with pytest.raises(ValueError, match="only the embedded fonts"):
            fetch(url)
    assert fetch(f"file://{settings.PDF_FONT_DIR}/DejaVuSans.ttf").read(4)


@pytest.mark.parametrize(
    ("person", "status"),
    [
        ("centre_admin", 202),  # 202: being prepared (the task has not run)
        ("head_of_centre", 202),
        ("staff", 202),
        ("teacher", 403),
        ("aam_user", 403),
        ("other_centre_admin", 404),
    ],
)
def test_who_may_open_the_receipt(client, series, centre, ready, people, person, status):
    submit(series, centre, people["head_of_centre"])
    client.force_login(people[person])
    assert client.get(reverse("grades:receipt", args=[centre.number])).status_code == status


def test_no_receipt_before_submission(client, series, centre, people):
    client.force_login(people["head_of_centre"])
    assert client.get(reverse("grades:receipt", args=[centre.number])).status_code == 404


# --- Reminders before the close -------------------------------------------------------------


@pytest.mark.parametrize(
    ("before_close", "days"),
    [
        (timedelta(days=7, seconds=1), None),
        (timedelta(days=7), 7),
        (timedelta(days=3), 3),
        (timedelta(days=1), 1),
        (timedelta(seconds=1), 1),
    ],
)
def test_reminders_go_7_3_and_1_days_before(
    series, centre, candidates, people, in_submission_window, before_close, days
):
    in_submission_window.move_to(CLOSES_AT - before_close)
    sent = send_closing_reminders()
    assert sent == (1 if days else 0)
    assert list(SentNotice.objects.values_list("key", "target_id")) == (
        [(f"grades.closing.summer-2021:{days}d", centre.pk)] if days else []
    )
    if days:
        notice = Notification.objects.get(user=people["head_of_centre"])
        assert f"close in {days} day" in notice.subject


def test_each_reminder_goes_once_and_never_to_a_submitted_centre(
    series, centre, qualification, candidates, people, in_submission_window
):
    submitted = CentreFactory(number="34567")
    others = entered_candidates(submitted, qualification, 1)
    approved_qualification(series, submitted, qualification, others)
    CentreSubmission.objects.create(
        series=series, centre=submitted, head_name="H", head_job_title="Head", **ALL_CONFIRMED
    )
    in_submission_window.move_to(CLOSES_AT - timedelta(days=3))
    assert send_closing_reminders() == 1
    assert send_closing_reminders() == 0
    in_submission_window.move_to(CLOSES_AT - timedelta(hours=20))
    assert send_closing_reminders() == 1
    assert Notification.objects.filter(user=people["head_of_centre"]).count() == 2
    assert not SentNotice.objects.filter(target_id=submitted.pk).exists()
    in_submission_window.move_to(CLOSES_AT)
    assert send_closing_reminders() == 0


def test_reminders_go_to_active_heads_only_with_the_text_of_the_notice(
    series, centre, candidates, people, in_submission_window
):
    away = MembershipFactory(centre=centre, role=Role.HEAD_OF_CENTRE, user__is_active=False)
    in_submission_window.move_to(CLOSES_AT - timedelta(days=1))
    assert send_closing_reminders() == 1
    notice = Notification.objects.get()
    assert notice.user == people["head_of_centre"] != away.user
    assert notice.subject == "Summer 2021 grades close in 1 day"
    assert notice.body == (
        "Centre 12345 has not submitted its grades. Submission closes 19 June 2021 at 00:00; "
        "nothing can be changed after that."
    )
    assert notice.url == reverse("grades:review", args=["12345"])


def test_the_reminder_scan_costs_the_same_queries_for_2_and_20_centres(
    series, qualification, in_submission_window
):
    def queries_for(count, first):
        for n in range(first, first + count):
            centre = CentreFactory(number=f"{n:05d}")
            entered_candidates(centre, qualification, 1)
            MembershipFactory(centre=centre, role=Role.HEAD_OF_CENTRE)
        with CaptureQueriesContext(connection) as captured:
            assert send_closing_reminders() == count
        return len(captured)

    in_submission_window.move_to(CLOSES_AT - timedelta(days=3))
    assert queries_for(2, 40000) == queries_for(20, 50000)


# --- Staff ----------------------------------------------------------------------------------


def test_staff_see_progress_and_export_submitted_grades_safely(
    client, series, centre, other_centre, qualification, people
):
    ours = entered_candidates(centre, qualification, 2, last_name='=HYPERLINK("http://x")')
    approved_qualification(series, centre, qualification, ours, grade="D")
    submit(series, centre, people["head_of_centre"])
    entered_candidates(other_centre, qualification, 1)

    client.force_login(people["staff"])
    board = client.get(reverse("staff-board")).content.decode()
    assert "Summer 2021 grades" in board
    progress = client.get(reverse("grades:staff-progress"))
    rows = progress.context["rows"]
    assert rows[0]["submitted"] == 1 and rows[0]["not_started"] == 1

    lines = list(csv.reader(io.StringIO(staff_export(client))))
    assert lines[0][:3] == ["centre_number", "centre_name", "entry_code"]
    assert len(lines) == 3
    assert all(line[6].startswith("'=") for line in lines[1:])
    assert {line[8] for line in lines[1:]} == {"D"}


@pytest.mark.parametrize("url_name", ["grades:staff-progress", "grades:staff-export"])
def test_staff_pages_are_for_staff(client, people, url_name):
    client.force_login(people["centre_admin"])
    assert client.get(reverse(url_name)).status_code == 403


# The progress board: constant queries whatever the number of centres. Every centre has two
# candidates entered for each qualification and is, in turn by index, at one of these stages.
PROGRESS_STAGES = ("not_started", "grading", "sent", "approved", "submitted")


def centres_in_every_stage(series, qualifications, indexes, *, by=None):
    """Centres 30000 + index, each at ``PROGRESS_STAGES[index % 5]`` for every qualification,
    built with bulk_create so that thousands stay quick. Returns the centres."""
    indexes = list(indexes)
    stage = {30000 + i: PROGRESS_STAGES[i % len(PROGRESS_STAGES)] for i in indexes}
    centres = Centre.objects.bulk_create(
        [Centre(number=f"{30000 + i:05d}", name=f"Progress Centre {i}") for i in indexes]
    )
    candidates = Candidate.objects.bulk_create(
        [
            Candidate(
                centre=centre,
                candidate_number=f"{n:04d}",
                uci=make_uci(centre_number=centre.number, year=2021, candidate_number=str(n)),
                first_name="Amelia",
                last_name=f"Khan{n}",
                date_of_birth=date(2004, 3, 1),
                sex="F",
            )
            for centre in centres
            for n in (1, 2)
        ]
    )
    Entry.objects.bulk_create(
        [
            Entry(
                centre=candidate.centre,
                qualification=qualification,
                kind=Entry.Kind.NAMED,
                candidate=candidate,
                status=Entry.Status.ACCEPTED,
                process_by=datetime(2021, 3, 3, tzinfo=UTC),
            )
            for candidate in candidates
            for qualification in qualifications
        ]
    )

    def graded(candidate):  # a centre being graded has graded one candidate of two
        at = stage[int(candidate.centre.number)]
        return at != "not_started" and (at != "grading" or candidate.candidate_number == "0001")

    Grade.objects.bulk_create(
        [
            Grade(
                series=series,
                centre=candidate.centre,
                qualification=qualification,
                candidate=candidate,
                grade="M",
                version=1,
                updated_by=by,
            )
            for candidate in candidates
            for qualification in qualifications
            if graded(candidate)
        ]
    )
    status = {
        "grading": QualificationGrades.Status.IN_PROGRESS,
        "sent": QualificationGrades.Status.SENT,
        "approved": QualificationGrades.Status.APPROVED,
        "submitted": QualificationGrades.Status.APPROVED,
    }
    QualificationGrades.objects.bulk_create(
        [
            QualificationGrades(
                series=series,
                centre=centre,
                qualification=qualification,
                status=status[stage[int(centre.number)]],
            )
            for centre in centres
            for qualification in qualifications
            if stage[int(centre.number)] in status
        ]
    )
    CentreSubmission.objects.bulk_create(
        [
            CentreSubmission(
                series=series,
                centre=centre,
                head_name="Hannah Head",
                head_job_title="Headteacher",
                submitted_by=by,
                **dict.fromkeys(CONFIRMATIONS, True),
            )
            for centre in centres
            if stage[int(centre.number)] == "submitted"
        ]
    )
    return centres


def test_the_progress_board_costs_the_same_queries_for_1_and_50_centres(client, series, people):
    qualifications = [make_tag_qualification("05838"), make_tag_qualification("05839")]
    client.force_login(people["staff"])

    def board(*, fresh=True):
        if fresh:  # the figures are kept for five minutes; work them out now
            cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("grades:staff-progress"))
        assert response.status_code == 200
        counts = [
            (r["qualification"], r["submitted"], r["with_head"], r["grading"], r["not_started"])
            for r in response.context["rows"]
        ]
        return len(queries), counts

    centres_in_every_stage(series, qualifications, range(1), by=people["centre_admin"])
    board()
    one, counts = board()
    assert counts == [(q, 0, 0, 0, 1) for q in qualifications]

    centres_in_every_stage(series, qualifications, range(1, 50), by=people["centre_admin"])
    cached, counts = board(fresh=False)
    assert counts == [(q, 0, 0, 0, 1) for q in qualifications]  # as at the last count
    assert cached < one
    many, counts = board()
    # Ten centres at each stage; "with the head of centre" is sent or approved.
    assert counts == [(q, 10, 20, 10, 10) for q in qualifications]
    assert many == one


def test_the_progress_figures_say_when_they_were_worked_out(client, series, people):
    client.force_login(people["staff"])
    page = client.get(reverse("grades:staff-progress")).content.decode()
    assert "figures as at" in page and "worked out again every 5 minutes" in page
