"""Self-registration: an inactive account, a confirmation link, no account enumeration."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from ocradmin.models import AuditEvent, User
from ocradmin.registration import activation_token

from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "vocational-moderation-42"


def form(email="new.applicant@hillside.example", **overrides):
    return {"email": email, "full_name": "Nadia Applicant", **overrides}


def password(value=NEW_PASSWORD, **overrides):
    """What the confirmation page posts: the name (kept) and the chosen password."""
    return {"full_name": "Nadia Applicant", "password1": value, "password2": value, **overrides}


@pytest.fixture
def register(client, django_capture_on_commit_callbacks):
    def post(data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("register"), data)

    return post


def link_in(message) -> str:
    match = re.search(r"https?://\S+(/accounts/register/confirm/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_the_form_is_offered_from_the_sign_in_page(client):
    assert reverse("register") in client.get(reverse("login")).content.decode()
    page = client.get(reverse("register"))
    assert page.status_code == 200
    for label in ("Email address", "Full name"):
        assert label in page.content.decode()
    assert "Password" not in page.content.decode()  # chosen on the emailed link


def test_registering_creates_an_inactive_account_and_emails_a_link(register):
    response = register(form(email="New.Applicant@Hillside.example"))

    assert response.status_code == 302
    assert response["Location"] == reverse("register-done")
    user = User.objects.get(email="new.applicant@hillside.example")
    assert not user.is_active
    assert user.full_name == "Nadia Applicant"
    assert not user.has_usable_password()
    assert [m.to for m in mail.outbox] == [["new.applicant@hillside.example"]]
    assert "Confirm your email address" in mail.outbox[0].subject
    assert AuditEvent.objects.filter(action="account.registered", target_id=str(user.pk)).exists()


def test_the_link_activates_signs_in_and_leads_to_the_application(client, register):
    register(form())
    link = link_in(mail.outbox[0])

    page = client.get(link)
    assert page.status_code == 200
    assert "Confirm my account" in page.content.decode()
    assert "Password again" in page.content.decode()
    assert not User.objects.get(email="new.applicant@hillside.example").is_active  # GET is safe

    response = client.post(link, password(full_name="Nadia  Applicant-Smith "))
    assert response.status_code == 302
    assert response["Location"] == reverse("centres:apply")
    user = User.objects.get(email="new.applicant@hillside.example")
    assert user.is_active
    assert user.check_password(NEW_PASSWORD)
    assert user.full_name == "Nadia Applicant-Smith"
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get(reverse("centres:apply"), follow=True).status_code == 200
    assert AuditEvent.objects.filter(action="account.confirmed", target_id=str(user.pk)).exists()

    # A link works once.
    client.logout()
    again = client.post(link, password())
    assert again.status_code == 400
    assert "expired or was already used" in again.content.decode()


def test_the_new_account_can_sign_in_after_confirming(client, register):
    register(form())
    client.post(link_in(mail.outbox[0]), password())
    client.logout()
    response = client.post(
        reverse("login"), {"username": "new.applicant@hillside.example", "password": NEW_PASSWORD}
    )
    assert response.status_code == 302


def test_an_unconfirmed_account_cannot_sign_in(client, register):
    register(form())
    response = client.post(
        reverse("login"), {"username": "new.applicant@hillside.example", "password": NEW_PASSWORD}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "tamper",
    [
        lambda uid, token: (uid, token[:-2] + ("aa" if not token.endswith("aa") else "bb")),
        lambda uid, token: (urlsafe_base64_encode(b"999999"), token),
        lambda uid, token: ("not-base64!", token),
        lambda uid, token: (uid, "garbage-token"),
    ],
)
def test_a_bad_link_is_refused(client, register, tamper):
    register(form())
    user = User.objects.get(email="new.applicant@hillside.example")
    uid, token = tamper(
        urlsafe_base64_encode(force_bytes(user.pk)), activation_token.make_token(user)
    )
    url = reverse("register-confirm", kwargs={"uidb64": uid, "token": token})

    assert client.get(url).status_code == 400
    response = client.post(url, password())
    assert response.status_code == 400
    assert "expired or was already used" in response.content.decode()
    user.refresh_from_db()
    assert not user.is_active
    assert "_auth_user_id" not in client.session


def test_a_link_older_than_three_days_is_refused(client, register):
    register(form())
    link = link_in(mail.outbox[0])
    with time_machine.travel(timezone.now() + timedelta(days=3, hours=1)):
        assert client.post(link, password()).status_code == 400
    assert not User.objects.get(email="new.applicant@hillside.example").is_active
    with time_machine.travel(timezone.now() + timedelta(days=2, hours=23)):
        assert client.post(link, password()).status_code == 302


def test_a_password_reset_token_does_not_activate(client, register):
    register(form())
    user = User.objects.get(email="new.applicant@hillside.example")
    url = reverse(
        "register-confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    assert client.post(url, password()).status_code == 400
    user.refresh_from_db()
    assert not user.is_active


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"password2": "something-else-entirely"}, "password2", "different"),
        ({"password1": "password", "password2": "password"}, "password1", "too common"),
        ({"password1": "12345678901", "password2": "12345678901"}, "password1", "numeric"),
        ({"full_name": "  "}, "full_name", "Enter your full name"),
    ],
)
def test_a_bad_password_on_confirming_is_refused_and_the_account_stays_inactive(
    client, register, overrides, field, message
):
    register(form())
    link = link_in(mail.outbox[0])
    response = client.post(link, password(**overrides))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    user = User.objects.get(email="new.applicant@hillside.example")
    assert not user.is_active
    assert not user.has_usable_password()
    assert client.post(link, password()).status_code == 302  # the link still works


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "in the correct format"),
        ({"full_name": "   "}, "full_name", "Enter your full name"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_created(register, overrides, field, message):
    response = register(form(**overrides))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors[field])
    assert message in errors
    assert not User.objects.filter(email="new.applicant@hillside.example").exists()
    assert not mail.outbox


def test_an_existing_address_gets_the_same_page_and_an_email_instead(register):
    existing = UserFactory(email="officer@northfield.example")

    response = register(form(email="Officer@Northfield.example", password1=NEW_PASSWORD))  # ignored

    assert response.status_code == 302
    assert response["Location"] == reverse("register-done")
    assert User.objects.filter(email__iexact="officer@northfield.example").count() == 1
    existing.refresh_from_db()
    assert existing.is_active
    assert existing.check_password(PASSWORD)  # the form did not change the password
    (message,) = mail.outbox
    assert message.to == ["officer@northfield.example"]
    assert "already have" in message.subject
    assert "/accounts/reset/" in message.body  # a password-reset link


def test_the_reset_link_in_that_email_works(client, register):
    UserFactory(email="officer@northfield.example")
    register(form(email="officer@northfield.example"))
    path = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    response = client.get(path, follow=True)
    assert response.context["validlink"]


def test_registering_again_before_confirming_sends_a_new_link_and_spends_the_old(client, register):
    register(form())
    register(form(full_name="Someone Else"))

    user = User.objects.get(email="new.applicant@hillside.example")
    assert not user.has_usable_password()
    assert len(mail.outbox) == 2
    first, second = link_in(mail.outbox[0]), link_in(mail.outbox[1])
    assert client.post(first, password()).status_code == 400
    assert client.post(second, password()).status_code == 302


def test_a_password_pending_from_before_is_dropped_by_a_second_registration(register):
    """Accounts registered when the form still took a password keep none across a new
    registration: only the person who opens the newest link chooses it."""
    pending = UserFactory(email="new.applicant@hillside.example", is_active=False)
    pending.set_password("attackers-choice-1")
    pending.save()
    register(form())
    user = User.objects.get(email="new.applicant@hillside.example")
    assert not user.check_password("attackers-choice-1")
    assert not user.has_usable_password()


def test_a_switched_off_account_is_not_reactivated_by_registering(register):
    UserFactory(email="gone@northfield.example", is_active=False, last_login=timezone.now())
    response = register(form(email="gone@northfield.example"))
    assert response["Location"] == reverse("register-done")
    (message,) = mail.outbox
    assert "/accounts/register/confirm/" not in message.body
    assert "switched off" in message.body


def test_registration_needs_the_csrf_token():
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(reverse("register"), form()).status_code == 403
    assert not User.objects.filter(email="new.applicant@hillside.example").exists()


def test_a_signed_in_user_is_sent_to_the_application(login, people):
    response = login(people["outsider"]).get(reverse("register"))
    assert response.status_code == 302
    assert response["Location"] == reverse("centres:apply")


# --- The account takeover before the owner arrives (issue: attacker registers first) ----------

ATTACKER_PASSWORD = "attackers-own-pass-99"
INVITEE = "newteacher@northfield.example"


def sign_in_works(email, secret) -> bool:
    browser = Client()
    browser.post(reverse("login"), {"username": email, "password": secret})
    return "_auth_user_id" in browser.session


@pytest.fixture
def invitation(people, centre, django_capture_on_commit_callbacks):
    from centres.services.people import invite_person

    with django_capture_on_commit_callbacks(execute=True):
        invite_person(
            centre=centre,
            email=INVITEE,
            full_name="Nia Teacher",
            roles=["teacher"],
            by=people["centre_admin"],
        )
    (message,) = [m for m in mail.outbox if m.to == [INVITEE]]
    mail.outbox.clear()
    return re.search(r"https?://[^/\s]+(/invitations/\S+/)", message.body).group(1)


def attacker_registers(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(
            reverse("register"),
            {
                "email": INVITEE,
                "full_name": "Mallory",
                "password1": ATTACKER_PASSWORD,
                "password2": ATTACKER_PASSWORD,
            },
        )


def test_an_attacker_registering_the_invited_address_first_gets_nothing_when_the_invitee_registers(
    invitation, django_capture_on_commit_callbacks
):
    attacker_registers(django_capture_on_commit_callbacks)

    # The invitee, told nothing useful by the invitation page, registers and confirms.
    invitee = Client()
    with django_capture_on_commit_callbacks(execute=True):
        invitee.post(
            reverse("register"),
            {"email": INVITEE, "full_name": "Nia Teacher", **password(NEW_PASSWORD)},
        )
    confirm = link_in(mail.outbox[-1])
    assert (
        invitee.post(confirm, {**password(NEW_PASSWORD), "full_name": "Nia Teacher"}).status_code
        == 302
    )
    # ...and accepts the invitation, signed in.
    invitee.post(invitation)

    user = User.objects.get(email=INVITEE)
    assert user.full_name == "Nia Teacher"
    assert user.memberships.filter(role="teacher").exists()
    assert not sign_in_works(INVITEE, ATTACKER_PASSWORD)
    assert sign_in_works(INVITEE, NEW_PASSWORD)


def test_an_attacker_registering_the_invited_address_first_gets_nothing_when_the_invitee_accepts(
    invitation, django_capture_on_commit_callbacks
):
    attacker_registers(django_capture_on_commit_callbacks)

    invitee = Client()
    page = invitee.get(invitation)
    assert page.context["mode"] == "create"  # not "sign in": the account was never theirs
    with django_capture_on_commit_callbacks(execute=True):
        response = invitee.post(invitation, password(NEW_PASSWORD, full_name="Nia Teacher"))
    assert response.status_code == 302

    user = User.objects.get(email=INVITEE)
    assert user.is_active
    assert user.full_name == "Nia Teacher"
    assert user.memberships.filter(role="teacher").exists()
    assert not sign_in_works(INVITEE, ATTACKER_PASSWORD)
    assert sign_in_works(INVITEE, NEW_PASSWORD)
    # The attacker's old confirmation link is spent.
    (attacker_mail,) = [m for m in mail.outbox if "Confirm" in m.subject]
    attacker_link = link_in(attacker_mail)
    assert Client().post(attacker_link, password(ATTACKER_PASSWORD)).status_code == 400
    assert AuditEvent.objects.filter(action="user.claimed_from_invitation").exists()
