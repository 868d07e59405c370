"""Two-factor sign-in: an authenticator app (TOTP, django-otp) and one-time backup codes.

Anyone may turn it on from their account page. Once a person has it, every sign-in asks for a
code before anything else (Django admin too: it signs in through the same page). With
``TWO_FACTOR_REQUIRED`` (the default whenever ``DEBUG`` is off) the roles that can approve,
submit or change other people's work — staff, examiner-moderators, and the centre roles the
centres app registers (heads of centre, centre admins) — must set it up before going further.
"""

from base64 import b32encode
from urllib.parse import quote

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import audit
from .forms import Form
from .hooks import two_factor_required
from .identifiers import is_ascii_digits

BACKUP_CODES = 10
APP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"


def is_required(user) -> bool:
    """Whether the user must have two-factor sign-in: staff and examiner-moderators, and the
    centre roles other apps name through ``two_factor_required`` — when it is switched on."""
    if not settings.TWO_FACTOR_REQUIRED:
        return False
    return bool(
        user.is_staff
        or user.is_superuser
        or user.is_examiner_moderator
        or two_factor_required.first(user)
    )


# --- Services ----------------------------------------------------------------------------------


def start_enrolment(*, user) -> TOTPDevice:
    """The user's unconfirmed authenticator device, made once and reused until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def confirm_enrolment(*, user, device: TOTPDevice, token: str) -> list[str]:
    """Check the first code from the app; on success the device replaces any earlier one and a
    fresh set of backup codes is made. Returns the backup codes (shown once)."""
    if not device.verify_token(token):
        raise ValueError("That code is not right. Enter the 6-digit code your app shows now.")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_backup_codes(user)
        audit.record(actor=user, action="two_factor.enrolled", target=user)
    return codes


def new_backup_codes(*, user) -> list[str]:
    with transaction.atomic():
        codes = _new_backup_codes(user)
        audit.record(actor=user, action="two_factor.backup_codes_replaced", target=user)
    return codes


def _new_backup_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def turn_off(*, user) -> None:
    if is_required(user):
        raise ValueError("Your role needs two-factor sign-in, so it cannot be turned off.")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        audit.record(actor=user, action="two_factor.turned_off", target=user)


def verify(*, request, token: str) -> bool:
    """Check a code (from the app, or an unused backup code) and mark the session verified."""
    token = "".join(token.split())
    # Six digits are the app's code; anything else can only be a backup code. Asking only the
    # device the code is meant for keeps a mistyped app code from slowing the backup codes.
    kind = TOTPDevice if len(token) == 6 and is_ascii_digits(token) else StaticDevice
    for device in devices_for_user(request.user):
        if not isinstance(device, kind):
            continue
        if device.verify_is_allowed()[0] and device.verify_token(token):
            otp_login(request, device)
            return True
    return False


HAS_DEVICE = "two_factor_has_device"


@receiver(user_logged_in, dispatch_uid="ocradmin.twofactor.remember_device")
def remember_device(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[HAS_DEVICE] = user_has_device(user)


def has_device(request) -> bool:
    """Whether the signed-in user has two-factor sign-in, looked up once at sign-in and kept in
    the session (so a device added elsewhere counts from the next sign-in)."""
    known = request.session.get(HAS_DEVICE)
    if known is None:  # a session from before two-factor sign-in existed
        known = request.session[HAS_DEVICE] = user_has_device(request.user)
    return known


# --- Middleware --------------------------------------------------------------------------------


class TwoFactorMiddleware:
    """After the password: ask for a code (enrolled users), or send a user whose role needs
    two-factor sign-in to set it up. Only these pages, signing out and static files are open
    before then."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified() and not self.is_open(request.path):
            next_url = request.get_full_path()
            if has_device(request):
                return redirect(f"{reverse('two-factor-verify')}?next={_quote(next_url)}")
            if is_required(user):
                return redirect(f"{reverse('two-factor-setup')}?next={_quote(next_url)}")
        return self.get_response(request)

    @staticmethod
    def is_open(path: str) -> bool:
        return (
            path.startswith(reverse("two-factor-verify"))
            or path.startswith(reverse("two-factor-setup"))
            or path == reverse("logout")
            or path.startswith(settings.STATIC_URL)
        )


