"""Benchmark: the task that writes the staff's file of submitted grades, against bare baselines
in the same run — the same query's ``values_list`` written by ``csv.writer`` to a file, and on
PostgreSQL the database writing the CSV itself (``COPY (SELECT …) TO STDOUT``).

``BENCH_EXPORT_ROWS`` grades (default 100,000; 5,000 centres submit about 450,000), 100 per
centre. Runs only with ``make benchmarks``; prints seconds, ratios and the build's peak Python
memory (tracemalloc, a second build); asserts nothing about time.
"""

import csv
import os
import tempfile
import time
import tracemalloc

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings

from centres.models import Centre
from grades.models import CentreSubmission, Grade, GradeExport, GradeSeries
from grades.selectors import submitted_grades
from grades.services.exports import build_export, request_export
from grades.services.submission import CONFIRMATIONS

from ..grades.conftest import bulk_entered, make_tag_qualification

ROWS = int(os.environ.get("BENCH_EXPORT_ROWS", "100000"))
PER_CENTRE = 100
SCALE = ["D*", "D", "M", "P", "U"]


def submitted_centres(series, qualification, rows):
    """``rows`` submitted grades, ``PER_CENTRE`` a centre."""
    centres = Centre.objects.bulk_create(
        [Centre(number=f"{40000 + i:05d}", name=f"Export Centre {i}") for i in range(rows // 100)]
    )
    for centre in centres:
        Grade.objects.bulk_create(
            [
                Grade(
                    series=series,
                    centre=centre,
                    qualification=qualification,
                    candidate=c,
                    grade=SCALE[i % 5],
                    version=1,
                    **{snapshot: getattr(c, field) for snapshot, field in Grade.SNAPSHOT.items()},
                )
                for i, c in enumerate(bulk_entered(centre, qualification, PER_CENTRE))
            ]
        )
    CentreSubmission.objects.bulk_create(
        [
            CentreSubmission(
                series=series,
                centre=centre,
                head_name="Hannah Head",
                head_job_title="Headteacher",
                **dict.fromkeys(CONFIRMATIONS, True),
            )
            for centre in centres
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.vendor == "postgresql" else "ANALYZE main")


def timed(func):
    started = time.perf_counter()
    result = func()
    return time.perf_counter() - started, result


@pytest.mark.django_db
def test_building_the_submitted_grades_file(people, tmp_path):
    # Files on disk, as deployed (the tests keep them in memory, which would count the file).
    storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    with override_settings(STORAGES={**settings.STORAGES, "default": storage}, MEDIA_ROOT=tmp_path):
        measure(people)


def measure(people):
    series = GradeSeries.objects.get(is_current=True)
    submitted_centres(series, make_tag_qualification("05838", SCALE), ROWS)
    query = submitted_grades(series)

    def values_list_to_csv():
        with tempfile.TemporaryFile("w+", newline="") as out:
            writer = csv.writer(out)
            writer.writerows(query.iterator(chunk_size=5000))
            return out.tell()

    def copy_to_csv():
        sql, params = query.query.sql_with_params()
        with tempfile.TemporaryFile() as out, connection.cursor() as cursor:
            statement = cursor.cursor.mogrify(sql, params).decode()
            cursor.cursor.copy_expert(f"COPY ({statement}) TO STDOUT WITH CSV HEADER", out)
            return out.tell()

    def build():
        export, _ = request_export(series=series, by=people["staff"])
        build_export(export_id=export.pk)
        export.refresh_from_db()
        GradeExport.objects.filter(pk=export.pk).update(status="removed")  # not reused
        return export

    figures = {"values_list → csv.writer (baseline)": timed(values_list_to_csv)}
    if connection.vendor == "postgresql":
        figures["COPY (SELECT …) TO STDOUT"] = timed(copy_to_csv)
    figures["the task's build (build_export)"] = timed(build)
    export = figures["the task's build (build_export)"][1]
    assert export.status == "ready" and export.row_count == ROWS

    tracemalloc.start()
    build()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    base = figures["values_list → csv.writer (baseline)"][0]
    print(f"\nThe submitted grades file: {ROWS:,} rows on {connection.vendor}")
    for name, (seconds, _) in figures.items():
        print(
            f"  {name:<38} {seconds:7.2f} s  {ROWS / seconds:9,.0f} rows/s  ×{seconds / base:5.2f}"
        )
    print(f"  file {export.size / 1e6:.1f} MB; the build's peak Python memory {peak / 1e6:.1f} MB")
