"""Two-factor sign-in: enrolment from the account page, the code at every sign-in (Django admin
too), backup codes, and who must have it when TWO_FACTOR_REQUIRED is on."""

import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ocradmin.models import AuditEvent

from ..factories import PASSWORD

pytestmark = pytest.mark.django_db


def code_for(device, at=None) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = (at or timezone.now()).timestamp()
    return f"{totp.token():0{device.digits}d}"


def sign_in(client, user, password=PASSWORD):
    return client.post(reverse("login"), {"username": user.email, "password": password})


def enrol(client, user) -> list[str]:
    client.get(reverse("two-factor-setup"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("two-factor-setup"), {"code": code_for(device)})
    assert response.status_code == 200
    return response.context["codes"]


def test_anyone_can_enrol_from_their_account_page(client, people):
    teacher = people["teacher"]
    sign_in(client, teacher)
    account = client.get(reverse("account"))
    assert "Set up two-factor sign-in" in account.content.decode()
    setup = client.get(reverse("two-factor-setup"))
    html = setup.content.decode()
    assert 'src="data:image/svg+xml' in html  # drawn here: no outside QR service
    assert "<script" not in html.split("<main", 1)[1]

    codes = enrol(client, teacher)
    assert len(codes) == 10
    assert TOTPDevice.objects.get(user=teacher).confirmed
    assert AuditEvent.objects.filter(action="two_factor.enrolled").exists()


def test_a_wrong_first_code_turns_nothing_on(client, people):
    sign_in(client, people["teacher"])
    client.get(reverse("two-factor-setup"))
    response = client.post(reverse("two-factor-setup"), {"code": "000000"})
    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    assert not TOTPDevice.objects.filter(confirmed=True).exists()


def test_once_enrolled_every_sign_in_asks_for_a_code(client, people):
    teacher = people["teacher"]
    sign_in(client, teacher)
    codes = enrol(client, teacher)
    client.post(reverse("logout"))

    sign_in(client, teacher)
    page = client.get(reverse("dashboard"))
    assert page.status_code == 302 and page.url.startswith(reverse("two-factor-verify"))
    # Nothing else opens, not even replacing the app.
    assert client.get(reverse("centres:home", args=["12345"])).status_code == 302
    assert client.get(reverse("two-factor-setup")).url.startswith(reverse("two-factor-verify"))

    device = TOTPDevice.objects.get(user=teacher)
    assert client.post(reverse("two-factor-verify"), {"code": "123 456"}).status_code == 400
    # A minute on: past the throttle after a wrong code, and a new code from the app.
    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=60)):
        response = client.post(
            reverse("two-factor-verify"), {"code": code_for(device), "next": "/"}
        )
    assert response.status_code == 302 and response.url == "/"
    assert client.get(reverse("dashboard")).status_code == 200

    # A backup code works once.
    client.post(reverse("logout"))
    sign_in(client, teacher)
    assert client.post(reverse("two-factor-verify"), {"code": codes[0]}).status_code == 302
    client.post(reverse("logout"))
    sign_in(client, teacher)
    assert client.post(reverse("two-factor-verify"), {"code": codes[0]}).status_code == 400
    assert StaticToken.objects.filter(device__user=teacher).count() == 9


@pytest.mark.parametrize("person", ["staff", "moderator", "head_of_centre", "centre_admin"])
def test_when_required_these_roles_must_set_it_up_first(client, people, settings, person):
    settings.TWO_FACTOR_REQUIRED = True
    sign_in(client, people[person])
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("two-factor-setup"))
    assert "Your role needs two-factor sign-in" in client.get(response.url).content.decode()


@pytest.mark.parametrize("person", ["teacher", "aam_user", "outsider"])
def test_other_roles_may_choose(client, people, settings, person):
    settings.TWO_FACTOR_REQUIRED = True
    sign_in(client, people[person])
    assert client.get(reverse("dashboard")).status_code == 200


def test_it_is_not_required_when_switched_off(client, people, settings):
    settings.TWO_FACTOR_REQUIRED = False
    sign_in(client, people["staff"])
    assert client.get(reverse("dashboard")).status_code == 200


def test_django_admin_signs_in_through_the_same_check(client, people, settings):
    settings.TWO_FACTOR_REQUIRED = True
    staff = people["staff"]
    login_page = client.get(reverse("admin:index"), follow=True)
    assert login_page.redirect_chain[-1][0].startswith(reverse("login"))
    response = client.post(
        login_page.redirect_chain[-1][0], {"username": staff.email, "password": PASSWORD}
    )
    assert response.url == reverse("admin:index")
    assert client.get(reverse("admin:index")).url.startswith(reverse("two-factor-setup"))
    enrol(client, staff)
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_required_role_cannot_turn_it_off(client, people, settings):
    settings.TWO_FACTOR_REQUIRED = True
    staff = people["staff"]
    sign_in(client, staff)
    enrol(client, staff)
    response = client.post(reverse("account"), {"action": "turn_off"}, follow=True)
    assert "cannot be turned off" in response.content.decode()
    assert TOTPDevice.objects.filter(user=staff).exists()


def test_someone_else_may_turn_it_off_and_make_new_backup_codes(client, people):
    teacher = people["teacher"]
    sign_in(client, teacher)
    old = enrol(client, teacher)
    page = client.post(reverse("account"), {"action": "backup_codes"})
    new = page.context["codes"]
    assert set(new).isdisjoint(old)
    assert re.search("Make new backup codes", client.get(reverse("account")).content.decode())
    client.post(reverse("account"), {"action": "turn_off"})
    assert not TOTPDevice.objects.filter(user=teacher).exists()
    assert client.get(reverse("dashboard")).status_code == 200