def _quote(url: str) -> str:
    return quote(url, safe="/")


def _next(request, default="dashboard") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


# --- Forms and views ---------------------------------------------------------------------------


class CodeForm(Form):
    code = forms.CharField(
        label="Code",
        max_length=16,
        help_text="The 6-digit code from your authenticator app, or one of your backup codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class SetupCodeForm(CodeForm):
    code = forms.CharField(
        label="Code from the app",
        max_length=6,
        help_text="The 6-digit code your authenticator app shows for ocradmin.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class VerifyView(LoginRequiredMixin, View):
    template_name = "registration/two_factor_verify.html"

    def get(self, request):
        if request.user.is_verified() or not has_device(request):
            return redirect(_next(request))
        return self.render_page(CodeForm())

    def render_page(self, form, status=200):
        context = {"form": form, "next": _next(request=self.request)}
        return render(self.request, self.template_name, context, status=status)

    def post(self, request):
        form = CodeForm(request.POST)
        if form.is_valid():
            if verify(request=request, token=form.cleaned_data["code"]):
                return redirect(_next(request))
            form.add_error(
                "code",
                "That code is not right, or was already used. Enter the code your app shows "
                "now, or an unused backup code.",
            )
        return self.render_page(form, status=400)


class SetupView(LoginRequiredMixin, View):
    """Scan the QR code (drawn here, no outside service), type the first code, get the backup
    codes once."""

    template_name = "registration/two_factor_setup.html"

    def render_page(self, form, device, status=200):
        qr = segno.make(device.config_url, error="m")
        context = {
            "form": form,
            "qr_data_uri": qr.svg_data_uri(scale=5, border=2),
            "key": _base32(device),
            "required": is_required(self.request.user),
            "next": _next(self.request),
        }
        return render(self.request, self.template_name, context, status=status)

    def dispatch(self, request, *args, **kwargs):
        # Someone with two-factor sign-in who has only given the password must not be able to
        # replace the app without a code.
        user = request.user
        if user.is_authenticated and not user.is_verified() and user_has_device(user):
            return redirect(f"{reverse('two-factor-verify')}?next={_quote(request.path)}")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.render_page(SetupCodeForm(), start_enrolment(user=request.user))

    def post(self, request):
        device = start_enrolment(user=request.user)
        form = SetupCodeForm(request.POST)
        if form.is_valid():
            try:
                codes = confirm_enrolment(
                    user=request.user, device=device, token=form.cleaned_data["code"].strip()
                )
            except ValueError as error:
                form.add_error("code", str(error))
            else:
                otp_login(request, device)
                request.session[HAS_DEVICE] = True
                return render(
                    request,
                    "registration/two_factor_backup_codes.html",
                    {"codes": codes, "next": _next(request)},
                )
        return self.render_page(form, device, status=400)


def _base32(device) -> str:
    key = b32encode(device.bin_key).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


class AccountView(LoginRequiredMixin, View):
    """The person's own account: name, address, password, two-factor sign-in."""

    template_name = "registration/account.html"

    def get(self, request):
        user = request.user
        backup = StaticDevice.objects.filter(user=user).first()
        context = {
            "enrolled": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
            "backup_left": backup.token_set.count() if backup else 0,
            "required": is_required(user),
        }
        return render(request, self.template_name, context)

    def post(self, request):
        action = request.POST.get("action")
        if action == "backup_codes" and user_has_device(request.user):
            return render(
                request,
                "registration/two_factor_backup_codes.html",
                {"codes": new_backup_codes(user=request.user), "next": reverse("account")},
            )
        if action == "turn_off":
            try:
                turn_off(user=request.user)
                request.session[HAS_DEVICE] = False
            except ValueError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, "Two-factor sign-in is off.")
        return redirect("account")
