"""Benchmarks: saving grades, uploading a grades file, rendering the grading grid and the staff
progress board, each against a bare baseline.

Runs only with ``make benchmarks`` (pytest's addopts ignore tests/benchmarks). It prints
seconds, query counts and the ratio to the baseline; it asserts nothing about time.
"""

import statistics
import time
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import HttpResponse
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse

from grades.models import Grade, GradeSeries
from grades.selectors import keep_progress
from grades.services.grading import save_grades
from grades.uploads import GRADE_COLUMNS, IMPORTER
from ocradmin import imports
from ocradmin.models import AuditEvent
from ocradmin.spreadsheets import write_csv
from ocradmin.urls import urlpatterns as site_urlpatterns

from ..grades.conftest import bulk_entered, make_tag_qualification
from ..grades.test_submission import centres_in_every_stage

IN_WINDOW = datetime(2021, 6, 1, 12, tzinfo=UTC)
SCALE = ["D*", "D", "M", "P", "U"]


def trivial_view(request):
    return HttpResponse("ok")


# The site's URLs plus one trivial view, so both pages pass through the same middleware.
urlpatterns = [path("benchmark/trivial/", trivial_view), *site_urlpatterns]


@pytest.fixture(autouse=True)
def in_window():
    with time_machine.travel(IN_WINDOW, tick=True):
        yield


def timed(func):
    started = time.perf_counter()
    result = func()
    return time.perf_counter() - started, result


def report(title, figures, baseline_name):
    width = max(len(name) for name in figures)
    print(f"\n{title}")
    base = figures[baseline_name]
    for name, seconds in figures.items():
        print(f"  {name:<{width}}  {seconds:8.4f} s   ×{seconds / base:7.1f}")


@pytest.mark.django_db
def test_saving_1000_grades(centre, people):
    series = GradeSeries.objects.get(is_current=True)
    qualification = make_tag_qualification("05838", SCALE)
    baseline_qualification = make_tag_qualification("05839", SCALE)
    candidates = bulk_entered(centre, qualification, 1000)

    def bare():
        return Grade.objects.bulk_create(
            [
                Grade(
                    series=series,
                    centre=centre,
                    qualification=baseline_qualification,
                    candidate=c,
                    grade=SCALE[i % 5],
                    version=1,
                )
                for i, c in enumerate(candidates)
            ]
        )

    def service(offset):
        return save_grades(
            series=series,
            centre=centre,
            qualification=qualification,
            changes=[(c.pk, SCALE[(i + offset) % 5], offset) for i, c in enumerate(candidates)],
            by=people["centre_admin"],
        )

    bare_seconds, _ = timed(bare)
    new_seconds, saved = timed(lambda: service(0))
    changed_seconds, resaved = timed(lambda: service(1))
    assert len(saved) == len(resaved) == 1000
    report(
        "Saving 1,000 grades",
        {
            "Grade.objects.bulk_create (baseline)": bare_seconds,
            "save_grades, 1,000 new grades": new_seconds,
            "save_grades, 1,000 changed grades": changed_seconds,
        },
        "Grade.objects.bulk_create (baseline)",
    )


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_rendering_the_grid_for_300_candidates(client, centre, people):
    series = GradeSeries.objects.get(is_current=True)
    qualification = make_tag_qualification("05838", SCALE)
    candidates = bulk_entered(centre, qualification, 300)
    Grade.objects.bulk_create(
        [
            Grade(
                series=series,
                centre=centre,
                qualification=qualification,
                candidate=c,
                grade=SCALE[i % 5],
                version=1,
            )
            for i, c in enumerate(candidates[::2])
        ]
    )
    client.force_login(people["centre_admin"])
    grid = reverse("grades:qualification", args=[centre.number, qualification.entry_code])

    def median_of(address, runs=7):
        assert client.get(address).status_code == 200  # warm up
        times = []
        for _ in range(runs):
            seconds, response = timed(lambda: client.get(address))
            assert response.status_code == 200
            times.append(seconds)
        return statistics.median(times), response

    trivial_seconds, _ = median_of("/benchmark/trivial/")
    grid_seconds, response = median_of(grid)
    assert response.content.decode().count("<select") == 300
    report(
        "Rendering a page (median of 7)",
        {
            "trivial Django view (baseline)": trivial_seconds,
            "grading grid, 300 candidates": grid_seconds,
        },
        "trivial Django view (baseline)",
    )


# --- Uploading a grades file ----------------------------------------------------------------

# A candidate number is four digits and 0000 is not one, so a centre has at most 9,999
# candidates and the largest grades file that can be saved has 9,999 rows (a file may have up
# to MAX_ROWS = 10,000; a 10,000th row can only repeat a candidate or name an unknown one).
UPLOAD_ROWS = 9_999


