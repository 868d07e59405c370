"""Signing in and out, lockout, password reset, the dashboard and notifications in the header."""

import re
from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ocradmin.models import Notification

from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def sign_in(client, email, password=PASSWORD):
    return client.post(LOGIN, {"username": email, "password": password})


def signed_in_as(client):
    response = client.get(reverse("dashboard"))
    return response.context["user"] if response.status_code == 200 else None


@pytest.fixture
def officer(people):
    return people["centre_admin"]


def test_the_sign_in_page_asks_for_an_email_address(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'type="email"' in html
    assert "Email address" in html
    assert 'autocomplete="email"' in html


def test_sign_in_by_email_in_any_case(client, officer):
    response = sign_in(client, "  Officer@NORTHFIELD.example ".strip())
    assert response.status_code == 302
    assert response.url == reverse("dashboard")
    assert signed_in_as(client) == officer


def test_sign_in_follows_next(client, officer, centre):
    home = reverse("centres:home", args=[centre.number])
    response = client.post(LOGIN, {"username": officer.email, "password": PASSWORD, "next": home})
    assert response.status_code == 302
    assert response.url == home


def test_sign_in_does_not_follow_next_to_another_site(client, officer):
    response = client.post(
        LOGIN,
        {"username": officer.email, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.url == reverse("dashboard")


def test_wrong_password_is_refused_with_a_message(client, officer):
    response = sign_in(client, officer.email, "not-the-password")
    assert response.status_code == 200
    html = response.content.decode()
    assert "correct email address and password" in html
    assert "both fields may be case-sensitive" not in html  # the address is not
    # In the error summary, announced (role="alert") and focused when the page loads.
    assert re.search(
        r'<div class="alert[^"]*error-summary" role="alert"[^>]*>\s*<h2[^>]*>There is a problem'
        r"</h2>\s*<ul[^>]*>\s*<li>Please enter a correct email address",
        html,
    )
    assert "<title>Error: " in html
    assert signed_in_as(client) is None


def test_an_inactive_user_cannot_sign_in(client):
    UserFactory(email="gone@example.org", is_active=False)
    response = sign_in(client, "gone@example.org")
    assert response.status_code == 200
    assert signed_in_as(client) is None


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


# --- lockout (django-axes) -------------------------------------------------------------------


def fail(client, email, times):
    return [sign_in(client, email, f"wrong-{i}") for i in range(times)]


def test_five_failures_lock_the_account_out(client, officer):
    responses = fail(client, "officer@northfield.example", 4)
    assert all(r.status_code == 200 for r in responses)
    locked = sign_in(client, officer.email, "wrong-again")
    assert locked.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in locked.templates]
    assert "Too many failed sign-in attempts" in locked.content.decode()

    # The right password does not help while locked out, in any case of the address.
    response = sign_in(client, "OFFICER@northfield.example")
    assert response.status_code == 429
    assert signed_in_as(client) is None


def test_the_lockout_is_per_address(client, officer, people):
    fail(client, officer.email, 5)
    response = sign_in(client, people["teacher"].email)
    assert response.status_code == 302


def test_resetting_the_lockout_lets_the_user_back_in(client, officer):
    fail(client, officer.email, 5)
    assert sign_in(client, officer.email).status_code == 429
    axes_reset(username=officer.email)
    assert not AccessAttempt.objects.exists()
    response = sign_in(client, officer.email)
    assert response.status_code == 302
    assert signed_in_as(client) == officer


def test_a_successful_sign_in_clears_earlier_failures(client, officer):
    fail(client, officer.email, 4)
    assert sign_in(client, officer.email).status_code == 302
    client.post(reverse("logout"))
    assert all(r.status_code == 200 for r in fail(client, officer.email, 4))
    assert sign_in(client, officer.email).status_code == 302


# --- password reset --------------------------------------------------------------------------


def test_password_reset_end_to_end(client, officer):
    response = client.post(
        reverse("password_reset"), {"email": "OFFICER@northfield.example"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [officer.email]
    link = re.search(r"https?://[^\s]+/accounts/reset/[^\s]+", message.body).group(0)
    path = link.split("testserver", 1)[1]

    form = client.get(path, follow=True)
    assert form.status_code == 200
    assert form.context["validlink"]
    set_password_url = form.redirect_chain[-1][0]
    new_password = "a-brand-new-passphrase-42"
    done = client.post(
        set_password_url,
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done.status_code == 302
    assert done.url == reverse("password_reset_complete")

    # The link is spent, the old password no longer works and the new one does.
    assert not client.get(path, follow=True).context["validlink"]
    assert sign_in(client, officer.email, PASSWORD).status_code == 200
    assert sign_in(client, officer.email, new_password).status_code == 302


def test_password_reset_for_an_unknown_address_says_the_same_and_sends_nothing(client):
    response = client.post(reverse("password_reset"), {"email": "who@nowhere.example"})
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert mail.outbox == []


def test_password_reset_rejects_a_weak_password(client, officer):
    client.post(reverse("password_reset"), {"email": officer.email})
    link = re.search(r"/accounts/reset/[^\s]+", mail.outbox[0].body).group(0)
    form = client.get(link, follow=True)
    response = client.post(
        form.redirect_chain[-1][0], {"new_password1": "12345678", "new_password2": "12345678"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)


# --- signing out -----------------------------------------------------------------------------


def test_sign_out_is_a_post(client, officer):
    client.force_login(officer)
    assert client.get(reverse("logout")).status_code == 405
    assert signed_in_as(client) == officer
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert signed_in_as(client) is None


def test_the_header_signs_out_with_a_post_form(login, officer):
    html = login(officer).get(reverse("dashboard")).content.decode()
    form = re.search(r'<form method="post" action="/accounts/logout/">(.*?)</form>', html, re.S)
    assert form and "csrfmiddlewaretoken" in form.group(1)


# --- the dashboard ---------------------------------------------------------------------------


def test_dashboard_shows_my_centres_and_roles(login, people, centre):
    from centres.models import Role

    from ..factories import MembershipFactory

    officer = people["centre_admin"]
    MembershipFactory(user=officer, centre=centre, role=Role.TEACHER)
    html = login(officer).get(reverse("dashboard")).content.decode()
    assert "12345 Northfield Academy" in html
    assert reverse("centres:home", args=["12345"]) in html
    assert "Centre admin, Teacher" in html or "Teacher, Centre admin" in html
    assert "Riverside College" not in html


def test_dashboard_for_someone_with_no_roles(login, people):
    html = login(people["outsider"]).get(reverse("dashboard")).content.decode()
    assert "Nothing to do right now" in html
    assert "You have no role at a centre yet" in html
    assert "Northfield" not in html


def test_dashboard_for_a_moderator_says_what_will_appear_not_no_centre_roles(login, people):
    html = login(people["moderator"]).get(reverse("dashboard")).content.decode()
    assert "no centre roles" not in html and "no role at a centre" not in html
    assert "as an examiner-moderator" in html


def test_dashboard_query_count_does_not_grow_with_centres(login, django_assert_max_num_queries):
    from centres.models import Role

    from ..factories import CentreFactory, MembershipFactory

    user = UserFactory(email="many@example.org")
    client = login(user)
    MembershipFactory(user=user, centre=CentreFactory(), role=Role.CENTRE_ADMIN)
    client.get(reverse("dashboard"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(reverse("dashboard"))
    for _ in range(8):
        MembershipFactory(user=user, centre=CentreFactory(), role=Role.CENTRE_ADMIN)
    with CaptureQueriesContext(connection) as nine:
        html = client.get(reverse("dashboard")).content.decode()
    assert html.count("Test Centre") >= 9
    assert len(nine) == len(one), "\n".join(q["sql"] for q in nine)


# --- notifications ---------------------------------------------------------------------------


def unread_badge(html):
    match = re.search(r'badge[^"]*">(\d+)<span class="visually-hidden"> unread', html)
    return int(match.group(1)) if match else 0


def test_unread_count_in_the_header_and_mark_all_read(login, people):
    me, someone_else = people["teacher"], people["head_of_centre"]
    for subject in ("Entries accepted", "Claim overdue"):
        Notification.objects.create(user=me, subject=subject, url="/centres/12345/")
    Notification.objects.create(user=me, subject="Old news", read_at=timezone.now())
    Notification.objects.create(user=someone_else, subject="Not yours")
    client = login(me)

    html = client.get(reverse("dashboard")).content.decode()
    assert unread_badge(html) == 2
    assert "Entries accepted" in html  # the dashboard's unread panel
    listing = client.get(reverse("notifications")).content.decode()
    assert "Claim overdue" in listing and "Old news" in listing
    assert "Not yours" not in listing
    assert "Mark all as read" in listing

    assert client.get(reverse("notifications-read")).status_code == 405
    response = client.post(reverse("notifications-read"))
    assert response.status_code == 302
    assert response.url == reverse("notifications")

    assert not Notification.objects.filter(user=me, read_at__isnull=True).exists()
    assert Notification.objects.get(user=someone_else).read_at is None
    html = client.get(reverse("dashboard")).content.decode()
    assert unread_badge(html) == 0
    assert "Entries accepted" not in html
    assert "Mark all as read" not in client.get(reverse("notifications")).content.decode()


def test_notifications_page_paginates(login, people):
    me = people["teacher"]
    Notification.objects.bulk_create(
        Notification(user=me, subject=f"Message {i}") for i in range(30)
    )
    client = login(me)
    first = client.get(reverse("notifications"))
    assert len(first.context["object_list"]) == 25
    assert "Page 1 of 2" in first.content.decode()
    assert len(client.get(reverse("notifications"), {"page": 2}).context["object_list"]) == 5


# --- lockout behind the reverse proxy ---------------------------------------------------------


def sign_in_from(client, address, email, password=PASSWORD, proxy="10.0.0.2"):
    """A sign-in through one reverse proxy: the proxy's address on the socket, the client's
    appended to X-Forwarded-For (after anything the client wrote there itself)."""
    return client.post(
        LOGIN,
        {"username": email, "password": password},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR=address,
    )


def test_behind_the_proxy_an_attacker_elsewhere_cannot_lock_the_head_out(client, settings, people):
    settings.PROXY_COUNT = 1
    head = people["head_of_centre"]
    for i in range(6):
        sign_in_from(client, "203.0.113.66", head.email, f"guess-{i}")
    assert sign_in_from(client, "203.0.113.66", head.email).status_code == 429

    # The head, at school, through the same proxy: signs in.
    response = sign_in_from(client, "198.51.100.7", head.email)
    assert response.status_code == 302
    assert signed_in_as(client) == head
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.66"}


def test_behind_the_proxy_the_client_cannot_forge_its_address(client, settings, officer):
    """Only the address the proxy appended counts: a forged left part changes nothing."""
    settings.PROXY_COUNT = 1
    for i in range(5):
        sign_in_from(client, f"192.0.2.{i}, 203.0.113.66", officer.email, f"guess-{i}")
    assert sign_in_from(client, "192.0.2.99, 203.0.113.66", officer.email).status_code == 429
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.66"]


def test_without_a_proxy_count_the_forwarded_header_is_ignored(client, settings, officer):
    settings.PROXY_COUNT = 0
    for i in range(5):
        sign_in_from(client, f"192.0.2.{i}", officer.email, f"guess-{i}", proxy="198.51.100.1")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["198.51.100.1"]
    assert sign_in_from(client, "192.0.2.200", officer.email, proxy="198.51.100.1").status_code == (
        429
    )


# --- email throttles --------------------------------------------------------------------------


def test_twenty_password_resets_for_one_address_send_a_bounded_number(client, officer, settings):
    pages = [
        client.post(reverse("password_reset"), {"email": officer.email}, follow=True)
        for _ in range(20)
    ]
    assert {p.redirect_chain[-1][0] for p in pages} == {reverse("password_reset_done")}
    # The same neutral page every time.
    assert {p.templates[0].name for p in pages} == {"registration/password_reset_done.html"}
    assert len(mail.outbox) == settings.EMAIL_THROTTLE_PER_ADDRESS


def test_the_reset_throttle_is_per_address_and_per_client(client, officer, people, settings):
    settings.EMAIL_THROTTLE_PER_ADDRESS = 2
    settings.EMAIL_THROTTLE_PER_CLIENT = 5
    for _ in range(3):
        client.post(reverse("password_reset"), {"email": officer.email})
    assert len(mail.outbox) == 2
    # Another address from the same client, until the client's own limit.
    for person in ("teacher", "head_of_centre", "aam_user"):
        client.post(reverse("password_reset"), {"email": people[person].email})
    assert [m.to for m in mail.outbox[2:]] == [
        [people["teacher"].email],
        [people["head_of_centre"].email],
    ]
    # Another client asking for the first address: that address's limit still holds...
    other = Client(REMOTE_ADDR="198.51.100.9")
    other.post(reverse("password_reset"), {"email": officer.email})
    assert len(mail.outbox) == 4
    # ...while a fresh address from there goes through.
    other.post(reverse("password_reset"), {"email": people["aam_user"].email})
    assert mail.outbox[-1].to == [people["aam_user"].email]


def test_the_throttle_window_passes(client, officer, settings):
    settings.EMAIL_THROTTLE_PER_ADDRESS = 1
    client.post(reverse("password_reset"), {"email": officer.email})
    client.post(reverse("password_reset"), {"email": officer.email})
    assert len(mail.outbox) == 1
    with time_machine.travel(
        timezone.now() + timedelta(seconds=settings.EMAIL_THROTTLE_WINDOW_SECONDS + 5)
    ):
        client.post(reverse("password_reset"), {"email": officer.email})
    assert len(mail.outbox) == 2


def test_twenty_registrations_for_one_address_send_a_bounded_number(
    client, settings, django_capture_on_commit_callbacks
):
    pages = []
    for _ in range(20):
        with django_capture_on_commit_callbacks(execute=True):
            pages.append(
                client.post(
                    reverse("register"),
                    {"email": "target@hillside.example", "full_name": "Tess Target"},
                    follow=True,
                )
            )
    assert {p.redirect_chain[-1][0] for p in pages} == {reverse("register-done")}
    assert len(mail.outbox) == settings.EMAIL_THROTTLE_PER_ADDRESS
    assert {tuple(m.to) for m in mail.outbox} == {("target@hillside.example",)}
