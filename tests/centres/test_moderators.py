"""Examiner-moderators' specialisms: the staff list with load, add, edit; the service; admin."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from centres.models import ModeratorProfile, Qualification, QualificationType
from centres.services import CentreError
from centres.services.moderators import save_moderator_profile
from entries.models import ModeratorAllocation
from ocradmin.models import AuditEvent

from ..factories import CentreFactory, UserFactory

LIST = reverse("centres:staff-moderators")
ADD = reverse("centres:staff-moderator-add")


def make_qualification(code, **fields):
    defaults = {
        "title": f"Cambridge Technical in Test {code}",
        "qualification_type": QualificationType.CAMBRIDGE_TECHNICAL,
        "level": "Level 3",
        "is_remotely_moderated": True,
    }
    return Qualification.objects.create(entry_code=code, **{**defaults, **fields})


@pytest.fixture
def quals(db):
    return [make_qualification(f"M{n:04d}") for n in range(3)]


@pytest.fixture
def profile(people, quals):
    profile = ModeratorProfile.objects.create(user=people["moderator"], capacity=4)
    profile.qualifications.set(quals[:2])
    return profile


def allocate(moderator, qualification, centre):
    return ModeratorAllocation.objects.create(
        centre=centre, qualification=qualification, moderator=moderator
    )


# --- The service -----------------------------------------------------------------------------


def test_save_creates_a_profile_marks_the_user_and_audits(people, quals):
    user = people["outsider"]

    profile = save_moderator_profile(
        user=user, qualifications=quals[:1], capacity=7, is_available=True, by=people["staff"]
    )

    user.refresh_from_db()
    assert user.is_examiner_moderator
    assert profile.capacity == 7 and profile.is_available
    assert list(profile.qualifications.all()) == quals[:1]
    event = AuditEvent.objects.get(action="moderator_profile.created")
    assert event.actor == people["staff"]
    assert event.data == {
        "user": user.email,
        "qualifications": ["M0000"],
        "capacity": 7,
        "is_available": True,
    }


def test_save_updates_an_existing_profile(people, quals, profile):
    save_moderator_profile(
        user=people["moderator"],
        qualifications=[quals[2]],
        capacity=2,
        is_available=False,
        by=people["staff"],
    )

    profile.refresh_from_db()
    assert list(profile.qualifications.all()) == [quals[2]]
    assert (profile.capacity, profile.is_available) == (2, False)
    assert AuditEvent.objects.filter(action="moderator_profile.updated").count() == 1


@pytest.mark.parametrize("case", ["zero_capacity", "not_moderated"])
def test_save_refusals_write_nothing(people, quals, case):
    qualifications, capacity = quals[:1], 3
    if case == "zero_capacity":
        capacity = 0
    else:
        qualifications = [
            make_qualification("G0001", qualification_type="gcse", is_remotely_moderated=False)
        ]

    with pytest.raises(CentreError):
        save_moderator_profile(
            user=people["outsider"],
            qualifications=qualifications,
            capacity=capacity,
            is_available=True,
            by=people["staff"],
        )

    assert not ModeratorProfile.objects.filter(user=people["outsider"]).exists()
    people["outsider"].refresh_from_db()
    assert not people["outsider"].is_examiner_moderator
    assert not AuditEvent.objects.filter(action__startswith="moderator_profile").exists()


# --- The staff list --------------------------------------------------------------------------


def test_the_list_shows_qualifications_capacity_and_load(login, people, quals, profile, centre):
    allocate(people["moderator"], quals[0], centre)
    allocate(people["moderator"], quals[1], centre)

    response = login(people["staff"]).get(LIST)

    assert response.status_code == 200
    [row] = response.context["profiles"]
    assert row.load == 2
    content = response.content.decode()
    assert "M0000" in content and "M0001" in content
    assert "2 / 4" in content


def test_the_list_searches_and_filters(login, people, quals, profile):
    other = ModeratorProfile.objects.create(
        user=UserFactory(email="robin@ocradmin.example", full_name="Robin Reviewer"),
        is_available=False,
    )
    other.qualifications.set([quals[2]])
    client = login(people["staff"])

    def emails(**query):
        return [p.user.email for p in client.get(LIST, query).context["profiles"]]

    assert emails(q="robin") == ["robin@ocradmin.example"]
    assert emails(qualification=quals[0].pk) == ["moderator@ocradmin.example"]
    assert emails(is_available="false") == ["robin@ocradmin.example"]


@pytest.mark.parametrize("person", ["moderator", "centre_admin", "teacher"])
def test_the_moderator_pages_are_staff_only(login, people, profile, person):
    client = login(people[person])
    assert client.get(LIST).status_code == 403
    assert client.get(ADD).status_code == 403
    edit = reverse("centres:staff-moderator-edit", args=[profile.pk])
    assert client.get(edit).status_code == 403
    assert client.post(edit, {"capacity": 99}).status_code == 403
    profile.refresh_from_db()
    assert profile.capacity == 4


def test_the_moderator_pages_need_sign_in(client, db):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_list_costs_the_same_queries_with_1_or_20_moderators(login, people, quals, profile):
    client = login(people["staff"])
    one = count_queries(client, LIST)
    for n in range(19):
        user = UserFactory(email=f"mod{n}@ocradmin.example", is_examiner_moderator=True)
        extra = ModeratorProfile.objects.create(user=user)
        extra.qualifications.set(quals)
        allocate(user, quals[n % 3], CentreFactory())
    assert count_queries(client, LIST) == one


# --- Add and edit ----------------------------------------------------------------------------


def test_add_a_moderator_by_email(login, people, quals):
    response = login(people["staff"]).post(
        ADD,
        {
            "email": "NOBODY@elsewhere.example",
            "qualifications": [quals[0].pk, quals[1].pk],
            "capacity": 5,
            "is_available": "on",
        },
    )

    assert response.status_code == 302
    profile = ModeratorProfile.objects.get(user=people["outsider"])
    assert set(profile.qualifications.all()) == set(quals[:2])
    people["outsider"].refresh_from_db()
    assert people["outsider"].is_examiner_moderator


@pytest.mark.parametrize(
    ("email", "error"),
    [
        ("unknown@example.org", "No user has this email address."),
        ("moderator@ocradmin.example", "already an examiner-moderator"),
    ],
)
def test_add_refuses_unknown_users_and_existing_moderators(login, people, profile, email, error):
    response = login(people["staff"]).post(ADD, {"email": email, "capacity": 5})

    assert response.status_code == 200
    assert error in response.content.decode()
    assert ModeratorProfile.objects.count() == 1


def test_edit_a_moderator(login, people, quals, profile):
    url = reverse("centres:staff-moderator-edit", args=[profile.pk])
    client = login(people["staff"])

    page = client.get(url)
    assert page.context["form"].initial["capacity"] == 4
    response = client.post(url, {"qualifications": [quals[2].pk], "capacity": 12})

    assert response.status_code == 302
    profile.refresh_from_db()
    assert list(profile.qualifications.all()) == [quals[2]]
    assert profile.capacity == 12
    assert not profile.is_available
    assert AuditEvent.objects.filter(action="moderator_profile.updated").exists()


def test_edit_refuses_a_capacity_below_one(login, people, profile):
    url = reverse("centres:staff-moderator-edit", args=[profile.pk])

    response = login(people["staff"]).post(url, {"capacity": 0, "is_available": "on"})

    assert response.status_code == 200
    profile.refresh_from_db()
    assert profile.capacity == 4


def test_edit_of_an_unknown_profile_is_404(login, people):
    url = reverse("centres:staff-moderator-edit", args=[999999])
    assert login(people["staff"]).get(url).status_code == 404


# --- Django admin ----------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["moderatorprofile", "qualification", "qualificationapproval"])
def test_admin_pages_load(client, db, profile, model):
    admin = UserFactory(email="admin@ocradmin.example", is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get(reverse(f"admin:centres_{model}_changelist"), {"q": "M0"}).status_code == 200
    assert client.get(reverse(f"admin:centres_{model}_add")).status_code == 200


def test_admin_approve_action_goes_through_the_service(client, db, centre, quals):
    from centres.models import QualificationApproval

    approval = QualificationApproval.objects.create(
        centre=centre, qualification=quals[0], delivered_by="x", planned_start=date(2030, 9, 1)
    )
    admin = UserFactory(email="admin@ocradmin.example", is_staff=True, is_superuser=True)
    client.force_login(admin)

    client.post(
        reverse("admin:centres_qualificationapproval_changelist"),
        {"action": "approve_selected", "_selected_action": [approval.pk]},
    )

    approval.refresh_from_db()
    assert approval.status == QualificationApproval.Status.APPROVED
    assert AuditEvent.objects.filter(action="qualification_approval.approved").exists()
