"""Benchmarks: the claims list and a claim's page with 1 and 500 lines, and a large evidence
file uploaded and downloaded with the memory it takes.

Runs only with ``make benchmarks`` (pytest's addopts ignore tests/benchmarks). It prints
seconds, query counts, peak Python memory and the ratio to a baseline measured in the same run;
it asserts nothing about time.
"""

import shutil
import tempfile
import time
import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import Claim, ClaimLine
from claims.services.claims import (
    LineRow,
    add_line,
    add_lines,
    check_line_rows,
    start_claim,
    submit_claim,
)
from claims.services.work import add_evidence
from claims.uploads import IMPORTER, LINE_COLUMNS
from claims.views.work import stream
from ocradmin import imports
from ocradmin.spreadsheets import write_csv

from ..claims.conftest import claimable, make_entry
from ..claims.test_pages import _claims_with_lines
from ..entries.factories import CandidateFactory

MB = 1024 * 1024


@pytest.fixture
def setup(centre, people):
    return claimable(centre, people)


def timed(func):
    started = time.perf_counter()
    result = func()
    return time.perf_counter() - started, result


def best_of(func, reset, runs=3) -> float:
    """The fastest of ``runs`` timed calls of ``func``, with ``reset()`` before each."""
    times = []
    for _ in range(runs):
        reset()
        times.append(timed(func)[0])
    return min(times)


def measured(func):
    """Seconds and peak traced Python memory (bytes) of ``func()``."""
    tracemalloc.start()
    started = time.perf_counter()
    result = func()
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return seconds, peak, result


def test_claims_pages_with_1_and_500_lines(client, people, centre, setup):
    client.force_login(people["centre_admin"])
    units = list(setup["units"].values())
    print("\nclaims pages: queries and seconds with 1 and 500 lines per claim (5 claims)")
    for lines in (1, 500):
        Claim.objects.all().delete()
        _claims_with_lines(centre, setup["qualification"], units, lines, people["teacher"])
        claim = Claim.objects.exclude(status="draft").order_by("pk").first()
        for name, url in (
            ("list", reverse("claims:list", args=[centre.number])),
            ("claim", reverse("claims:claim", args=[centre.number, claim.pk])),
            ("claim by unit", reverse("claims:claim", args=[centre.number, claim.pk]) + "?by=unit"),
        ):
            client.get(url)  # warm
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                client.get(url)
                seconds = time.perf_counter() - started
            print(f"  {name:<14} {lines:>4} lines: {len(queries):3d} queries  {seconds:7.4f} s")


def _big_pdf(size: int) -> TemporaryUploadedFile:
    upload = TemporaryUploadedFile("work.pdf", "application/pdf", size, None)
    upload.write(b"%PDF-1.7\n")
    block = b"0" * MB
    remaining = size - 9
    while remaining > 0:
        upload.write(block[: min(MB, remaining)])
        remaining -= MB
    upload.flush()
    upload.seek(0)
    return upload


def test_large_evidence_upload_and_download_memory(centre, people, setup):
    claim = start_claim(centre=centre, qualification=setup["qualification"], by=people["teacher"])
    add_line(
        claim=claim,
        candidate=setup["full"],
        unit=setup["units"]["1"],
        grade="D",
        by=people["teacher"],
    )
    claim = submit_claim(claim=claim, declaration=True, by=people["teacher"])
    with (
        tempfile.TemporaryDirectory() as media,
        override_settings(
            STORAGES={
                "default": {
                    "BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": media},
                },
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            }
        ),
    ):
        print("\nevidence: seconds and peak Python memory, against a bare file copy")
        for size in (20 * MB, 200 * MB):
            _measure_one(claim, setup, people["teacher"], size)


def _copy(path, target):
    with open(path, "rb") as source:
        shutil.copyfileobj(source, target)


def _download(evidence, user) -> int:
    total = 0
    response = stream(evidence, user)
    for chunk in response.streaming_content:
        total += len(chunk)
    response.close()
    return total


def _measure_one(claim, setup, user, size):
    source = _big_pdf(size)
    with tempfile.NamedTemporaryFile() as target:
        copy_s, copy_peak, _ = measured(lambda: _copy(source.temporary_file_path(), target))
    source.seek(0)
    up_s, up_peak, evidence = measured(
        lambda: add_evidence(
            claim=claim, candidate=setup["full"], unit=setup["units"]["1"], file=source, by=user
        )
    )
    down_s, down_peak, total = measured(lambda: _download(evidence, user))
    assert total == size
    print(
        f"  {size // MB:>4} MB  copy {copy_s:6.3f} s {copy_peak / MB:6.2f} MB"
        f" | upload {up_s:6.3f} s ×{up_s / copy_s:5.1f} {up_peak / MB:6.2f} MB"
        f" | download {down_s:6.3f} s ×{down_s / copy_s:5.1f} {down_peak / MB:6.2f} MB"
    )
    evidence.file.delete(save=False)
    evidence.delete()
    source.close()
    Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.SUBMITTED)  # for the next size


def test_500_lines_from_a_spreadsheet_against_a_bare_bulk_create(centre, people, setup):
    """The check and the write of 500 rows (what the pipeline's two tasks do), against a bare
    ``bulk_create`` of the same 500 lines."""
    qualification, unit = setup["qualification"], setup["units"]["1"]
    candidates = [CandidateFactory(centre=centre) for _ in range(500)]
    entries = [make_entry(centre, qualification, c) for c in candidates]
    claim = start_claim(centre=centre, qualification=qualification, by=people["teacher"])
    rows = [
        LineRow(row=n + 2, candidate_number=c.candidate_number, unit_number="1", grade="P")
        for n, c in enumerate(candidates)
    ]

    def bare():
        ClaimLine.objects.bulk_create(
            ClaimLine(claim=claim, candidate=c, unit=unit, entry=e, grade="P")
            for c, e in zip(candidates, entries, strict=True)
        )

    def check():
        errors, planned, _ = check_line_rows(claim, rows)
        assert not errors and len(planned) == 500

    def clear():
        ClaimLine.objects.filter(claim=claim).delete()

    # Best of three for each (lines cleared between runs): one cold first call (query
    # compilation, caches) would otherwise decide the ratio.
    base = best_of(bare, clear)
    checking = best_of(check, clear)
    queries = None

    def write():
        nonlocal queries
        with CaptureQueriesContext(connection) as captured:
            assert add_lines(claim=claim, rows=rows, by=people["teacher"]) == 500
        queries = len(captured)

    writing = best_of(write, clear)
    print("\n500 lines from a spreadsheet against a bare bulk_create of the same lines (best of 3)")
    print(f"  bulk_create            {base:7.4f} s")
    print(f"  check (the check task) {checking:7.4f} s   ×{checking / base:5.1f}")
    print(f"  write (checks again)   {writing:7.4f} s   ×{writing / base:5.1f}   {queries} queries")
    total = checking + writing
    print(f"  both                   {total:7.4f} s   ×{total / base:5.1f}")

    # The same lines from a CSV through the shared upload pipeline: store and check the file
    # (the preview), confirm, write.
    ClaimLine.objects.filter(claim=claim).delete()
    content = write_csv(
        LINE_COLUMNS,
        [[c.candidate_number, c.last_name, c.first_name, "1", "M"] for c in candidates],
    )

    def pipeline():
        upload = imports.start_import(
            IMPORTER,
            centre=centre,
            file=SimpleUploadedFile("lines.csv", content, "text/csv"),
            by=people["teacher"],
            claim=claim,
        )
        assert imports.check_import(IMPORTER, upload.pk) == "ready"
        upload.refresh_from_db()
        imports.confirm_import(upload, by=people["teacher"])
        assert imports.run_import(IMPORTER, upload.pk, people["teacher"].pk) == "done"

    with CaptureQueriesContext(connection) as queries:
        piped, _ = timed(pipeline)
    assert ClaimLine.objects.filter(claim=claim, grade="M").count() == 500
    print(
        f"  CSV through the upload pipeline (store, check, confirm, write) {piped:7.4f} s   "
        f"×{piped / base:5.1f}   {len(queries)} queries"
    )
