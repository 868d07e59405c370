"""Centre users: the users page, invitations, roles, removing people, the head-of-centre record."""

import re
import threading
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from centres.models import Centre, HeadOfCentre, Invitation, Membership, Role
from centres.services import CentreError
from centres.services.people import (
    LAST_ADMIN_MESSAGE,
    accept_invitation,
    cancel_invitation,
    grant_role,
    invite_person,
    remove_person,
    revoke_role,
    update_head_of_centre,
)
from ocradmin.models import AuditEvent, User
from tests.factories import PASSWORD, CentreFactory, MembershipFactory, UserFactory

NEW_PASSWORD = "Quiet-Harbour-Lantern-42"

# Emails are queued with delay_on_commit: real commits let each test see exactly what a
# committed change sends (and that a refused one sends nothing).
pytestmark = pytest.mark.django_db(transaction=True)


def users_url(centre, name="centres:users", *args):
    return reverse(name, args=[centre.number, *args])


def invite_url(centre):
    return users_url(centre, "centres:users-invite")


def actions(centre=None):
    events = (
        AuditEvent.objects.all() if centre is None else AuditEvent.objects.filter(centre=centre)
    )
    return list(events.order_by("id").values_list("action", flat=True))


def link_in(message) -> str:
    match = re.search(r"https?://[^/\s]+(/invitations/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def roles_of(user, centre) -> set[str]:
    return set(Membership.objects.filter(user=user, centre=centre).values_list("role", flat=True))


@pytest.fixture
def head_record(centre, people):
    return HeadOfCentre.objects.create(
        centre=centre,
        name="Hilary Head",
        job_title="Headteacher",
        email="head@northfield.example",
        user=people["head_of_centre"],
        accepted_at=timezone.now(),
    )


@pytest.fixture
def invitation(centre, people):
    outcome = invite_person(
        centre=centre,
        email="new.teacher@northfield.example",
        full_name="Nia New",
        roles=[Role.TEACHER],
        by=people["centre_admin"],
    )
    mail.outbox.clear()
    return outcome.invitation


# --- The users page -------------------------------------------------------------------------


def test_users_page_lists_people_with_roles_invitations_and_head(
    login, centre, people, head_record, invitation
):
    MembershipFactory(user=people["teacher"], centre=centre, role=Role.AAM_USER)
    response = login(people["centre_admin"]).get(users_url(centre))
    assert response.status_code == 200
    page = response.content.decode()
    for person in ("centre_admin", "teacher", "head_of_centre", "aam_user"):
        assert people[person].email in page
    assert people["other_centre_admin"].email not in page
    teacher_row = next(p for p in response.context["object_list"] if p == people["teacher"])
    assert [m.role for m in teacher_row.centre_memberships] == [Role.TEACHER, Role.AAM_USER]
    assert "new.teacher@northfield.example" in page
    assert "Hilary Head" in page and "Headteacher" in page
    assert "Users" in page  # the tab


def test_users_page_search_by_name_or_email_and_role(login, centre, people):
    UserFactory(email="zed@northfield.example", full_name="Zed Zebra")
    MembershipFactory(
        user=User.objects.get(email="zed@northfield.example"), centre=centre, role=Role.TEACHER
    )
    client = login(people["centre_admin"])
    found = client.get(users_url(centre), {"q": "zebra"}).context["object_list"]
    assert [u.email for u in found] == ["zed@northfield.example"]
    found = client.get(users_url(centre), {"q": "OFFICER@north"}).context["object_list"]
    assert [u.email for u in found] == [people["centre_admin"].email]
    found = client.get(users_url(centre), {"role": Role.TEACHER}).context["object_list"]
    assert {u.email for u in found} == {"zed@northfield.example", people["teacher"].email}


def test_users_page_paginates(login, centre, people):
    for n in range(30):
        MembershipFactory(user=UserFactory(email=f"p{n}@northfield.example"), centre=centre)
    response = login(people["centre_admin"]).get(users_url(centre))
    assert response.context["is_paginated"]
    assert len(response.context["object_list"]) == 25
    assert login(people["centre_admin"]).get(users_url(centre), {"page": 2}).status_code == 200


def test_users_page_query_count_does_not_grow_with_members(login, centre, people, head_record):
    client = login(people["centre_admin"])
    client.get(users_url(centre))  # warm caches (content types, sessions)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(users_url(centre)).status_code == 200
        return len(queries)

    few = count()
    for n in range(40):
        user = UserFactory(email=f"member{n}@northfield.example")
        MembershipFactory(user=user, centre=centre, role=Role.TEACHER)
        MembershipFactory(user=user, centre=centre, role=Role.AAM_USER)
        Invitation.objects.create(
            centre=centre,
            email=f"invitee{n}@northfield.example",
            full_name=f"Invitee {n}",
            roles=[Role.TEACHER],
            token=f"token-{n}",
            invited_by=people["centre_admin"],
            expires_at=timezone.now() + timedelta(days=3),
        )
    assert count() == few


@pytest.mark.parametrize("person", ["teacher", "head_of_centre", "aam_user"])
def test_other_roles_cannot_see_or_manage_users(login, centre, people, person, invitation):
    client = login(people[person])
    target = people["aam_user"] if person != "aam_user" else people["teacher"]
    assert client.get(users_url(centre)).status_code == 403
    assert client.get(invite_url(centre)).status_code == 403
    posts = [
        (invite_url(centre), {"email": "x@example.org", "full_name": "X", "roles": ["teacher"]}),
        (users_url(centre, "centres:users-remove", target.pk), {}),
        (users_url(centre, "centres:users-revoke-role", target.pk, "aam_user"), {}),
        (users_url(centre, "centres:invitation-cancel", invitation.pk), {}),
        (
            users_url(centre, "centres:users-head"),
            {"name": "A", "job_title": "B", "email": "a@b.c"},
        ),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert roles_of(target, centre)
    assert Invitation.objects.get(pk=invitation.pk).status == Invitation.Status.PENDING
    assert not HeadOfCentre.objects.exists()
    assert Invitation.objects.count() == 1


def test_other_centres_admin_gets_404_on_pages_and_posts(login, centre, people, invitation):
    client = login(people["other_centre_admin"])
    teacher = people["teacher"]
    assert client.get(users_url(centre)).status_code == 404
    assert client.get(users_url(centre, "centres:users-head")).status_code == 404
    for url in [
        invite_url(centre),
        users_url(centre, "centres:users-remove", teacher.pk),
        users_url(centre, "centres:users-revoke-role", teacher.pk, "teacher"),
        users_url(centre, "centres:invitation-cancel", invitation.pk),
    ]:
        assert client.post(url, {"email": "x@example.org"}).status_code == 404, url
    assert roles_of(teacher, centre) == {Role.TEACHER}
    assert Invitation.objects.get(pk=invitation.pk).status == Invitation.Status.PENDING


def test_naming_another_centres_people_through_own_centre_is_404(
    login, centre, other_centre, people
):
    """This centre's admin cannot reach the other centre's people or invitations via 12345."""
    client = login(people["centre_admin"])
    outsider = people["other_centre_admin"]
    other_invitation = invite_person(
        centre=other_centre,
        email="someone@riverside.example",
        full_name="Sam One",
        roles=[Role.TEACHER],
        by=outsider,
    ).invitation
    assert client.post(users_url(centre, "centres:users-remove", outsider.pk)).status_code == 404
    url = users_url(centre, "centres:users-revoke-role", outsider.pk, "centre_admin")
    assert client.post(url).status_code == 404
    url = users_url(centre, "centres:invitation-cancel", other_invitation.pk)
    assert client.post(url).status_code == 404
    assert roles_of(outsider, other_centre) == {Role.CENTRE_ADMIN}
    assert Invitation.objects.get(pk=other_invitation.pk).status == Invitation.Status.PENDING


def test_staff_can_manage_users(login, centre, people):
    client = login(people["staff"])
    assert client.get(users_url(centre)).status_code == 200
    url = users_url(centre, "centres:users-revoke-role", people["aam_user"].pk, "aam_user")
    assert client.post(url).status_code == 302
    assert roles_of(people["aam_user"], centre) == set()


# --- Inviting -------------------------------------------------------------------------------


def test_inviting_a_new_address_creates_an_invitation_and_emails_the_link(
    login, centre, people, head_record
):
    response = login(people["centre_admin"]).post(
        invite_url(centre),
        {"email": "  New.Person@Example.ORG ", "full_name": "New Person", "roles": ["teacher"]},
    )
    assert response.status_code == 302
    assert response["Location"] == users_url(centre)
    invitation = Invitation.objects.get()
    assert invitation.email == "new.person@example.org"
    assert invitation.roles == [Role.TEACHER]
    assert invitation.status == Invitation.Status.PENDING
    assert len(invitation.token) >= 40
    assert invitation.expires_at - invitation.created_at == timedelta(days=14)
    assert invitation.invited_by == people["centre_admin"]
    assert not User.objects.filter(email="new.person@example.org").exists()
    invite_mail = next(m for m in mail.outbox if m.to == ["new.person@example.org"])
    assert link_in(invite_mail) == f"/invitations/{invitation.token}/"
    assert "Northfield Academy" in invite_mail.body
    head_mail = next(m for m in mail.outbox if m.to == ["head@northfield.example"])
    assert "new.person@example.org" in head_mail.subject
    event = AuditEvent.objects.get(action="invitation.sent")
    assert event.centre == centre and event.data["roles"] == ["teacher"]
    assert invitation.token not in str(event.data)


def test_inviting_with_several_roles(centre, people):
    outcome = invite_person(
        centre=centre,
        email="two@example.org",
        full_name="Two Roles",
        roles=[Role.AAM_USER, Role.TEACHER],
        by=people["centre_admin"],
    )
    assert outcome.invitation.roles == [Role.TEACHER, Role.AAM_USER]


def test_inviting_an_existing_user_sends_an_invitation_and_reveals_nothing(
    login, centre, people, head_record
):
    person = UserFactory(email="already@example.org", full_name="Al Ready")
    client = login(people["centre_admin"])
    response = client.post(
        invite_url(centre),
        {"email": "ALREADY@example.org", "full_name": "Al Ready", "roles": ["teacher", "aam_user"]},
        follow=True,
    )
    # The same message as for a new address: nothing says the account exists.
    page = response.content.decode()
    assert "Invitation sent to already@example.org (Teacher, Assessment materials" in page
    assert "already has an account" not in page
    assert roles_of(person, centre) == set()  # nothing held before accepting
    invitation = Invitation.objects.get(email="already@example.org")
    assert "membership.granted" not in actions(centre)
    (sent,) = [m for m in mail.outbox if m.to == ["already@example.org"]]
    assert invitation.token in sent.body

    # They accept, signed in.
    client.logout()
    login(person).post(reverse("centres:invitation", args=[invitation.token]))
    assert roles_of(person, centre) == {Role.TEACHER, Role.AAM_USER}


def test_inviting_an_existing_member_offers_the_roles_they_lack(centre, people):
    teacher = people["teacher"]
    outcome = invite_person(
        centre=centre,
        email=teacher.email,
        full_name="Tess Teacher",
        roles=[Role.TEACHER, Role.AAM_USER],
        by=people["centre_admin"],
    )
    assert roles_of(teacher, centre) == {Role.TEACHER}
    accept_invitation(invitation=outcome.invitation, by=teacher)
    assert roles_of(teacher, centre) == {Role.TEACHER, Role.AAM_USER}


@pytest.mark.parametrize("email", ["officer@northfield.example", "someone@northfield.example"])
def test_nobody_is_invited_as_head_of_centre(login, centre, people, email):
    """Not even themselves: the head-of-centre role comes only from the head's own link."""
    with pytest.raises(CentreError, match="head of centre is not invited here"):
        invite_person(
            centre=centre,
            email=email,
            full_name="Some One",
            roles=[Role.HEAD_OF_CENTRE],
            by=people["centre_admin"],
        )
    response = login(people["centre_admin"]).post(
        invite_url(centre),
        {"email": email, "full_name": "Some One", "roles": ["head_of_centre"]},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["roles"]
    assert roles_of(people["centre_admin"], centre) == {Role.CENTRE_ADMIN}
    assert not Invitation.objects.exists()


def test_inviting_someone_who_already_has_all_the_roles_is_refused(login, centre, people):
    teacher = people["teacher"]
    before = actions()
    mail.outbox.clear()
    with pytest.raises(CentreError, match=f"{teacher.email} is already a member with those roles"):
        invite_person(
            centre=centre,
            email=teacher.email.upper(),
            full_name="T",
            roles=[Role.TEACHER],
            by=people["centre_admin"],
        )
    response = login(people["centre_admin"]).post(
        invite_url(centre), {"email": teacher.email, "full_name": "T", "roles": ["teacher"]}
    )
    assert response.status_code == 200
    assert "already a member with those roles" in response.content.decode()
    assert actions() == before
    assert mail.outbox == []


def test_a_second_pending_invitation_for_the_same_address_is_refused(
    login, centre, people, invitation
):
    before = actions()
    with pytest.raises(CentreError, match="already has a pending invitation"):
        invite_person(
            centre=centre,
            email="NEW.TEACHER@northfield.example",
            full_name="Nia New",
            roles=[Role.AAM_USER],
            by=people["centre_admin"],
        )
    response = login(people["centre_admin"]).post(
        invite_url(centre),
        {"email": invitation.email, "full_name": "Nia", "roles": ["teacher"]},
    )
    assert "already has a pending invitation" in response.content.decode()
    assert Invitation.objects.count() == 1
    assert actions() == before
    assert mail.outbox == []


def test_the_same_address_may_be_pending_at_two_centres(centre, other_centre, people, invitation):
    invite_person(
        centre=other_centre,
        email=invitation.email,
        full_name="Nia New",
        roles=[Role.TEACHER],
        by=people["other_centre_admin"],
    )
    assert Invitation.objects.filter(status="pending").count() == 2


def test_an_expired_invitation_makes_way_for_a_new_one(centre, people, invitation):
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        outcome = invite_person(
            centre=centre,
            email=invitation.email,
            full_name="Nia New",
            roles=[Role.TEACHER],
            by=people["centre_admin"],
        )
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.CANCELLED
    assert outcome.invitation.status == Invitation.Status.PENDING


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "not-an-email", "full_name": "X", "roles": ["teacher"]}, "email"),
        ({"email": "", "full_name": "X", "roles": ["teacher"]}, "email"),
        ({"email": "a@example.org", "full_name": "", "roles": ["teacher"]}, "full_name"),
        ({"email": "a@example.org", "full_name": "X", "roles": []}, "roles"),
        ({"email": "a@example.org", "full_name": "X", "roles": ["moderator"]}, "roles"),
    ],
)
def test_bad_invite_input_is_a_form_error(login, centre, people, data, field):
    response = login(people["centre_admin"]).post(invite_url(centre), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_service_refuses_bad_email_and_roles(centre, people):
    admin = people["centre_admin"]
    with pytest.raises(CentreError, match="not a valid email"):
        invite_person(centre=centre, email="nope", full_name="X", roles=["teacher"], by=admin)
    with pytest.raises(CentreError, match="at least one role"):
        invite_person(centre=centre, email="a@example.org", full_name="X", roles=[], by=admin)
    with pytest.raises(CentreError, match="Unknown role"):
        invite_person(centre=centre, email="a@example.org", full_name="X", roles=["x"], by=admin)
    assert not Invitation.objects.exists()


# --- Accepting ------------------------------------------------------------------------------


def test_accepting_via_the_emailed_link(client, centre, people, head_record):
    invite_person(
        centre=centre,
        email="fresh@example.org",
        full_name="Fresh Face",
        roles=[Role.TEACHER, Role.AAM_USER],
        by=people["centre_admin"],
    )
    link = link_in(next(m for m in mail.outbox if m.to == ["fresh@example.org"]))
    mail.outbox.clear()
    page = client.get(link)
    assert page.status_code == 200
    assert "Northfield Academy" in page.content.decode()
    assert "Teacher" in page.content.decode()

    response = client.post(
        link,
        {"full_name": "Fresh Face", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("centres:home", args=[centre.number])
    user = User.objects.get(email="fresh@example.org")
    assert user.is_active and user.full_name == "Fresh Face"
    assert user.check_password(NEW_PASSWORD)
    assert roles_of(user, centre) == {Role.TEACHER, Role.AAM_USER}
    invitation = Invitation.objects.get()
    assert invitation.status == Invitation.Status.ACCEPTED and invitation.accepted_at
    assert client.get(reverse("centres:home", args=[centre.number])).context["user"] == user
    assert {"invitation.accepted", "user.created_from_invitation"} <= set(actions(centre))
    assert any(m.to == ["head@northfield.example"] for m in mail.outbox)
    assert people["centre_admin"].notifications.filter(subject__contains="accepted").exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"full_name": "Fresh", "password1": "short", "password2": "short"}, "password1"),
        (
            {"full_name": "Fresh", "password1": "password123", "password2": "password123"},
            "password1",
        ),
        (
            {"full_name": "Fresh", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"},
            "password2",
        ),
        ({"full_name": "", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, "full_name"),
    ],
)
def test_accepting_needs_a_name_and_a_good_password(client, invitation, data, field):
    response = client.post(reverse("centres:invitation", args=[invitation.token]), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not User.objects.filter(email=invitation.email).exists()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING


def test_expired_token_shows_a_clear_page(client, centre, invitation):
    url = reverse("centres:invitation", args=[invitation.token])
    with time_machine.travel(invitation.expires_at + timedelta(minutes=1)):
        response = client.get(url)
        assert response.status_code == 200
        assert "expired" in response.content.decode()
        response = client.post(
            url, {"full_name": "Nia", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        )
        assert "expired" in response.content.decode()
    assert not User.objects.filter(email=invitation.email).exists()


def test_used_and_cancelled_and_unknown_tokens_show_clear_pages(client, centre, people, invitation):
    url = reverse("centres:invitation", args=[invitation.token])
    client.post(url, {"full_name": "Nia", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    client.logout()
    response = client.get(url)
    assert response.status_code == 200
    assert "already been used" in response.content.decode()
    response = client.post(
        url, {"full_name": "Again", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert "already been used" in response.content.decode()
    assert User.objects.get(email=invitation.email).full_name == "Nia"

    other = invite_person(
        centre=centre,
        email="gone@example.org",
        full_name="Gone",
        roles=["teacher"],
        by=people["centre_admin"],
    ).invitation
    cancel_invitation(invitation=other, by=people["centre_admin"])
    response = client.get(reverse("centres:invitation", args=[other.token]))
    assert response.status_code == 200
    assert "cancelled" in response.content.decode()

    response = client.get(reverse("centres:invitation", args=["no-such-token"]))
    assert response.status_code == 404
    assert "not valid" in response.content.decode()


def test_existing_account_is_asked_to_sign_in_then_accepts_with_one_post(
    client, centre, people, invitation
):
    url = reverse("centres:invitation", args=[invitation.token])
    person = UserFactory(email="New.Teacher@northfield.example".lower(), full_name="Nia New")
    page = client.get(url)
    assert page.context["mode"] == "sign_in"
    assert f"{reverse('login')}?next={url}" in page.content.decode()
    # A form post without signing in creates nothing.
    client.post(url, {"full_name": "X", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert User.objects.filter(email__iexact=invitation.email).count() == 1
    assert Invitation.objects.get(pk=invitation.pk).status == Invitation.Status.PENDING

    client.force_login(person)
    assert client.get(url).context["mode"] == "accept"
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("centres:home", args=[centre.number])
    assert roles_of(person, centre) == {Role.TEACHER}
    assert Invitation.objects.get(pk=invitation.pk).status == Invitation.Status.ACCEPTED


def test_a_different_signed_in_user_cannot_accept(login, centre, people, invitation):
    client = login(people["outsider"])
    url = reverse("centres:invitation", args=[invitation.token])
    assert client.get(url).context["mode"] == "wrong_user"
    client.post(url)
    assert roles_of(people["outsider"], centre) == set()
    assert Invitation.objects.get(pk=invitation.pk).status == Invitation.Status.PENDING
    with pytest.raises(CentreError, match="This invitation is for"):
        accept_invitation(invitation=invitation, by=people["outsider"])


def test_cancelling_an_invitation(login, centre, people, head_record, invitation):
    response = login(people["centre_admin"]).post(
        users_url(centre, "centres:invitation-cancel", invitation.pk)
    )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.CANCELLED
    assert "invitation.cancelled" in actions(centre)
    assert any(m.to == ["head@northfield.example"] for m in mail.outbox)
    with pytest.raises(CentreError, match="already cancelled"):
        cancel_invitation(invitation=invitation, by=people["centre_admin"])


# --- Removing roles and people --------------------------------------------------------------


def test_removing_a_role(login, centre, people, head_record):
    teacher = people["teacher"]
    MembershipFactory(user=teacher, centre=centre, role=Role.AAM_USER)
    response = login(people["centre_admin"]).post(
        users_url(centre, "centres:users-revoke-role", teacher.pk, "aam_user")
    )
    assert response.status_code == 302
    assert roles_of(teacher, centre) == {Role.TEACHER}
    event = AuditEvent.objects.get(action="membership.revoked")
    assert event.data == {"user": teacher.email, "role": "aam_user"}
    assert any(m.to == ["head@northfield.example"] for m in mail.outbox)
    assert any(m.to == [teacher.email] for m in mail.outbox)


@pytest.mark.parametrize("how", ["revoke_role", "remove_person"])
def test_taking_the_head_role_away_leaves_the_record_unaccepted(
    login, centre, people, head_record, how, django_capture_on_commit_callbacks
):
    head = people["head_of_centre"]
    admin = people["centre_admin"]
    if how == "revoke_role":
        revoke_role(centre=centre, user=head, role=Role.HEAD_OF_CENTRE, by=admin)
    else:
        remove_person(centre=centre, user=head, by=admin)
    head_record.refresh_from_db()
    assert (head_record.user, head_record.accepted_at, head_record.token) == (None, None, None)
    page = login(admin).get(users_url(centre)).content.decode()
    assert "Nobody holds the head of centre role" in page

    # Saving the details again sends the head a new link, and accepting gives the role back.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        update_head_of_centre(
            centre=centre,
            name=head_record.name,
            job_title=head_record.job_title,
            email=head_record.email,
            by=admin,
        )
    login(head).post(head_link_in(head.email))
    assert Role.HEAD_OF_CENTRE in roles_of(head, centre)


def test_removing_a_role_not_held_is_404(login, centre, people):
    url = users_url(centre, "centres:users-revoke-role", people["teacher"].pk, "aam_user")
    assert login(people["centre_admin"]).post(url).status_code == 404
    url = users_url(centre, "centres:users-revoke-role", people["teacher"].pk, "nonsense")
    assert login(people["centre_admin"]).post(url).status_code == 404


def test_removing_a_person_takes_every_role(login, centre, other_centre, people, head_record):
    teacher = people["teacher"]
    MembershipFactory(user=teacher, centre=centre, role=Role.AAM_USER)
    MembershipFactory(user=teacher, centre=other_centre, role=Role.TEACHER)
    response = login(people["centre_admin"]).post(
        users_url(centre, "centres:users-remove", teacher.pk)
    )
    assert response.status_code == 302
    assert roles_of(teacher, centre) == set()
    assert roles_of(teacher, other_centre) == {Role.TEACHER}
    assert User.objects.filter(pk=teacher.pk).exists()
    event = AuditEvent.objects.get(action="person.removed")
    assert event.data == {"user": teacher.email, "roles": ["teacher", "aam_user"]}
    assert any(m.to == ["head@northfield.example"] for m in mail.outbox)


def test_get_on_action_urls_is_not_allowed(login, centre, people):
    client = login(people["centre_admin"])
    assert (
        client.get(users_url(centre, "centres:users-remove", people["teacher"].pk)).status_code
        == 405
    )
    assert roles_of(people["teacher"], centre) == {Role.TEACHER}


def test_last_centre_admin_cannot_lose_the_role(login, centre, people):
    admin = people["centre_admin"]
    before = actions()
    with pytest.raises(CentreError, match=LAST_ADMIN_MESSAGE):
        revoke_role(centre=centre, user=admin, role=Role.CENTRE_ADMIN, by=admin)
    client = login(admin)
    response = client.post(
        users_url(centre, "centres:users-revoke-role", admin.pk, "centre_admin"), follow=True
    )
    assert LAST_ADMIN_MESSAGE in response.content.decode()
    assert roles_of(admin, centre) == {Role.CENTRE_ADMIN}
    assert actions() == before


def test_last_centre_admin_cannot_be_removed(login, centre, people):
    admin = people["centre_admin"]
    MembershipFactory(user=admin, centre=centre, role=Role.TEACHER)
    before = actions()
    mail.outbox.clear()
    with pytest.raises(CentreError, match=LAST_ADMIN_MESSAGE):
        remove_person(centre=centre, user=admin, by=people["staff"])
    response = login(people["staff"]).post(
        users_url(centre, "centres:users-remove", admin.pk), follow=True
    )
    assert LAST_ADMIN_MESSAGE in response.content.decode()
    assert roles_of(admin, centre) == {Role.CENTRE_ADMIN, Role.TEACHER}
    assert actions() == before
    assert mail.outbox == []


def test_with_two_admins_one_may_go_and_then_the_other_is_protected(login, centre, people):
    admin = people["centre_admin"]
    second = UserFactory(email="second@northfield.example")
    MembershipFactory(user=second, centre=centre, role=Role.CENTRE_ADMIN)
    remove_person(centre=centre, user=second, by=admin)
    with pytest.raises(CentreError, match=LAST_ADMIN_MESSAGE):
        remove_person(centre=centre, user=admin, by=admin)


def test_an_admin_removing_themselves_lands_somewhere_they_may_see(login, centre, people):
    admin = people["centre_admin"]
    MembershipFactory(user=admin, centre=centre, role=Role.TEACHER)
    MembershipFactory(
        user=UserFactory(email="x@northfield.example"), centre=centre, role="centre_admin"
    )
    response = login(admin).post(
        users_url(centre, "centres:users-revoke-role", admin.pk, "centre_admin")
    )
    assert response["Location"] == reverse("centres:home", args=[centre.number])
    response = login(admin).post(users_url(centre, "centres:users-remove", admin.pk))
    assert response.status_code == 403  # no longer a centre admin


def test_grant_role_keeps_its_behaviour(centre, people, head_record):
    membership = grant_role(
        centre=centre, user=people["outsider"], role=Role.TEACHER, by=people["staff"]
    )
    assert membership.role == Role.TEACHER
    assert "membership.granted" in actions(centre)
    assert any(m.to == ["head@northfield.example"] for m in mail.outbox)
    with pytest.raises(CentreError, match="already teacher"):
        grant_role(centre=centre, user=people["outsider"], role=Role.TEACHER, by=people["staff"])


def test_without_a_head_record_users_with_the_head_role_are_told(centre, people):
    mail.outbox.clear()
    revoke_role(centre=centre, user=people["teacher"], role=Role.TEACHER, by=people["centre_admin"])
    assert any(m.to == ["head@northfield.example"] for m in mail.outbox)
    assert people["head_of_centre"].notifications.count() == 1


# --- What the head of centre is told (templates/centres/notices/*_for_head.txt) -------------

FOOTER = "You receive this as head of centre of Northfield Academy (12345)."


def told_head():
    """The one email the head of centre was sent since the outbox was last cleared."""
    (message,) = [m for m in mail.outbox if "head@northfield.example" in m.to]
    mail.outbox.clear()
    return message.subject.removeprefix("[ocradmin] "), message.body


def who(user) -> str:
    return f"{user.get_full_name()} <{user.email}>"


def test_the_head_is_told_of_every_change_to_the_centres_people(centre, people, head_record):
    admin, outsider = people["centre_admin"], people["outsider"]
    mail.outbox.clear()

    grant_role(centre=centre, user=outsider, role=Role.TEACHER, by=admin)
    assert told_head() == (
        "12345 Northfield Academy: nobody@elsewhere.example is now teacher",
        f"{who(admin)} gave {who(outsider)} the role Teacher.\n\n{FOOTER}",
    )

    revoke_role(centre=centre, user=outsider, role=Role.TEACHER, by=admin)
    assert told_head() == (
        "12345 Northfield Academy: nobody@elsewhere.example is no longer teacher",
        f"{who(admin)} removed the role Teacher from {who(outsider)}.\n\n{FOOTER}",
    )

    remove_person(centre=centre, user=people["aam_user"], by=admin)
    assert told_head() == (
        "12345 Northfield Academy: materials@northfield.example has been removed",
        f"{who(admin)} removed {who(people['aam_user'])} from the centre "
        "(roles: Assessment materials user)."
        f"\n\n{FOOTER}",
    )

    with time_machine.travel("2021-03-01 10:00Z", tick=False):
        invitation = invite_person(
            centre=centre,
            email="nia@northfield.example",
            full_name="Nia New",
            roles=[Role.TEACHER, Role.CENTRE_ADMIN],
            by=admin,
        ).invitation
    assert told_head() == (
        "12345 Northfield Academy: nia@northfield.example invited as centre admin, teacher",
        f"{who(admin)} invited Nia New <nia@northfield.example> to join as: Centre admin, "
        f"Teacher. The invitation expires on 15 March 2021.\n\n{FOOTER}",
    )

    cancel_invitation(invitation=invitation, by=admin)
    assert told_head() == (
        "12345 Northfield Academy: invitation to nia@northfield.example cancelled",
        f"{who(admin)} cancelled the invitation to Nia New <nia@northfield.example> "
        f"(Centre admin, Teacher).\n\n{FOOTER}",
    )

    invitation = invite_person(
        centre=centre,
        email=outsider.email,
        full_name="Anyone",
        roles=[Role.TEACHER],
        by=admin,
    ).invitation
    mail.outbox.clear()
    accept_invitation(invitation=invitation, by=outsider)
    assert told_head() == (
        "12345 Northfield Academy: nobody@elsewhere.example joined as teacher",
        f"{who(outsider)} accepted the invitation and now holds: Teacher.\n\n{FOOTER}",
    )


def test_the_head_is_told_of_new_head_details(centre, people, head_record):
    admin = people["centre_admin"]
    mail.outbox.clear()
    update_head_of_centre(
        centre=centre,
        name="Hilary Head",
        job_title="Principal",
        email="head@northfield.example",
        by=admin,
    )
    assert told_head() == (
        "12345 Northfield Academy: head of centre details updated",
        f"{who(admin)} updated the head of centre details:\n"
        f"- job title: Headteacher → Principal\n\n{FOOTER}",
    )


def test_the_previous_head_is_told_of_a_new_head(centre, people, head_record):
    admin = people["centre_admin"]
    mail.outbox.clear()
    update_head_of_centre(
        centre=centre,
        name="Pat Principal",
        job_title="Principal",
        email="pat@northfield.example",
        by=admin,
    )
    assert told_head() == (
        "12345 Northfield Academy: new head of centre named",
        f"{who(admin)} named a new head of centre:\n"
        "- name: Hilary Head → Pat Principal\n"
        "- job title: Headteacher → Principal\n"
        "- email: head@northfield.example → pat@northfield.example\n\n"
        "Hilary Head <head@northfield.example> no longer holds the head-of-centre role. "
        "Pat Principal holds it once they accept by the link sent to pat@northfield.example. "
        f"If this change is wrong, tell the awarding body at {settings.STAFF_EMAIL}."
        f"\n\n{FOOTER}",
    )


def test_the_first_head_named_is_told_on_the_record_they_are_named_in(centre, people):
    admin = people["centre_admin"]
    mail.outbox.clear()
    update_head_of_centre(
        centre=centre,
        name="Pat Principal",
        job_title="Principal",
        email="pat@northfield.example",
        by=admin,
    )
    told = [m for m in mail.outbox if "new head of centre named" in m.subject]
    assert [m.to for m in told] == [["pat@northfield.example"]]
    assert told[0].subject == "[ocradmin] 12345 Northfield Academy: new head of centre named"
    assert told[0].body == (
        f"{who(admin)} named a new head of centre:\n"
        "- name: (none) → Pat Principal\n"
        "- job title: (none) → Principal\n"
        f"- email: (none) → pat@northfield.example\n\n{FOOTER}"
    )


# --- Head of centre -------------------------------------------------------------------------


def head_link_in(email) -> str:
    (message,) = [m for m in mail.outbox if m.to == [email] and "Confirm you are head" in m.subject]
    return re.search(r"https?://[^/\s]+(/head-of-centre/\S+/)", message.body).group(1)


def test_centre_admin_names_the_head_who_holds_the_role_only_after_accepting(
    client, login, centre, people, django_capture_on_commit_callbacks
):
    head_user = UserFactory(email="hilary@northfield.example", full_name="Hilary Head")
    admin = login(people["centre_admin"])
    assert admin.get(users_url(centre, "centres:users-head")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            users_url(centre, "centres:users-head"),
            {
                "name": "Hilary Head",
                "job_title": "Headteacher",
                "email": "HILARY@northfield.example",
            },
        )
    assert response.status_code == 302
    head = HeadOfCentre.objects.get(centre=centre)
    assert head.email == "hilary@northfield.example"
    assert (head.user, head.accepted_at) == (None, None)
    assert Role.HEAD_OF_CENTRE not in roles_of(head_user, centre)  # not by typing an address
    event = AuditEvent.objects.get(action="head_of_centre.created")
    assert event.data["old"] is None
    assert event.data["new"]["name"] == "Hilary Head"

    link = head_link_in("hilary@northfield.example")
    admin.logout()
    # Someone else signed in cannot use it.
    assert "this link is for" in login(people["teacher"]).get(link).content.decode()
    login(people["teacher"]).post(link)
    assert Role.HEAD_OF_CENTRE not in roles_of(people["teacher"], centre)
    # The named person, signed in, accepts.
    login(head_user).post(link)
    head.refresh_from_db()
    assert head.user == head_user and head.is_accepted and head.token is None
    assert Role.HEAD_OF_CENTRE in roles_of(head_user, centre)
    assert AuditEvent.objects.filter(action="head_of_centre.accepted").exists()
    assert people["centre_admin"].notifications.filter(subject__contains="accepted").exists()
    # The link works once.
    again = client.get(link)
    assert again.status_code == 404
    assert "This link cannot be used" in again.content.decode()


def test_a_named_head_without_an_account_sets_one_up_on_the_link(
    client, centre, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        update_head_of_centre(
            centre=centre,
            name="Pat Principal",
            job_title="Principal",
            email="pat@northfield.example",
            by=people["centre_admin"],
        )
    link = head_link_in("pat@northfield.example")
    assert client.get(link).context["mode"] == "create"
    response = client.post(
        link, {"full_name": "Pat Principal", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    pat = User.objects.get(email="pat@northfield.example")
    assert Role.HEAD_OF_CENTRE in roles_of(pat, centre)
    assert HeadOfCentre.objects.get(centre=centre).user == pat


def test_a_centre_admin_cannot_name_themselves_head(login, centre, people):
    response = login(people["centre_admin"]).post(
        users_url(centre, "centres:users-head"),
        {"name": "Me", "job_title": "Exams officer", "email": "Officer@Northfield.example"},
    )
    assert response.status_code == 200
    assert "cannot name yourself head of centre" in response.content.decode()
    assert not HeadOfCentre.objects.exists()
    assert not mail.outbox


def test_a_new_head_is_emailed_to_the_previous_head_who_loses_the_role(
    login, centre, people, head_record, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = login(people["centre_admin"]).post(
            users_url(centre, "centres:users-head"),
            {"name": "Pat Principal", "job_title": "Principal", "email": "pat@northfield.example"},
        )
    assert response.status_code == 302
    head_record.refresh_from_db()
    assert (head_record.name, head_record.email, head_record.user, head_record.accepted_at) == (
        "Pat Principal",
        "pat@northfield.example",
        None,
        None,
    )
    assert Role.HEAD_OF_CENTRE not in roles_of(people["head_of_centre"], centre)
    event = AuditEvent.objects.get(action="head_of_centre.updated")
    assert event.data["old"] == {
        "name": "Hilary Head",
        "job_title": "Headteacher",
        "email": "head@northfield.example",
    }
    assert event.data["new"] == {
        "name": "Pat Principal",
        "job_title": "Principal",
        "email": "pat@northfield.example",
    }
    told = next(m for m in mail.outbox if "new head of centre" in m.subject)
    assert "head@northfield.example" in told.to
    assert "Hilary Head → Pat Principal" in told.body
    assert head_link_in("pat@northfield.example")

    # Staff see the change on their board.
    board = login(people["staff"]).get(reverse("staff-board")).content.decode()
    assert "Heads of centre named recently" in board
    assert "Pat Principal" in board


def test_head_of_centre_unchanged_writes_nothing(login, centre, people, head_record):
    before = actions()
    update_head_of_centre(
        centre=centre,
        name="Hilary Head",
        job_title="Headteacher",
        email="head@northfield.example",
        by=people["centre_admin"],
    )
    assert actions() == before


def test_a_new_job_title_for_the_same_head_keeps_the_role(centre, people, head_record):
    update_head_of_centre(
        centre=centre,
        name="Hilary Head",
        job_title="Executive Headteacher",
        email="head@northfield.example",
        by=people["centre_admin"],
    )
    head_record.refresh_from_db()
    assert head_record.is_accepted
    assert Role.HEAD_OF_CENTRE in roles_of(people["head_of_centre"], centre)


def test_head_of_centre_bad_input(login, centre, people, head_record):
    response = login(people["centre_admin"]).post(
        users_url(centre, "centres:users-head"),
        {"name": "", "job_title": "Head", "email": "not-an-email"},
    )
    assert response.status_code == 200
    assert {"name", "email"} <= set(response.context["form"].errors)
    with pytest.raises(CentreError):
        update_head_of_centre(centre=centre, name="A", job_title="B", email="x", by=None)
    head_record.refresh_from_db()
    assert head_record.name == "Hilary Head"


# --- Dashboard panel and demo ---------------------------------------------------------------


def test_dashboard_shows_pending_invitations_to_centre_admins(login, centre, people, invitation):
    page = login(people["centre_admin"]).get("/").content.decode()
    assert "1 invitation not yet accepted" in page
    assert invitation.email in page
    assert reverse("centres:users", args=[centre.number]) in page
    for person in ("teacher", "other_centre_admin"):
        page = login(people[person]).get("/").content.decode()
        assert invitation.email not in page


def test_demo_seed_is_idempotent(db):
    from centres import demo

    for _ in range(2):
        demo.seed(password=PASSWORD, log=lambda *_: None)
    for number, domain in [("12345", "northfield"), ("23456", "riverside")]:
        head = HeadOfCentre.objects.get(centre__number=number)
        assert head.user.email == f"head@{domain}.example"
        assert head.is_accepted
        assert Role.HEAD_OF_CENTRE in roles_of(head.user, head.centre)
    waiting = Invitation.objects.get(email="newteacher@northfield.example")
    assert waiting.centre.number == "12345" and waiting.roles == [Role.TEACHER]
    assert waiting.status == Invitation.Status.PENDING


# --- Concurrency ----------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("how", ["remove_person", "revoke_role"])
def test_two_admins_removed_at_once_leaves_one(how):
    centre = CentreFactory(number="34567")
    first, second = UserFactory(email="a1@example.org"), UserFactory(email="a2@example.org")
    staff = UserFactory(email="boss@example.org", is_staff=True)
    for admin in (first, second):
        MembershipFactory(user=admin, centre=centre, role=Role.CENTRE_ADMIN)
    barrier = threading.Barrier(2)
    outcomes = []

    def remove(user):
        try:
            barrier.wait(timeout=10)
            fresh = Centre.objects.get(pk=centre.pk)
            if how == "remove_person":
                remove_person(centre=fresh, user=user, by=staff)
            else:
                revoke_role(centre=fresh, user=user, role=Role.CENTRE_ADMIN, by=staff)
            outcomes.append("ok")
        except CentreError as error:
            outcomes.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=remove, args=(u,)) for u in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == sorted(["ok", LAST_ADMIN_MESSAGE])
    assert Membership.objects.filter(centre=centre, role=Role.CENTRE_ADMIN).count() == 1
