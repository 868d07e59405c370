"""Fixtures for the grades tests: the 2021 series (seeded by migration), a TAG qualification
with candidates entered at ``centre``, an assigned teacher, and time frozen inside the
submission window."""

from datetime import UTC, date, datetime, timedelta
from importlib import import_module

import pytest
import time_machine
from django.apps import apps as django_apps
from django.test import TestCase
from django.urls import reverse

from entries.models import Candidate, Entry
from entries.validators import make_uci
from grades.models import Grade, GradeExport, GradeSeries, TeacherAssignment

from ..entries.factories import CandidateFactory, QualificationFactory

IN_WINDOW = datetime(2021, 6, 1, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def in_submission_window():
    with time_machine.travel(IN_WINDOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def series(db):
    return summer_2021()


def summer_2021() -> GradeSeries:
    """The series as migration grades 0002 seeds it. A transactional test (concurrency, the
    browser) flushes the database afterwards, which removes migration-seeded rows, so a later
    test seeds it again the same way."""
    if not GradeSeries.objects.filter(code="summer-2021").exists():
        seed = import_module("grades.migrations.0002_seed_summer_2021").seed
        seed(django_apps, None)
    return GradeSeries.objects.get(code="summer-2021")


def make_tag_qualification(entry_code="05838", scale=("D*", "D", "M", "P", "U"), **extra):
    return QualificationFactory(
        entry_code=entry_code,
        title=f"Cambridge Technical {entry_code}",
        available_for_tags=True,
        grade_scale=list(scale),
        **extra,
    )


def enter(candidate, qualification, *, unit=None, status=Entry.Status.ACCEPTED, kind="named"):
    return Entry.objects.create(
        centre=candidate.centre,
        qualification=qualification,
        kind=kind,
        candidate=candidate,
        unit=unit,
        status=status,
        process_by=datetime(2021, 3, 3, tzinfo=UTC),
    )


def entered_candidates(centre, qualification, count, **names):
    made = []
    for _ in range(count):
        candidate = CandidateFactory(centre=centre, **names)
        enter(candidate, qualification)
        made.append(candidate)
    return made


def set_grade(series, qualification, candidate, grade, *, version=1, by=None, at=None):
    return Grade.objects.create(
        series=series,
        centre=candidate.centre,
        qualification=qualification,
        candidate=candidate,
        grade=grade,
        version=version,
        updated_by=by,
        updated_at=at or IN_WINDOW - timedelta(minutes=30),
    )


@pytest.fixture
def qualification(db):
    return make_tag_qualification()


@pytest.fixture
def candidates(centre, qualification):
    return entered_candidates(centre, qualification, 3)


@pytest.fixture
def assigned_teacher(people, series, centre, qualification):
    TeacherAssignment.objects.create(
        series=series, centre=centre, qualification=qualification, teacher=people["teacher"]
    )
    return people["teacher"]


def bulk_entered(centre, qualification, count, *, first=1):
    """``count`` candidates numbered from ``first``, entered (accepted) for ``qualification``,
    made with ``bulk_create`` so hundreds or thousands stay quick. Returns them in order."""
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
                candidate=candidate,
                status=Entry.Status.ACCEPTED,
                process_by=datetime(2021, 3, 3, tzinfo=UTC),
            )
            for candidate in candidates
        ]
    )
    return candidates


def staff_export(client) -> str:
    """The submitted grades file as staff get it (``client`` signed in as staff): asked for on
    the export page (the task runs in-process), then downloaded from the link there."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("grades:staff-export"))
    export = GradeExport.objects.first()
    download = client.get(reverse("grades:staff-export-download", args=[export.pk]))
    assert download.status_code == 200, export.error
    return b"".join(download.streaming_content).decode("utf-8-sig")
