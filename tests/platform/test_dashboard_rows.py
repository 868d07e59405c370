"""The dashboard reads its tasks as rows: every kind of task reads word for word as it did when
it read model objects; each person runs only the queries of the panels that can apply to their
roles; and the queries do not grow with the rows behind the tasks."""

import secrets
from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from centres.models import CentreApplication, Invitation, QualificationApproval, Role
from claims.models import Claim, ClaimLine
from moderation.models import LineDecision, Review

from ..claims.conftest import make_entry
from ..entries.factories import CandidateFactory, QualificationFactory, UnitFactory
from ..factories import CentreFactory, MembershipFactory, UserFactory


def dashboard(client) -> str:
    return client.get(reverse("dashboard")).content.decode().replace("&#x27;", "'")


def dashboard_queries(client) -> list[str]:
    client.get(reverse("dashboard"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("dashboard")).status_code == 200
    return [q["sql"] for q in queries.captured_queries]


def make_claim(centre, qualification, status, lines, *, decided=0, moderator=None, **fields):
    """A claim with ``lines`` lines (one candidate each, unit 1), ``decided`` of them decided."""
    now = timezone.now()
    if status != Claim.Status.DRAFT:
        fields = {
            "submitted_at": now - timedelta(hours=1),
            "work_due_at": now + timedelta(hours=23),
            **fields,
        }
    claim = Claim.objects.create(
        centre=centre, qualification=qualification, status=status, moderator=moderator, **fields
    )
    unit = UnitFactory(qualification=qualification, number="1")
    made = []
    for _ in range(lines):
        candidate = CandidateFactory(centre=centre)
        entry = make_entry(centre, qualification, candidate)
        made.append(
            ClaimLine.objects.create(
                claim=claim, candidate=candidate, unit=unit, entry=entry, grade="M"
            )
        )
    if moderator is not None and status != Claim.Status.SUBMITTED:
        review = Review.objects.create(claim=claim, moderator=moderator)
        for line in made[:decided]:
            LineDecision.objects.create(
                line=line, review=review, outcome=LineDecision.Outcome.CONFIRMED, grade="M"
            )
    return claim


# --- The centre admin's and the claim builder's tasks ----------------------------------------


def test_the_centre_admins_tasks_read_as_before(login, people, centre):
    now = timezone.now()
    approved = QualificationFactory(entry_code="05830", title="Cambridge Technical in Sport")
    refused = QualificationFactory(entry_code="05831")
    for qualification, status, reason in (
        (approved, QualificationApproval.Status.APPROVED, ""),
        (refused, QualificationApproval.Status.REJECTED, "No qualified assessor."),
    ):
        QualificationApproval.objects.create(
            centre=centre,
            qualification=qualification,
            status=status,
            delivered_by="PE",
            planned_start=date(2026, 9, 1),
            decided_at=now - timedelta(days=2),
            rejection_reason=reason,
        )
    for n in range(4):
        Invitation.objects.create(
            centre=centre,
            email=f"new{n}@example.org",
            full_name=f"New Person {n}",
            roles=[Role.TEACHER.value],
            token=secrets.token_urlsafe(16),
            expires_at=now + timedelta(days=10 + n),
        )
    draft = make_claim(centre, approved, Claim.Status.DRAFT, 2)
    submitted = make_claim(centre, refused, Claim.Status.SUBMITTED, 1, number="12345-0001")

    page = dashboard(login(people["centre_admin"]))

    assert "Make entries for 05830: approved" in page
    assert (
        "The awarding body approved the centre to offer 05830 Cambridge Technical in Sport." in page
    )
    assert "Request to offer 05831 rejected: read the reason" in page
    assert "Reason: No qualified assessor." in page
    assert "4 invitations not yet accepted" in page
    assert (
        "New Person 0 (new0@example.org), New Person 1 (new1@example.org), New Person 2 "
        "(new2@example.org) and 1 more. Remind them" in page
    )
    assert "Finish and submit the draft 05830 claim" in page and "2 lines so far." in page
    assert reverse("claims:claim", args=[centre.number, draft.pk]) in page
    assert "Send the work for claim 12345-0001 (05831)" in page
    assert "1 line: upload the evidence or record the postal dispatch." in page
    assert reverse("claims:claim", args=[centre.number, submitted.pk]) in page
    assert page.count(f"{centre.number} {centre.name}") >= 5  # each task's caption


def test_a_teacher_sees_the_claims_they_build_and_a_head_none(login, people, centre):
    make_claim(centre, QualificationFactory(entry_code="05832"), Claim.Status.DRAFT, 1)
    assert "Finish and submit the draft 05832 claim" in dashboard(login(people["teacher"]))
    assert "05832" not in dashboard(login(people["head_of_centre"]))


def test_the_applicants_panel_reads_each_application_without_a_query_per_row(login, db):
    from ..centres.test_applications import make_application

    applicant = UserFactory(email="applicant@hillside.example")
    client = login(applicant)
    make_application(applicant, status=CentreApplication.Status.DRAFT)
    one = dashboard_queries(client)
    centre = CentreFactory(number="34567", name="Hillside School")
    approved = make_application(
        applicant, status=CentreApplication.Status.APPROVED, submitted_at=timezone.now()
    )
    CentreApplication.objects.filter(pk=approved.pk).update(centre=centre)
    make_application(
        applicant,
        name="Hillside Annexe",
        status=CentreApplication.Status.REJECTED,
        submitted_at=timezone.now(),
        rejection_reason="Not a school.",
    )
    make_application(applicant, name="Hillside Sixth Form", submitted_at=timezone.now())
    assert len(dashboard_queries(client)) == len(one)
    page = dashboard(client)
    assert "Your centre applications" in page
    assert "Reason: Not a school." in page
    assert reverse("centres:home", args=["34567"]) in page
    assert "Submitted " in page and "Finish and submit it when you are ready." in page


# --- The examiner-moderator's tasks ------------------------------------------------------------


def test_the_moderators_claim_tasks_read_as_before(login, people, centre):
    moderator = people["moderator"]
    qualification = QualificationFactory(entry_code="05833")
    due = date.today() + timedelta(days=20)
    sent = make_claim(
        centre,
        qualification,
        Claim.Status.WORK_SENT,
        2,
        moderator=moderator,
        number="12345-0002",
        results_due_on=due,
    )
    moderating = make_claim(
        centre,
        QualificationFactory(entry_code="05834"),
        Claim.Status.WITH_MODERATOR,
        3,
        decided=1,
        moderator=moderator,
        number="12345-0003",
    )
    withdrawn = make_claim(
        centre,
        QualificationFactory(entry_code="05835"),
        Claim.Status.WITHDRAWN,
        1,
        moderator=moderator,
        number="12345-0004",
    )

    page = dashboard(login(moderator))

    assert "Confirm you have the work of claim 12345-0002" in page
    assert f"05833 at 12345 — 2 lines — results due {due:%-d %B}" in page
    assert reverse("moderation:claim", args=[sent.pk]) in page
    assert "Moderate claim 12345-0003" in page
    assert "05834 at 12345 — 1 of 3 lines decided" in page
    assert reverse("moderation:claim", args=[moderating.pk]) in page
    assert "Write the feedback report on withdrawn claim 12345-0004" in page
    assert reverse("moderation:complete", args=[withdrawn.pk]) in page
    assert "12345 Northfield Academy" in page


def test_the_moderators_queries_do_not_grow_with_claims(login, people, centre):
    moderator = people["moderator"]
    client = login(moderator)
    make_claim(
        centre,
        QualificationFactory(entry_code="05836"),
        Claim.Status.WITH_MODERATOR,
        2,
        decided=1,
        moderator=moderator,
        number="12345-0005",
    )
    one = dashboard_queries(client)
    for n in range(6, 10):
        make_claim(
            CentreFactory(number=f"6{n:04d}"),
            QualificationFactory(entry_code=f"0584{n}"),
            Claim.Status.WITH_MODERATOR,
            n,
            decided=2,
            moderator=moderator,
            number=f"6{n:04d}-0001",
        )
    assert len(dashboard_queries(client)) == len(one)
    assert dashboard(client).count("lines decided") == 5


# --- Only the panels that can apply ------------------------------------------------------------

TASK_TABLES = (
    "centres_qualificationapproval",
    "centres_invitation",
    "entries_entry",
    "entries_accessarrangement",
    "entries_moderatorallocation",
    "claims_claim",
    "grades_",
)


def _task_queries(queries) -> list[str]:
    return [sql for sql in queries if any(f'"{table}' in sql for table in TASK_TABLES)]


def test_someone_with_no_role_runs_no_task_query(login, people):
    assert _task_queries(dashboard_queries(login(people["outsider"]))) == []


def test_a_moderator_with_no_centre_role_runs_only_the_moderators_task_queries(login, people):
    queries = _task_queries(dashboard_queries(login(people["moderator"])))
    assert len(queries) == 2
    assert all('"claims_claim"' in sql or '"entries_moderatorallocation"' in sql for sql in queries)


def test_a_head_of_centre_runs_no_claims_or_centre_admin_query(login, people):
    queries = _task_queries(dashboard_queries(login(people["head_of_centre"])))
    for table in TASK_TABLES[:6]:
        assert not any(f'"{table}"' in sql for sql in queries), table


def test_a_person_with_every_role_at_many_centres_takes_as_many_queries_as_at_one(login, db):
    user = UserFactory(email="everything@example.org", is_examiner_moderator=True)

    def busy_centre(n):
        centre = CentreFactory(number=f"5{n:04d}")
        for role in Role:
            MembershipFactory(user=user, centre=centre, role=role)
        qualification = QualificationFactory(entry_code=f"0586{n}")
        make_claim(centre, qualification, Claim.Status.DRAFT, 1)
        make_claim(centre, qualification, Claim.Status.SUBMITTED, 2, number=f"5{n:04d}-0001")
        make_claim(
            centre,
            qualification,
            Claim.Status.WITH_MODERATOR,
            2,
            decided=1,
            moderator=user,
            number=f"5{n:04d}-0002",
        )

    busy_centre(1)
    client = login(user)
    one = dashboard_queries(client)
    for n in range(2, 6):
        busy_centre(n)
    assert len(dashboard_queries(client)) == len(one)
    page = dashboard(client)
    assert page.count("Finish and submit the draft") == 5
    assert page.count("Send the work for claim") == 5
    assert page.count("1 of 2 lines decided") == 5
