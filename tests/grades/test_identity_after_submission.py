"""Submitted grades keep the candidate as submitted, and the candidate's identity is fixed:
the regression of Riverside's admin swapping two submitted candidates' numbers, UCIs and
names, which made the staff export give each the other's grade."""

import csv
import io
from importlib import import_module
from io import StringIO

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse

from centres.models import Role
from entries.models import Candidate, CandidateCorrection
from entries.services.candidates import IdentityFixed, results_exist, update_candidate
from entries.services.corrections import approve_correction, request_correction
from grades.models import CentreSubmission, Grade, QualificationGrades
from grades.services.submission import CONFIRMATIONS, receipt_context, submit_centre_grades

from ..factories import MembershipFactory, UserFactory, date_parts
from .conftest import entered_candidates, set_grade, staff_export


@pytest.fixture
def riverside(other_centre):
    return other_centre


@pytest.fixture
def submitted(series, riverside, qualification, people):
    """Riverside's two candidates, Ada (D) and Ben (P), graded, approved and submitted."""
    ada, ben = entered_candidates(riverside, qualification, 2)
    Candidate.objects.filter(pk=ada.pk).update(first_name="Ada", last_name="Lovelace")
    Candidate.objects.filter(pk=ben.pk).update(first_name="Ben", last_name="Okri")
    ada.refresh_from_db()
    ben.refresh_from_db()
    set_grade(series, qualification, ada, "D")
    set_grade(series, qualification, ben, "P")
    QualificationGrades.objects.create(
        series=series, centre=riverside, qualification=qualification, status="approved"
    )
    head = UserFactory(email="head@riverside.example")
    MembershipFactory(user=head, centre=riverside, role=Role.HEAD_OF_CENTRE)
    submit_centre_grades(
        series=series,
        centre=riverside,
        head_name="Rita Head",
        head_job_title="Principal",
        confirmations=dict.fromkeys(CONFIRMATIONS, True),
        by=head,
    )
    return ada, ben


def export_rows(client, staff) -> dict:
    client.force_login(staff)
    lines = list(csv.DictReader(io.StringIO(staff_export(client))))
    return {(r["candidate_number"], r["uci"], r["last_name"]): r["grade"] for r in lines}


def test_submission_keeps_each_candidate_as_submitted(submitted):
    ada, _ben = submitted
    grade = Grade.objects.get(candidate=ada)
    assert (
        grade.submitted_candidate_number,
        grade.submitted_uci,
        grade.submitted_first_name,
        grade.submitted_last_name,
        grade.submitted_date_of_birth,
    ) == (ada.candidate_number, ada.uci, "Ada", "Lovelace", ada.date_of_birth)
    assert results_exist(ada)


def test_riverside_admin_cannot_swap_two_submitted_candidates(client, submitted, riverside, people):
    ada, ben = submitted
    admin = people["other_centre_admin"]
    # The swap through the service: refused whichever field it starts with.
    with pytest.raises(IdentityFixed):
        update_candidate(candidate=ada, by=admin, candidate_number="0999")
    with pytest.raises(IdentityFixed):
        update_candidate(candidate=ben, by=admin, first_name="Ada", last_name="Lovelace")
    # And through the edit page: refused, pointing to a correction.
    client.force_login(admin)
    response = client.post(
        reverse("entries:candidate-edit", args=[riverside.number, ada.pk]),
        {
            "candidate_number": ada.candidate_number,
            "uci": ada.uci,
            "first_name": "Ben",
            "last_name": "Okri",
            **date_parts("date_of_birth", ada.date_of_birth),
            "sex": ada.sex,
        },
    )
    assert response.status_code == 200
    assert "Request a correction instead" in response.content.decode()
    for candidate, name in [(ada, "Lovelace"), (ben, "Okri")]:
        assert Candidate.objects.get(pk=candidate.pk).last_name == name

    # A correction request is the way instead; nothing changes until staff approve.
    request_correction(candidate=ada, by=admin, reason="Names swapped", first_name="Adah")
    assert Candidate.objects.get(pk=ada.pk).first_name == "Ada"

    rows = export_rows(client, people["staff"])
    assert rows == {
        (ada.candidate_number, ada.uci, "Lovelace"): "D",
        (ben.candidate_number, ben.uci, "Okri"): "P",
    }


def test_export_and_receipt_show_the_candidate_as_submitted_after_a_correction(
    client, submitted, people
):
    ada, ben = submitted
    correction = request_correction(
        candidate=ada,
        by=people["other_centre_admin"],
        reason="Married name",
        last_name="Byron",
        candidate_number="0999",
    )
    approve_correction(correction=correction, by=people["staff"])
    assert Candidate.objects.get(pk=ada.pk).last_name == "Byron"
    assert CandidateCorrection.objects.get().status == "approved"

    rows = export_rows(client, people["staff"])
    assert rows[(ada.candidate_number, ada.uci, "Lovelace")] == "D"
    assert rows[(ben.candidate_number, ben.uci, "Okri")] == "P"

    receipt = render_to_string(
        "grades/pdf/receipt.html", receipt_context(CentreSubmission.objects.get())
    )
    assert (
        f'<td>{ada.candidate_number}</td><td class="mono">{ada.uci}</td><td>Lovelace, Ada</td>'
        in receipt
    )
    assert "Byron" not in receipt and "0999" not in receipt


def test_the_data_migration_fills_submitted_grades_only(series, centre, other_centre, people):
    from .conftest import make_tag_qualification

    qualification = make_tag_qualification("05839")
    [submitted_candidate] = entered_candidates(centre, qualification, 1)
    [draft_candidate] = entered_candidates(other_centre, qualification, 1)
    set_grade(series, qualification, submitted_candidate, "M")
    set_grade(series, qualification, draft_candidate, "M")
    CentreSubmission.objects.create(
        series=series,
        centre=centre,
        head_name="H",
        head_job_title="Head",
        **dict.fromkeys(CONFIRMATIONS, True),
    )
    fill = import_module("grades.migrations.0007_fill_submitted_candidate_identity").fill
    fill(django_apps, None)
    filled = Grade.objects.get(candidate=submitted_candidate)
    assert (filled.submitted_uci, filled.submitted_last_name) == (
        submitted_candidate.uci,
        submitted_candidate.last_name,
    )
    assert Grade.objects.get(candidate=draft_candidate).submitted_uci == ""


def test_the_demo_has_one_correction_waiting_for_staff(db):
    for _ in range(2):
        call_command("seed_demo", stdout=StringIO())
    correction = CandidateCorrection.objects.get()
    assert (correction.centre.number, correction.status) == ("23456", "pending")
    assert results_exist(correction.candidate)
