"""The dashboard as a task list: every demo account sees its next steps (or what will appear and
when) and already has notifications; the page's queries do not grow with centres or rows."""

import io
import secrets
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from centres.models import Invitation, QualificationApproval, Role
from entries.models import AccessArrangement, Entry, ModeratorAllocation
from ocradmin.models import Notification, User

from ..entries.factories import CandidateFactory, QualificationFactory
from ..factories import CentreFactory, MembershipFactory, UserFactory

# (email, a task or sentence its dashboard shows)
DEMO_DASHBOARDS = [
    ("teacher@northfield.example", "Grade J351 — 0 of 13 graded"),
    ("teacher@northfield.example", "Change the J277 grades the head of centre returned"),
    ("head@northfield.example", "Approve or return the H446 grades"),
    ("officer@northfield.example", "awaiting processing"),
    ("officer@northfield.example", "1 invitation not yet accepted"),
    ("officer@northfield.example", "Grades not yet sent to the head of centre: 3 qualifications"),
    ("officer@northfield.example", "1 access arrangement rejected by the awarding body"),
    ("materials@northfield.example", "assessment materials to download"),
    ("materials@riverside.example", "assessment materials to download"),
    ("moderator@ocradmin.example", "Moderate 05840"),
    ("moderator2@ocradmin.example", "Moderate 05826"),
    ("head@riverside.example", "Nothing to do right now"),
    ("applicant@hillside.example", "Your centre applications"),
]


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=io.StringIO())


@pytest.mark.parametrize(("email", "shown"), DEMO_DASHBOARDS)
def test_each_demo_account_sees_its_next_step(demo, client, email, shown):
    client.force_login(User.objects.get(email=email))
    page = client.get(reverse("dashboard")).content.decode().replace("&#x27;", "'")
    assert shown in page
    assert "no centre roles" not in page and "Hello, " not in page


def test_every_demo_account_but_staff_already_has_notifications_and_a_persons_name(demo):
    for user in User.objects.filter(email__endswith=".example"):
        assert "Northfield" not in user.full_name and "Riverside" not in user.full_name
        if not user.is_staff:
            assert Notification.objects.filter(user=user).exists(), user.email
    # Seeding again adds none.
    before = Notification.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert Notification.objects.count() == before


def test_every_task_link_on_the_demo_dashboards_opens(demo, client):
    import re

    for email in {email for email, _ in DEMO_DASHBOARDS}:
        client.force_login(User.objects.get(email=email))
        page = client.get(reverse("dashboard")).content.decode()
        for href in re.findall(r'class="fw-semibold task-link" href="([^"]+)"', page):
            assert client.get(href).status_code == 200, (email, href)


def _busy_centre(user, qualification, n):
    """A centre where ``user`` holds every role, with a row behind every kind of task."""
    now = timezone.now()
    centre = CentreFactory(number=f"8{n:04d}")
    for role in Role:
        MembershipFactory(user=user, centre=centre, role=role)
    QualificationApproval.objects.create(
        centre=centre,
        qualification=qualification,
        status=QualificationApproval.Status.APPROVED,
        delivered_by="IT",
        planned_start=date(2026, 9, 1),
        decided_at=now - timedelta(days=1),
    )
    candidate = CandidateFactory(centre=centre)
    for status in (Entry.Status.SUBMITTED, Entry.Status.REJECTED):
        Entry.objects.create(
            centre=centre,
            qualification=qualification,
            kind=Entry.Kind.NAMED,
            candidate=candidate,
            status=status,
            process_by=now + timedelta(hours=40),
            processed_at=now if status == Entry.Status.REJECTED else None,
        )
    Invitation.objects.create(
        centre=centre,
        email=f"new{n}@example.org",
        full_name="New Person",
        roles=[Role.TEACHER.value],
        token=secrets.token_urlsafe(16),
        expires_at=now + timedelta(days=10),
    )
    AccessArrangement.objects.create(
        centre=centre,
        candidate=candidate,
        qualification=qualification,
        kind=AccessArrangement.Kind.READER,
        details="x",
        evidence="x",
        first_assessment_on=date.today() + timedelta(days=30),
        status=AccessArrangement.Status.REJECTED,
        decided_at=now,
        rejection_reason="No evidence.",
    )
    ModeratorAllocation.objects.create(centre=centre, qualification=qualification, moderator=user)


def test_the_dashboards_queries_do_not_grow_with_centres_or_rows(db, client):
    user = UserFactory(email="everything@example.org", is_examiner_moderator=True)
    qualification = QualificationFactory(entry_code="05999", is_remotely_moderated=True)
    _busy_centre(user, qualification, 1)
    client.force_login(user)
    client.get(reverse("dashboard"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("dashboard"))
    for n in range(2, 6):
        _busy_centre(user, qualification, n)
    with CaptureQueriesContext(connection) as five:
        page = client.get(reverse("dashboard")).content.decode()
    assert page.count("1 invitation not yet accepted") == 5
    assert page.count("Moderate 05999") == 5
    assert page.count("entry rejected") == 5
    assert len(five) == len(one), "\n".join(q["sql"] for q in five)


def test_the_moderators_allocation_counts_named_candidates_and_unnamed_by_quantity(
    client, people, centre
):
    qualification = QualificationFactory(entry_code="05998", is_remotely_moderated=True)
    ModeratorAllocation.objects.create(
        centre=centre, qualification=qualification, moderator=people["moderator"]
    )
    now = timezone.now()
    for kind, who, quantity in [
        (Entry.Kind.NAMED, CandidateFactory(centre=centre), 1),
        (Entry.Kind.NAMED, CandidateFactory(centre=centre), 1),
        (Entry.Kind.UNNAMED, None, 6),
    ]:
        Entry.objects.create(
            centre=centre,
            qualification=qualification,
            kind=kind,
            candidate=who,
            quantity=quantity,
            status=Entry.Status.ACCEPTED,
            process_by=now,
        )
    client.force_login(people["moderator"])
    page = client.get(reverse("dashboard")).content.decode()
    assert "Moderate 05998" in page
    assert "8 candidates (6 unnamed) entered" in page
    assert reverse("moderation:queue") in page


@pytest.mark.parametrize(
    "email",
    [
        "teacher@northfield.example",
        "materials@northfield.example",
        "head@northfield.example",
        "teacher@riverside.example",
    ],
)
def test_no_page_offers_a_link_its_reader_cannot_open(demo, client, email):
    """From the dashboard, every link on every page reached (two clicks deep, the site's own
    pages) opens for this person: nobody is shown a link that answers 403."""
    import re

    client.force_login(User.objects.get(email=email))
    seen, frontier, refused = set(), ["/"], []
    for _depth in range(3):
        following = []
        for path in frontier:
            if path in seen:
                continue
            seen.add(path)
            response = client.get(path)
            if response.status_code == 403:
                refused.append(path)
                continue
            if response.status_code != 200 or "text/html" not in response["Content-Type"]:
                continue
            for href in re.findall(r'href="(/[^"#?]*)', response.content.decode()):
                if not href.startswith(("/static/", "/accounts/", "/admin/")) and not href.endswith(
                    (".csv", ".xlsx", ".pdf", "/download/")
                ):
                    following.append(href)
        frontier = following
    assert not refused, refused


def test_a_moderator_is_not_offered_to_apply_for_centre_approval(client, people):
    client.force_login(people["moderator"])
    assert reverse("centres:apply") not in client.get(reverse("dashboard")).content.decode()
    client.force_login(people["outsider"])
    assert reverse("centres:apply") in client.get(reverse("dashboard")).content.decode()