def grades_file(candidates, offset) -> SimpleUploadedFile:
    """The template filled in, as a centre would upload it back."""
    rows = [
        [c.candidate_number, c.uci, c.last_name, c.first_name, SCALE[(i + offset) % 5]]
        for i, c in enumerate(candidates)
    ]
    return SimpleUploadedFile("grades.csv", write_csv(GRADE_COLUMNS, rows), "text/csv")


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_uploading_a_full_grades_file(client, centre, people):
    runs = 3
    series = GradeSeries.objects.get(is_current=True)
    qualification = make_tag_qualification("05838", SCALE)
    baselines = [make_tag_qualification(f"0584{n}", SCALE) for n in range(runs)]
    candidates = bulk_entered(centre, qualification, UPLOAD_ROWS)
    admin = people["centre_admin"]
    grades = Grade.objects.filter(series=series, qualification=qualification)
    events = AuditEvent.objects.filter(action="grade.changed")

    def bare(baseline_qualification):
        return Grade.objects.bulk_create(
            [
                Grade(
                    series=series,
                    centre=centre,
                    qualification=baseline_qualification,
                    candidate=c,
                    grade=SCALE[i % 5],
                    version=1,
                    updated_by=admin,
                )
                for i, c in enumerate(candidates)
            ]
        )

    def through_the_services(offset):
        """What the upload's tasks do: store and check the file (the preview), then save its
        changes on confirmation. Returns (preview, total) seconds, and the total in this
        process's CPU seconds (SQLite runs in the process: a busy machine moves it less)."""
        started, cpu = time.perf_counter(), time.process_time()
        upload = imports.start_import(
            IMPORTER,
            centre=centre,
            file=grades_file(candidates, offset),
            by=admin,
            series=series,
            qualification=qualification,
        )
        assert imports.check_import(IMPORTER, upload.pk) == "ready"
        previewed = time.perf_counter() - started
        upload.refresh_from_db()
        assert len(upload.preview) == UPLOAD_ROWS
        imports.confirm_import(upload, by=admin)
        assert imports.run_import(IMPORTER, upload.pk, admin.pk) == "done"
        return previewed, time.perf_counter() - started, time.process_time() - cpu

    def through_the_view(offset):
        """The requests: upload (the check runs), the status page (the first page of the
        changes), then confirm (the save runs)."""
        address = reverse("grades:upload", args=[centre.number, qualification.entry_code])
        started = time.perf_counter()
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = client.post(address, {"file": grades_file(candidates, offset)})
        assert response.status_code == 302
        page = client.get(response["Location"])
        previewed = time.perf_counter() - started
        upload = page.context["upload"]
        assert upload.status == "ready" and page.context["can_confirm"]
        confirm = reverse(
            "grades:upload-confirm", args=[centre.number, qualification.entry_code, upload.pk]
        )
        with TestCase.captureOnCommitCallbacks(execute=True):
            assert client.post(confirm).status_code == 302
        return previewed, time.perf_counter() - started

    def medians(results):
        return tuple(statistics.median(r[i] for r in results) for i in range(len(results[0])))

    def bare_timed(q):
        cpu = time.process_time()
        seconds, _ = timed(lambda: bare(q))
        return seconds, time.process_time() - cpu

    baseline, baseline_cpu = medians([bare_timed(q) for q in baselines])
    new = []
    for _ in range(runs):
        events.delete()
        grades.delete()
        new.append(through_the_services(0))
    changed = [through_the_services(offset) for offset in range(1, runs + 1)]
    client.force_login(admin)
    view = [through_the_view(offset) for offset in range(runs + 1, 2 * runs + 1)]
    assert grades.filter(version=1 + 2 * runs).count() == UPLOAD_ROWS
    assert events.count() == (1 + 2 * runs) * UPLOAD_ROWS  # every change audited

    (new_preview, new_total, new_cpu) = medians(new)
    (changed_preview, changed_total, changed_cpu) = medians(changed)
    view_preview, view_total = medians(view)
    rows = f"{UPLOAD_ROWS:,}"
    name = f"Grade.objects.bulk_create, {rows} rows (baseline)"
    report(
        f"Uploading a grades file of {rows} rows, one centre, {rows} candidates entered "
        f"(median of {runs})",
        {
            name: baseline,
            "services, new grades: check + save": new_total,
            "  of which the check (store, read, match, validate)": new_preview,
            "services, changed grades: check + save": changed_total,
            "  of which the check": changed_preview,
            "view, changed grades: upload + status page + confirm": view_total,
            "  of which the upload and the status page": view_preview,
        },
        name,
    )
    report(
        "The same in this process's CPU seconds (steadier on a busy machine)",
        {
            name: baseline_cpu,
            "services, new grades: check + save": new_cpu,
            "services, changed grades: check + save": changed_cpu,
        },
        name,
    )


# --- The staff progress board ---------------------------------------------------------------


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_rendering_the_progress_board_for_5000_centres(client, people):
    series = GradeSeries.objects.get(is_current=True)
    qualifications = [make_tag_qualification(code, SCALE) for code in ("05838", "05839")]
    client.force_login(people["staff"])
    board = reverse("grades:staff-progress")

    def measured(address, runs=7):
        assert client.get(address).status_code == 200  # warm up
        times = []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as queries:
                seconds, response = timed(lambda: client.get(address))
            assert response.status_code == 200
            times.append(seconds)
        return statistics.median(times), len(queries), response

    centres_in_every_stage(series, qualifications, range(1), by=people["centre_admin"])
    one_seconds, one_queries, _ = measured(board)
    seconds, built = timed(
        lambda: centres_in_every_stage(
            series, qualifications, range(1, 5000), by=people["centre_admin"]
        )
    )
    print(f"\nBuilt {len(built) + 1:,} centres, 2 qualifications each, in {seconds:.1f} s")
    keep_seconds = statistics.median(timed(lambda: keep_progress(series))[0] for _ in range(3))
    trivial_seconds, trivial_queries, _ = measured("/benchmark/trivial/")
    board_seconds, board_queries, response = measured(board)
    assert [
        (r["submitted"], r["with_head"], r["grading"], r["not_started"])
        for r in response.context["rows"]
    ] == [(1000, 2000, 1000, 1000)] * 2
    print(
        f"Queries: trivial view {trivial_queries}, progress board with 1 centre {one_queries}, "
        f"with 5,000 centres {board_queries}"
    )
    report(
        "Rendering the staff progress board (median of 7)",
        {
            "trivial Django view (baseline)": trivial_seconds,
            "progress board, 1 centre": one_seconds,
            "progress board, 5,000 centres × 2 qualifications": board_seconds,
            "beat's working out of the progress it reads, 5,000 centres": keep_seconds,
        },
        "trivial Django view (baseline)",
    )
