"""Corrections to a candidate's identity once it is fixed: the centre asks with a reason,
staff approve or reject on the staff page (listed on the staff board), every step audited,
the change made only on approval."""

from datetime import date

import pytest
from django.contrib.admin import site as admin_site
from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse

from entries.models import Candidate, CandidateCorrection
from entries.services import EntryError
from entries.services.candidates import IdentityFixed, update_candidate
from entries.services.corrections import (
    approve_correction,
    reject_correction,
    request_correction,
)
from ocradmin.models import AuditEvent, Notification
from ocradmin.pages import staff_board

from ..factories import UserFactory, date_parts
from .factories import CandidateFactory

Status = CandidateCorrection.Status


@pytest.fixture
def okafor(centre, has_results):
    candidate = CandidateFactory(
        centre=centre, first_name="Chidi", last_name="Okafor", date_of_birth=date(2004, 5, 6)
    )
    has_results.add("Okafor")
    return candidate


@pytest.fixture
def staff(people):
    return people["staff"]


def ask(candidate, by, reason="Surname misspelt: see the birth certificate.", **changes):
    return request_correction(
        candidate=candidate, by=by, reason=reason, **(changes or {"last_name": "Okafor-Bright"})
    )


def test_a_fixed_identity_cannot_be_edited_directly(okafor, admin):
    for change in [
        {"last_name": "Okafor-Bright"},
        {"first_name": "Chid"},
        {"candidate_number": "0999"},
        {"uci": "681990012058G"},
        {"uln": "9276308686"},
        {"date_of_birth": date(2004, 5, 7)},
    ]:
        with pytest.raises(IdentityFixed, match="Request a correction"):
            update_candidate(candidate=okafor, by=admin, **change)
    fresh = Candidate.objects.get(pk=okafor.pk)
    assert (fresh.last_name, fresh.candidate_number) == ("Okafor", okafor.candidate_number)
    assert not AuditEvent.objects.filter(action="candidate.updated").exists()
    # Its sex is not part of the identity and stays editable.
    update_candidate(candidate=okafor, by=admin, sex="M")


def test_request_records_audits_and_tells_staff_without_changing_anything(
    okafor, admin, settings, django_capture_on_commit_callbacks
):
    settings.STAFF_EMAIL = "ops@ocradmin.example"
    with django_capture_on_commit_callbacks(execute=True):
        correction = ask(okafor, admin, last_name="Okafor-Bright", uln="9276308686")
    assert correction.status == Status.PENDING
    assert correction.changes == {
        "last_name": ["Okafor", "Okafor-Bright"],
        "uln": ["", "9276308686"],
    }
    assert Candidate.objects.get(pk=okafor.pk).last_name == "Okafor"
    event = AuditEvent.objects.get(action="candidate.correction_requested")
    assert event.actor == admin and event.data["reason"].startswith("Surname misspelt")
    [email] = mail.outbox
    assert email.to == ["ops@ocradmin.example"]
    assert f"candidate {okafor.candidate_number}" in email.subject
    assert "  last name: Okafor → Okafor-Bright\n  ULN: (none) → 9276308686" in email.body
    assert "/staff/candidate-corrections/" in email.body


@pytest.mark.parametrize(
    "reason, changes, message",
    [
        ("", {"last_name": "Okafor-Bright"}, "Give the reason"),
        ("Typo", {"last_name": "Okafor"}, "details already"),
        ("Typo", {"candidate_number": "１２３４"}, "four digits"),
        ("Typo", {"uci": "681990012058H"}, "check letter"),
    ],
)
def test_bad_requests_are_refused_and_nothing_is_saved(okafor, admin, reason, changes, message):
    with pytest.raises(EntryError, match=message):
        ask(okafor, admin, reason=reason, **changes)
    assert not CandidateCorrection.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="candidate.correction").exists()


def test_one_correction_waits_at_a_time(okafor, admin):
    ask(okafor, admin)
    with pytest.raises(EntryError, match="is waiting for the awarding body"):
        ask(okafor, admin, first_name="Chidiebere")
    assert CandidateCorrection.objects.count() == 1


def test_staff_approve_and_the_change_is_made(okafor, admin, staff):
    correction = ask(okafor, admin, last_name="Okafor-Bright", date_of_birth=date(2004, 6, 5))
    approve_correction(correction=correction, by=staff)
    fresh = Candidate.objects.get(pk=okafor.pk)
    assert (fresh.last_name, fresh.date_of_birth) == ("Okafor-Bright", date(2004, 6, 5))
    correction.refresh_from_db()
    assert (correction.status, correction.decided_by) == (Status.APPROVED, staff)
    event = AuditEvent.objects.get(action="candidate.correction_approved")
    assert event.actor == staff and event.data["changes"]["last_name"][1] == "Okafor-Bright"
    notice = Notification.objects.get(user=admin)
    assert notice.subject == f"Correction approved: candidate {okafor.candidate_number}"
    with pytest.raises(EntryError, match="already approved"):
        approve_correction(correction=correction, by=staff)


def test_staff_reject_with_a_reason_and_nothing_changes(okafor, admin, staff):
    correction = ask(okafor, admin)
    with pytest.raises(EntryError, match="reason"):
        reject_correction(correction=correction, by=staff, reason=" ")
    reject_correction(correction=correction, by=staff, reason="Send the certificate first.")
    assert Candidate.objects.get(pk=okafor.pk).last_name == "Okafor"
    correction.refresh_from_db()
    assert (correction.status, correction.rejection_reason) == (
        Status.REJECTED,
        "Send the certificate first.",
    )
    assert AuditEvent.objects.filter(action="candidate.correction_rejected").count() == 1
    assert "Send the certificate first." in Notification.objects.get(user=admin).body
    # Decided, so another may be asked for.
    ask(okafor, admin, first_name="Chidiebere")


