"""Benchmarks: saving grades and rendering the grading grid, each against a bare baseline.

Runs only with ``make benchmarks`` (pytest's addopts ignore tests/benchmarks). It prints
seconds and the ratio to the baseline; it asserts nothing about time.
"""

import statistics
import time
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.http import HttpResponse
from django.test import override_settings
from django.urls import path, reverse

from entries.models import Candidate, Entry
from entries.validators import make_uci
from grades.models import Grade, GradeSeries
from grades.services.grading import save_grades
from ocradmin.urls import urlpatterns as site_urlpatterns

from ..grades.conftest import make_tag_qualification

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


def entered(centre, qualification, count, *, first=1):
    candidates = Candidate.objects.bulk_create(
        [
            Candidate(
                centre=centre,
                candidate_number=f"{n:04d}",
                uci=make_uci(centre_number=centre.number, year=2021, candidate_number=str(n)),
                first_name="Amelia",
                last_name=f"Khan{n:04d}",
                date_of_birth=date(2004, 3, 1),
                sex="F",
            )
            for n in range(first, first + count)
        ]
    )
    Entry.objects.bulk_create(
        [
            Entry(
                centre=centre,
                qualification=qualification,
                kind=Entry.Kind.NAMED,
                candidate=c,
                status=Entry.Status.ACCEPTED,
                process_by=IN_WINDOW,
            )
            for c in candidates
        ]
    )
    return list(Candidate.objects.filter(centre=centre).order_by("candidate_number"))


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
    candidates = entered(centre, qualification, 1000)

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
    candidates = entered(centre, qualification, 300)
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
