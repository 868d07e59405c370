"""Sessions: an idle timeout, an absolute lifetime, and every other session ended by a
password change."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ..factories import PASSWORD

pytestmark = pytest.mark.django_db


def signed_in(client) -> bool:
    return client.get(reverse("dashboard")).status_code == 200


def sign_in(client, user, password=PASSWORD):
    response = client.post(reverse("login"), {"username": user.email, "password": password})
    assert response.status_code == 302
    return client


def test_a_session_ends_after_the_idle_timeout(client, people, settings):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, people["teacher"])
    with time_machine.travel(start + timedelta(minutes=settings.SESSION_IDLE_MINUTES - 1)):
        assert signed_in(client)  # and the request renews it
    with time_machine.travel(start + timedelta(minutes=2 * settings.SESSION_IDLE_MINUTES - 3)):
        assert signed_in(client)
    with time_machine.travel(start + timedelta(minutes=3 * settings.SESSION_IDLE_MINUTES)):
        assert not signed_in(client)


def test_a_busy_session_still_ends_at_the_absolute_lifetime(client, people, settings):
    settings.SESSION_ABSOLUTE_HOURS = 2
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, people["teacher"])
    step = timedelta(minutes=settings.SESSION_IDLE_MINUTES - 5)
    moment = start
    while moment + step < start + timedelta(hours=2):
        moment += step
        with time_machine.travel(moment, tick=False):
            assert signed_in(client)
    with time_machine.travel(start + timedelta(hours=2, minutes=1), tick=False):
        assert not signed_in(client)


def test_a_password_change_signs_out_every_other_session(people):
    teacher = people["teacher"]
    laptop, phone = sign_in(Client(), teacher), sign_in(Client(), teacher)
    new = "a-fresh-long-passphrase-7"
    response = laptop.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert signed_in(laptop)  # the session that changed it stays
    assert not signed_in(phone)
