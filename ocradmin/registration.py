"""Self-registration: anyone can create an account to apply for centre approval.

The account is created inactive and a signed link (valid ``PASSWORD_RESET_TIMEOUT``, three
days) is emailed; following it and pressing the button activates the account, signs the
person in and takes them to the application form. The confirmation is a POST so that mail
scanners that open links cannot use up the link.

The form answers the same "check your email" whatever address is typed, so it never tells
anyone whether an address has an account; the email itself says what happened.
"""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, login, password_validation
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.views import View
from django.views.generic import FormView, TemplateView

from . import audit
from .notifications import email_notice

User = get_user_model()

LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"


class ActivationTokenGenerator(PasswordResetTokenGenerator):
    """Like the password-reset token, with its own salt (a reset link cannot activate an
    account, nor the reverse) and spent once the account is active and has signed in."""

    key_salt = "ocradmin.registration.ActivationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        last_login = user.last_login
        login_timestamp = last_login.replace(microsecond=0, tzinfo=None) if last_login else ""
        return f"{user.pk}{user.password}{user.is_active}{login_timestamp}{timestamp}{user.email}"


activation_token = ActivationTokenGenerator()


def is_awaiting_confirmation(user) -> bool:
    """Registered but never confirmed (a deactivated account has signed in at some point)."""
    return not user.is_active and user.last_login is None


class RegistrationForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        help_text="You sign in with this address; we send a link to it to confirm it is yours.",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    full_name = forms.CharField(
        label="Full name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self):
        return User.objects.normalize_email(self.cleaned_data["email"])

    def clean_full_name(self):
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise forms.ValidationError("Enter your full name.")
        return name

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "The two passwords are different.")
        elif password1:
            candidate = User(email=cleaned.get("email", ""), full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(password1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


def register(*, email: str, full_name: str, password: str) -> User | None:
    """Create the inactive account and email its confirmation link; for an address that
    already has an account, email that account instead. Returns the new user, if any."""
    existing = User.objects.filter(email__iexact=email).first()
    if existing is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    email, password, full_name=full_name, is_active=False
                )
                audit.record(actor=user, action="account.registered", target=user)
                _send_confirmation(user)
            return user
        except IntegrityError:
            # The same address registered a moment ago by another request.
            existing = User.objects.get(email__iexact=email)
    _send_account_exists(existing)
    return None


def confirm(user) -> None:
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=True)
        user.is_active = True
        audit.record(actor=user, action="account.confirmed", target=user)


def _send_confirmation(user) -> None:
    link = settings.SITE_URL + reverse(
        "register-confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": activation_token.make_token(user),
        },
    )
    email_notice(
        to=[user.email], notice="ocradmin/confirm_email", context={"user": user, "link": link}
    )


def _send_account_exists(user) -> None:
    if is_awaiting_confirmation(user):
        # Not a new password: whoever typed this address may not own it.
        _send_confirmation(user)
        return
    context = {"active": user.is_active, "staff_email": settings.STAFF_EMAIL}
    if user.is_active:
        context["sign_in"] = settings.SITE_URL + reverse("login")
        context["reset_link"] = settings.SITE_URL + reverse(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
    email_notice(to=[user.email], notice="ocradmin/account_exists", context=context)


class RegisterView(FormView):
    template_name = "registration/register.html"
    form_class = RegistrationForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("centres:apply")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        register(
            email=form.cleaned_data["email"],
            full_name=form.cleaned_data["full_name"],
            password=form.cleaned_data["password1"],
        )
        return redirect("register-done")


class RegisterDoneView(TemplateView):
    template_name = "registration/register_done.html"


class RegisterConfirmView(View):
    """GET shows the button (when the link is good); POST activates and signs in."""

    template_name = "registration/register_confirm.html"

    def get_user(self, uidb64: str, token: str):
        try:
            pk = urlsafe_base64_decode(uidb64).decode()
            user = User.objects.get(pk=pk)
        except (TypeError, ValueError, OverflowError, User.DoesNotExist):
            return None
        if user.is_active or not activation_token.check_token(user, token):
            return None
        return user

    def get(self, request, uidb64, token):
        user = self.get_user(uidb64, token)
        status = 200 if user else 400
        return render(request, self.template_name, {"validlink": user is not None}, status=status)

    def post(self, request, uidb64, token):
        user = self.get_user(uidb64, token)
        if user is None:
            return render(request, self.template_name, {"validlink": False}, status=400)
        confirm(user)
        login(request, user, backend=LOGIN_BACKEND)
        return redirect("centres:apply")
