"""Benchmarks: the review page with 5 and 500 lines, confirming 500 lines at once against a bare
bulk insert (and a bare bulk update) of the same rows, the feedback report's PDF against a bare
WeasyPrint render of the same HTML, and the ZIP of a claim's work with the memory it takes.

Runs only with ``make benchmarks``. Prints seconds, query counts and ratios to baselines
measured in the same run; asserts nothing about time.
"""

import statistics
import tempfile
import time
import tracemalloc

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from claims.models import ClaimLine, Evidence
from moderation.models import LineDecision, Review
from moderation.selectors import report_context
from moderation.services.report import TEMPLATE, store_report
from moderation.services.review import UnitComments, complete_review, confirm_remaining
from ocradmin import documents

from ..moderation.conftest import big_claim

MB = 1024 * 1024


def median_of(runs, func):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def test_review_page_with_5_and_500_lines(client, people, centre):
    moderator = people["moderator"]
    client.force_login(moderator)
    print("\nreview page: queries, and seconds rendering the view (median of 5), 5 and 500 lines")
    for n, code in ((5, "05951"), (500, "05952")):
        claim = big_claim(centre, moderator, n, entry_code=code)
        for suffix in ("", "?by=unit"):
            url = reverse("moderation:claim", args=[claim.pk]) + suffix
            client.get(url)
            connection.queries_log.clear()  # a full log (9,000) would make the count 0
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            # Timed through the view itself: the test client copies the context of every
            # template rendered (500 included rows), which a real request does not.
            seconds = median_of(5, lambda url=url, claim=claim: _render(url, moderator, claim))
            label = "by unit" if suffix else "by candidate"
            print(f"  {label:<13} {n:>4} lines: {len(queries):3d} queries  {seconds:7.4f} s")


def _render(url, user, claim):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.test import RequestFactory

    from moderation.views.review import ReviewView

    request = RequestFactory().get(url)
    request.user, request.session = user, {}
    request._messages = FallbackStorage(request)
    response = ReviewView.as_view()(request, pk=claim.pk)
    response.render()
    return response


def test_confirming_500_lines_against_a_bare_bulk_insert(people, centre):
    moderator = people["moderator"]
    print("\nconfirm 500 remaining lines: the service against bare bulk operations (median of 5)")
    service, insert, update = [], [], []
    for run in range(5):
        claim = big_claim(centre, moderator, 500, entry_code=f"0596{run}")
        lines = list(ClaimLine.objects.filter(claim=claim).values_list("pk", "grade"))
        review = Review.objects.create(claim=claim, moderator=moderator)

        def bare_insert(lines=lines, review=review):
            with transaction.atomic():
                LineDecision.objects.bulk_create(
                    [
                        LineDecision(line_id=pk, review=review, outcome="confirmed", grade=grade)
                        for pk, grade in lines
                    ],
                    batch_size=1000,
                )

        started = time.perf_counter()
        bare_insert()
        insert.append(time.perf_counter() - started)
        started = time.perf_counter()
        with transaction.atomic():
            LineDecision.objects.filter(review=review).update(
                outcome="confirmed", decided_at=timezone.now()
            )
        update.append(time.perf_counter() - started)
        LineDecision.objects.filter(review=review).delete()
        review.delete()
        started = time.perf_counter()
        count = confirm_remaining(claim=claim, by=moderator)
        service.append(time.perf_counter() - started)
        assert count == 500
    s, i, u = (statistics.median(x) for x in (service, insert, update))
    print(f"  confirm_remaining (500 lines): {s:7.4f} s")
    print(f"  bare bulk_create of 500 rows:  {i:7.4f} s  → service {s / i:4.2f}×")
    print(f"  bare .update() of 500 rows:    {u:7.4f} s  → service {s / u:4.2f}×")


def test_report_pdf_against_a_bare_weasyprint_render(people, centre):
    from weasyprint import HTML

    moderator = people["moderator"]
    claim = big_claim(centre, moderator, 100, entry_code="05970")
    lines = list(ClaimLine.objects.filter(claim=claim).select_related("unit")[:12])
    confirm_remaining(claim=claim, by=moderator)
    # Twelve adjusted lines, so the report has a table.
    LineDecision.objects.filter(line__in=lines).update(
        outcome="adjusted", grade="P", reason="Merit criteria not evidenced in the portfolio."
    )
    units = {line.unit_id for line in ClaimLine.objects.filter(claim=claim)}
    report = complete_review(
        claim=claim,
        overall_comments="A well-organised claim. " * 20,
        units=[
            UnitComments(u, "Clear annotation. " * 10, "Merit. " * 10, True, "Act. " * 5)
            for u in units
        ],
        version=Review.objects.get(claim=claim).version,
        by=moderator,
    )
    html = render_to_string(TEMPLATE, report_context(report))

    def ours():
        report.pdf = ""
        report.save(update_fields=["pdf"])
        store_report(report_id=report.pk)

    ours()  # warm (fonts, templates)
    bare = median_of(3, lambda: HTML(string=html).write_pdf())
    rendered = median_of(3, lambda: documents.render_pdf(TEMPLATE, report_context(report)))
    stored = median_of(3, ours)
    print("\nfeedback report PDF (100 lines, 12 adjusted, 5 units): median of 3")
    print(f"  bare WeasyPrint of the same HTML:       {bare:7.4f} s")
    print(
        f"  documents.render_pdf (fonts, print CSS): {rendered:7.4f} s  → {rendered / bare:4.2f}×"
    )
    print(f"  store_report (query, render, store):     {stored:7.4f} s  → {stored / bare:4.2f}×")


def test_download_all_as_a_zip_keeps_memory_flat(client, people, centre):
    moderator = people["moderator"]
    claim = big_claim(centre, moderator, 5, entry_code="05980")
    lines = list(ClaimLine.objects.filter(claim=claim))
    client.force_login(moderator)
    url = reverse("moderation:files-zip", args=[claim.pk])
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
        print("\ndownload all (ZIP, streamed): seconds and peak Python memory")
        for size in (4 * MB, 40 * MB):
            Evidence.objects.filter(claim=claim).delete()
            block = b"%PDF-1.7\n" + b"0" * (size - 9)
            for line in lines:
                evidence = Evidence(
                    claim=claim,
                    candidate=line.candidate,
                    unit=line.unit,
                    original_name="work.pdf",
                    kind="pdf",
                    content_type="application/pdf",
                    size=size,
                )
                evidence.file.save("evidence", ContentFile(block), save=False)
                evidence.save()
            del block
            tracemalloc.start()
            started = time.perf_counter()
            response = client.get(url)
            total = sum(len(chunk) for chunk in response.streaming_content)
            seconds = time.perf_counter() - started
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            print(
                f"  5 files × {size // MB:3d} MB = {total / MB:6.1f} MB zip: {seconds:6.3f} s, "
                f"peak {peak / MB:5.2f} MB"
            )
