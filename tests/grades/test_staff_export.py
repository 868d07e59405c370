"""The staff's file of every submitted grade: asked for on a page, written by a task to
storage, downloaded from there; reused while current; failures kept with their reason."""

import csv
import io
import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from centres.models import Role
from grades.models import GradeExport
from grades.selectors import submitted_grades
from grades.services import exports
from grades.services.exports import EXPORT_COLUMNS, build_export, request_export
from ocradmin.models import AuditEvent
from ocradmin.spreadsheets import formula_safe

from ..factories import MembershipFactory
from .conftest import entered_candidates, staff_export
from .test_submission import approved_qualification, submit

PAGE = reverse("grades:staff-export")


@pytest.fixture
def submitted(series, centre, qualification, people):
    """Northfield's two candidates graded D and submitted; one's name is a formula."""
    ours = entered_candidates(centre, qualification, 2, last_name='=HYPERLINK("http://x")')
    approved_qualification(series, centre, qualification, ours, grade="D")
    submit(series, centre, people["head_of_centre"])
    return ours


@pytest.fixture
def staff(client, people):
    client.force_login(people["staff"])
    return client


def ask(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(PAGE)


def submit_other_centre(series, other_centre, qualification, count=1):
    theirs = entered_candidates(other_centre, qualification, count)
    approved_qualification(series, other_centre, qualification, theirs, grade="P")
    head = MembershipFactory(centre=other_centre, role=Role.HEAD_OF_CENTRE).user
    submit(series, other_centre, head)


def test_the_file_holds_every_submitted_grade_formula_safe(staff, series, submitted, people):
    content = staff_export(staff)

    expected = [EXPORT_COLUMNS] + [
        [formula_safe(value) for value in row] for row in submitted_grades(series)
    ]
    assert list(csv.reader(io.StringIO(content))) == expected
    assert len(expected) == 3
    assert all(row[6].startswith("'=HYPERLINK") for row in expected[1:])
    export = GradeExport.objects.get()
    assert (export.status, export.row_count, export.submissions_read) == ("ready", 2, 1)
    assert export.size == len(content.encode("utf-8-sig"))
    assert export.requested_by == people["staff"]
    requested, downloaded = AuditEvent.objects.filter(action__startswith="grades.export_").order_by(
        "pk"
    )
    assert requested.action == "grades.export_requested"
    assert downloaded.action == "grades.export_downloaded"
    assert downloaded.data == {"series": "summer-2021", "rows": 2}


def test_the_page_says_what_is_happening(staff, series, submitted, people):
    page = staff.get(PAGE).content.decode()
    assert "Prepare the file" in page
    assert "1 centre so far" in page

    export = GradeExport.objects.create(series=series, requested_by=people["staff"])
    page = staff.get(PAGE).content.decode()
    assert "Waiting to start preparing the file" in page
    assert f'hx-get="{PAGE}"' in page and f'<a href="{PAGE}">Refresh</a>' in page
    assert "Prepare" not in page

    GradeExport.objects.filter(pk=export.pk).update(status="building", row_count=50000)
    assert "Preparing the file: 50000 grades written so far" in staff.get(PAGE).content.decode()

    GradeExport.objects.filter(pk=export.pk).update(status="queued")
    build_export(export_id=export.pk)
    page = staff.get(PAGE).content.decode()
    assert "Ready and up to date: 2 grades from 1 centre" in page
    assert reverse("grades:staff-export-download", args=[export.pk]) in page
    assert "hx-get" not in page and "Prepare" not in page


def test_a_current_file_is_reused(
    staff, series, submitted, other_centre, qualification, django_capture_on_commit_callbacks
):
    ask(staff, django_capture_on_commit_callbacks)
    with mock.patch.object(exports, "store_csv", wraps=exports.store_csv) as writes:
        response = ask(staff, django_capture_on_commit_callbacks)
        assert writes.call_count == 0
        assert GradeExport.objects.count() == 1
        assert (
            "no centre has submitted since it was made"
            in staff.get(response["Location"]).content.decode()
        )

        submit_other_centre(series, other_centre, qualification)
        page = staff.get(PAGE).content.decode()
        assert "Out of date: 2 centres have submitted, 1 had when it was made" in page
        ask(staff, django_capture_on_commit_callbacks)
        assert writes.call_count == 1
    latest = GradeExport.objects.first()
    assert (latest.row_count, latest.submissions_read) == (3, 2)


def test_a_file_is_not_reused_after_an_hour(
    staff, series, submitted, people, in_submission_window, django_capture_on_commit_callbacks
):
    ask(staff, django_capture_on_commit_callbacks)
    in_submission_window.shift(exports.EXPORT_MAX_AGE + timedelta(seconds=1))
    staff.force_login(people["staff"])  # the session has ended meanwhile
    assert "made more than 60 minutes ago" in staff.get(PAGE).content.decode()
    ask(staff, django_capture_on_commit_callbacks)
    assert list(GradeExport.objects.values_list("status", flat=True)) == ["ready", "ready"]


def test_asking_while_a_file_is_prepared_makes_no_second(
    series, submitted, people, in_submission_window
):
    first, new = request_export(series=series, by=people["staff"])  # its task never runs here
    assert new
    again, new = request_export(series=series, by=people["staff"])
    assert (again, new) == (first, False)

    # Still waiting half an hour on, its worker has stopped: given up, and a new one asked for.
    in_submission_window.shift(exports.INTERRUPTED_AFTER + timedelta(seconds=1))
    again, new = request_export(series=series, by=people["staff"])
    assert new and again != first
    first.refresh_from_db()
    assert first.status == "failed" and "not prepared within 30 minutes" in first.error


def test_the_page_offers_a_new_file_when_a_request_was_lost(
    staff, series, submitted, people, in_submission_window
):
    request_export(series=series, by=people["staff"])  # its task never runs here
    in_submission_window.shift(exports.INTERRUPTED_AFTER + timedelta(seconds=1))
    staff.force_login(people["staff"])  # the session has ended meanwhile
    page = staff.get(PAGE).content.decode()
    assert "The file was not prepared within 30 minutes" in page
    assert "Prepare an up-to-date file" in page and "hx-get" not in page


def test_a_task_delivered_twice_builds_once(series, submitted, people):
    export, _ = request_export(series=series, by=people["staff"])
    build_export(export_id=export.pk)
    with mock.patch.object(exports, "store_csv") as writes:
        build_export(export_id=export.pk)
    writes.assert_not_called()


def test_a_failure_is_kept_with_its_reason_and_can_be_tried_again(
    staff, series, submitted, django_capture_on_commit_callbacks
):
    with mock.patch.object(exports, "store_csv", side_effect=OSError("disk full")):
        ask(staff, django_capture_on_commit_callbacks)
    failed = GradeExport.objects.get()
    assert failed.status == "failed" and not failed.file
    assert failed.error == (
        "The file could not be prepared because of a problem on our side (OSError). Prepare it "
        "again, and report it if it happens again."
    )
    page = staff.get(PAGE).content.decode()
    assert "problem on our side (OSError)" in page and "Prepare an up-to-date file" in page
    download = staff.get(reverse("grades:staff-export-download", args=[failed.pk]))
    assert download.status_code == 302

    ask(staff, django_capture_on_commit_callbacks)
    assert GradeExport.objects.first().status == "ready"


def test_building_costs_the_same_queries_for_2_and_20_grades(
    series, centre, other_centre, qualification, people
):
    def queries_to_build(rows):
        export, _ = request_export(series=series, by=people["staff"])
        with CaptureQueriesContext(connection) as captured:
            build_export(export_id=export.pk)
        export.refresh_from_db()
        assert export.row_count == rows
        return len(captured)

    ours = entered_candidates(centre, qualification, 2)
    approved_qualification(series, centre, qualification, ours)
    submit(series, centre, people["head_of_centre"])
    two = queries_to_build(2)
    submit_other_centre(series, other_centre, qualification, 18)
    assert queries_to_build(20) == two


def test_old_files_are_deleted_and_lost_requests_given_up(
    series, submitted, people, in_submission_window
):
    made, _ = request_export(series=series, by=people["staff"])
    build_export(export_id=made.pk)
    made.refresh_from_db()
    storage, name = made.file.storage, made.file.name
    assert storage.exists(name)

    in_submission_window.shift(timedelta(minutes=40))
    again, _ = request_export(series=series, by=people["staff"])  # still current
    assert again == made
    assert exports.remove_old_exports() == 0

    in_submission_window.shift(timedelta(minutes=21))
    lost, new = request_export(series=series, by=people["staff"])
    assert new
    assert exports.remove_old_exports() == 1
    made.refresh_from_db()
    assert (made.status, made.file.name) == ("removed", "")
    assert not storage.exists(name)

    in_submission_window.shift(exports.INTERRUPTED_AFTER + timedelta(seconds=1))
    exports.remove_old_exports()
    lost.refresh_from_db()
    assert lost.status == "failed" and "not prepared within 30 minutes" in lost.error
    build_export(export_id=lost.pk)  # its task, delivered late, does nothing
    lost.refresh_from_db()
    assert lost.status == "failed"


@pytest.mark.parametrize("person", ["centre_admin", "head_of_centre", "moderator", "outsider"])
def test_only_staff_ask_for_or_download_the_file(client, series, submitted, people, person):
    export, _ = request_export(series=series, by=people["staff"])
    build_export(export_id=export.pk)
    download = reverse("grades:staff-export-download", args=[export.pk])
    client.force_login(people[person])
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE).status_code == 403
    assert client.get(download).status_code == 403
    assert GradeExport.objects.count() == 1
    assert not AuditEvent.objects.filter(action="grades.export_downloaded").exists()


def test_signed_out_people_are_sent_to_sign_in(client, series, submitted):
    for response in (client.get(PAGE), client.post(PAGE)):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_an_unknown_file_is_404(staff, series):
    assert staff.get(reverse("grades:staff-export-download", args=[999])).status_code == 404


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_staff_asking_at_once_make_one_file(series, submitted, people):
    other = MembershipFactory(role=Role.CENTRE_ADMIN).user
    other.is_staff = True
    other.save()
    barrier = threading.Barrier(2)
    outcomes = []

    def ask_as(user):
        try:
            barrier.wait()
            outcomes.append(request_export(series=series, by=user)[1])
        finally:
            connection.close()

    threads = [threading.Thread(target=ask_as, args=(u,)) for u in (people["staff"], other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [False, True]
    assert GradeExport.objects.get().status == "ready"