def test_only_staff_decide_and_never_their_own_request(okafor, admin, staff, centre):
    correction = ask(okafor, admin)
    for user in [admin, None]:
        with pytest.raises(EntryError, match="Only awarding-body staff"):
            approve_correction(correction=correction, by=user)
    own = UserFactory(is_staff=True)
    CandidateCorrection.objects.filter(pk=correction.pk).update(requested_by=own)
    with pytest.raises(EntryError, match="another member of staff"):
        approve_correction(correction=correction, by=own)
    assert Candidate.objects.get(pk=okafor.pk).last_name == "Okafor"


def test_approval_is_refused_when_the_candidate_changed_since(okafor, admin, staff):
    correction = ask(okafor, admin, last_name="Okafor-Bright")
    Candidate.objects.filter(pk=okafor.pk).update(last_name="Okafor-Smith")
    with pytest.raises(EntryError, match="last name changed since"):
        approve_correction(correction=correction, by=staff)
    assert Candidate.objects.get(pk=okafor.pk).last_name == "Okafor-Smith"
    assert CandidateCorrection.objects.get().status == Status.PENDING


def test_approval_checks_the_rules_again(okafor, admin, staff, centre):
    correction = ask(okafor, admin, candidate_number="0900")
    CandidateFactory(centre=centre, candidate_number="0900")
    with pytest.raises(EntryError, match="0900 is already used"):
        approve_correction(correction=correction, by=staff)
    assert CandidateCorrection.objects.get().status == Status.PENDING


# --- Pages ------------------------------------------------------------------------------------


def test_the_centre_asks_on_the_correction_page(okafor, admin, login, centre):
    client = login(admin)
    url = reverse("entries:candidate-correction", args=[centre.number, okafor.pk])
    page = client.get(url)
    assert page.context["form"].initial["last_name"] == "Okafor"
    data = {
        "candidate_number": okafor.candidate_number,
        "uci": okafor.uci,
        "uln": "",
        "first_name": "Chidi",
        "last_name": "Okafor-Bright",
        **date_parts("date_of_birth", "2004-05-06"),
        "reason": "Double-barrelled surname.",
    }
    assert client.post(url, {**data, "reason": ""}).status_code == 200
    assert not CandidateCorrection.objects.exists()
    response = client.post(url, data)
    assert response.status_code == 302
    assert CandidateCorrection.objects.get().changes == {"last_name": ["Okafor", "Okafor-Bright"]}
    detail = client.get(reverse("entries:candidate", args=[centre.number, okafor.pk]))
    html = detail.content.decode()
    assert "Last name: Okafor → Okafor-Bright" in html
    assert "Waiting for the awarding body" in html


def test_the_edit_page_refuses_a_fixed_identity_with_the_way_to_correct_it(
    okafor, admin, login, centre
):
    client = login(admin)
    response = client.post(
        reverse("entries:candidate-edit", args=[centre.number, okafor.pk]),
        {
            "candidate_number": okafor.candidate_number,
            "uci": okafor.uci,
            "first_name": "Chidi",
            "last_name": "Someone Else",
            **date_parts("date_of_birth", "2004-05-06"),
            "sex": okafor.sex,
        },
    )
    assert response.status_code == 200
    assert "Request a correction instead" in response.content.decode()
    assert Candidate.objects.get(pk=okafor.pk).last_name == "Okafor"


@pytest.mark.parametrize(
    "person, status", [("teacher", 403), ("other_centre_admin", 404), ("outsider", 404)]
)
def test_only_the_centre_admin_asks(okafor, people, login, centre, person, status):
    url = reverse("entries:candidate-correction", args=[centre.number, okafor.pk])
    assert login(people[person]).get(url).status_code == status


def test_staff_decide_on_the_staff_page_and_the_board_lists_them(
    okafor, admin, staff, login, rf, centre
):
    correction = ask(okafor, admin)
    request = rf.get("/staff/")
    request.user = staff
    panel = staff_board._panels["candidate_corrections"]
    html = render_to_string(panel.template, {"panel": panel.context(request)})
    assert "1 correction waiting" in html

    client = login(staff)
    queue = client.get(reverse("entries:staff-corrections")).content.decode()
    assert "Last name: Okafor → <strong>Okafor-Bright</strong>" in queue
    assert "Surname misspelt" in queue
    decide = reverse("entries:staff-correction-decide", args=[correction.pk])
    client.post(decide, {"decision": "approve"})
    assert Candidate.objects.get(pk=okafor.pk).last_name == "Okafor-Bright"
    assert "None waiting." in render_to_string(panel.template, {"panel": panel.context(request)})


@pytest.mark.parametrize("person", ["centre_admin", "head_of_centre", "moderator"])
def test_the_staff_pages_are_for_staff(okafor, people, login, person):
    correction = ask(okafor, people["centre_admin"])
    client = login(people[person])
    assert client.get(reverse("entries:staff-corrections")).status_code == 403
    decide = reverse("entries:staff-correction-decide", args=[correction.pk])
    assert client.post(decide, {"decision": "approve"}).status_code == 403
    assert CandidateCorrection.objects.get().status == Status.PENDING


def test_staff_cannot_edit_a_fixed_identity_in_admin(okafor, centre):
    candidate_admin = admin_site._registry[Candidate]
    assert "last_name" in candidate_admin.get_readonly_fields(None, okafor)
    assert candidate_admin.get_readonly_fields(None, CandidateFactory(centre=centre)) == ()
