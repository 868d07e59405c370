"""Benchmark: the named entry form's candidate search (``entries:candidate-search``) and the
form page itself at a centre with 9,999 candidates, against a trivial view through the same
middleware.

Runs only with ``make benchmarks``. It prints seconds (median of 7), query counts and the ratio
to the baseline; it asserts nothing about time.
"""

import statistics
import time
from datetime import date

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from entries.models import Candidate

from ..entries.factories import ApprovalFactory, QualificationFactory, UnitFactory

FIRST = ["Ada", "Grace", "Alan", "Mary", "Tim", "Sophie", "Oliver", "Amelia", "Noah", "Isla"]
LAST = ["Smith", "Jones", "Taylor", "Brown", "Hopper", "Lovelace", "Turing", "Patel", "Khan"]


def median_seconds(get, times=7):
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        response = get()
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200
    return statistics.median(samples)


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="tests.benchmarks.urls")
def test_searching_9999_candidates(client, centre, people):
    qualification = QualificationFactory(entry_code="X9001")
    for number in range(1, 21):
        UnitFactory(qualification=qualification, number=str(number), title=f"Unit {number}")
    ApprovalFactory(centre=centre, qualification=qualification)
    Candidate.objects.bulk_create(
        Candidate(
            centre=centre,
            candidate_number=f"{n:04d}",
            uci=f"12345026{n:04d}X",
            first_name=FIRST[n % len(FIRST)],
            last_name=f"{LAST[n % len(LAST)]}{'' if n % 7 else 'son'}",
            date_of_birth=date(2007, 1, 1),
            sex="F",
        )
        for n in range(1, 10000)
    )
    client.force_login(people["centre_admin"])
    search = reverse("entries:candidate-search", args=[centre.number])
    form = reverse("entries:new-named", args=[centre.number])
    pages = {
        "trivial view (baseline)": lambda: client.get("/benchmark/trivial/"),
        "search 'smith' (1,111 match, 20 shown)": lambda: client.get(search, {"q": "smith"}),
        "search 'grace hop' (111 match)": lambda: client.get(search, {"q": "grace hop"}),
        "search '0042' (one)": lambda: client.get(search, {"q": "0042"}),
        "named entry form page": lambda: client.get(form),
    }
    figures, queries = {}, {}
    for name, get in pages.items():
        get()
        with CaptureQueriesContext(connection) as captured:
            get()
        queries[name] = len(captured.captured_queries)
        figures[name] = median_seconds(get)
    base = figures["trivial view (baseline)"]
    print("\nThe named entry form at a centre with 9,999 candidates")
    width = max(len(name) for name in figures)
    for name, seconds in figures.items():
        print(
            f"  {name:<{width}}  {seconds:8.4f} s  ×{seconds / base:6.1f}  {queries[name]} queries"
        )
    form_html = client.get(form).content.decode()
    print(f"  the form page is {len(form_html):,} bytes (no candidate listed until searched)")
