"""Self-registration: anyone can create an account to apply for centre approval.

The account is created inactive, without a password, and a signed link (valid
``PASSWORD_RESET_TIMEOUT``, three days) is emailed; following it, the person chooses their
password, which activates the account, signs them in and takes them to the application form.
The confirmation is a POST so that mail scanners that open links cannot use up the link.

Whoever registers an address first has no hold on it: an account that has never been active
belongs to whoever can read the address's mail. Registering again sends a new link (the old
one stops working) and the password is only ever chosen by the person who opens the link, so
nobody can prepare a password for someone else's address (an invitation's too, see
``centres.services.people.create_account_from_invitation``).

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
from .forms import Form
from .notifications import email_notice
from .throttles import allow_email
from .validators import SingleLineCharField

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


class RegistrationForm(Form):
    email = forms.EmailField(
        label="Email address",
        help_text=(
            "You sign in with this address; we send a link to it to confirm it is yours, and "
            "you choose your password there."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
        error_messages={"required": "Enter your email address"},
    )
    full_name = SingleLineCharField(
        label="Full name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Enter your full name"},
    )

    def clean_email(self):
        return User.objects.normalize_email(self.cleaned_data["email"])

    def clean_full_name(self):
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise forms.ValidationError("Enter your full name.")
        return name


class ConfirmAccountForm(Form):
    """The name (as registered, to correct) and the password, chosen on confirming."""

    full_name = SingleLineCharField(
        label="Full name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Enter your full name"},
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
        error_messages={"required": "Enter a password"},
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Enter the password again"},
    )

    def __init__(self, *args, email: str, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)

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
            candidate = User(email=self.email, full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(password1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


def register(*, email: str, full_name: str) -> User | None:
    """Create the inactive account (no password yet) and email its confirmation link; for an
    address that already has an account, email that account instead. Returns the new user, if
    any."""
    existing = User.objects.filter(email__iexact=email).first()
    if existing is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(email, None, full_name=full_name, is_active=False)
                audit.record(actor=user, action="account.registered", target=user)
                _send_confirmation(user)
            return user
        except IntegrityError:
            # The same address registered a moment ago by another request.
            existing = User.objects.get(email__iexact=email)
    _send_account_exists(existing)
    return None


def confirm(user, *, full_name: str, password: str):
    """Activate a never-active account with the password its owner chose on the link."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        user.full_name = full_name
        user.set_password(password)
        user.is_active = True
        user.save(update_fields=["full_name", "password", "is_active"])
        audit.record(actor=user, action="account.confirmed", target=user)
    return user


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
        # Whoever registered first may not own the address: no password is kept (one set
        # before passwords moved to the confirmation is dropped here), and the new link
        # replaces the old one (the token covers the password hash).
        with transaction.atomic():
            user = User.objects.select_for_update().get(pk=user.pk)
            user.set_unusable_password()
            user.save(update_fields=["password"])
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
        email = form.cleaned_data["email"]
        if allow_email("register", email=email, request=self.request):
            register(email=email, full_name=form.cleaned_data["full_name"])
        return redirect("register-done")


class RegisterDoneView(TemplateView):
    template_name = "registration/register_done.html"


class RegisterConfirmView(View):
    """GET shows the password form (when the link is good); POST sets the password, activates
    and signs in."""

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

    def render_page(self, user, form=None):
        if user is None:
            return render(self.request, self.template_name, {"validlink": False}, status=400)
        if form is None:
            form = ConfirmAccountForm(email=user.email, initial={"full_name": user.full_name})
        context = {"validlink": True, "form": form, "email": user.email}
        return render(self.request, self.template_name, context)

    def get(self, request, uidb64, token):
        return self.render_page(self.get_user(uidb64, token))

    def post(self, request, uidb64, token):
        user = self.get_user(uidb64, token)
        if user is None:
            return self.render_page(None)
        form = ConfirmAccountForm(request.POST, email=user.email)
        if not form.is_valid():
            return self.render_page(user, form)
        user = confirm(
            user, full_name=form.cleaned_data["full_name"], password=form.cleaned_data["password1"]
        )
        login(request, user, backend=LOGIN_BACKEND)
        return redirect("centres:apply")
