"""Forms for the centre's people: search, invite, head of centre, accepting an invitation.
The rules live in ``centres.services.people``; the views show its refusals on these forms."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import (
    password_validators_help_text_html,
    validate_password,
)

from ocradmin.forms import Form
from ocradmin.validators import SingleLineCharField

from ..models import Role


class PeopleSearchForm(Form):
    q = forms.CharField(
        label="Name or email",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        label="Role", required=False, choices=[("", "Any role"), *Role.choices]
    )


class InviteForm(Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text=(
            "We email them a link to accept; they hold the roles once they do (signing in first "
            "if they already use ocradmin)."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    full_name = SingleLineCharField(
        label="Full name",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    roles = forms.MultipleChoiceField(
        label="Roles",
        # The head of centre is named on the head of centre page and accepts by their own link.
        choices=[(value, label) for value, label in Role.choices if value != Role.HEAD_OF_CENTRE],
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose one or more.",
        error_messages={"required": "Choose at least one role."},
    )


class HeadOfCentreForm(Form):
    name = SingleLineCharField(
        label="Name",
        max_length=150,
        error_messages={"required": "Enter the head of centre's name"},
    )
    job_title = SingleLineCharField(
        label="Job title",
        max_length=150,
        error_messages={"required": "Enter the head of centre's job title"},
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={"required": "Enter the head of centre's email address"},
        help_text="Changes to the centre's people are emailed to this address.",
    )


class AcceptInvitationForm(Form):
    """The invitee's name and a new password (Django's password validators)."""

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
        help_text=password_validators_help_text_html(),
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

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "The two passwords do not match.")
        elif password1:
            user = get_user_model()(email=self.email, full_name=cleaned.get("full_name", ""))
            try:
                validate_password(password1, user=user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned
