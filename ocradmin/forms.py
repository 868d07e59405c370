from django import forms
from django.contrib.auth.forms import AuthenticationForm


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        # Django's text says both fields may be case-sensitive; the email address is not.
        "invalid_login": (
            "Please enter a correct email address and password. The password is case-sensitive."
        ),
    }


def axes_username(request, credentials=None) -> str:
    """The address django-axes counts failed sign-ins against, normalised like stored emails.

    Without this, ``Officer@…`` and ``officer@…`` would be separate lockouts, so changing the
    case of an address would give an attacker five more guesses each time.
    """
    from django.conf import settings

    field = settings.AXES_USERNAME_FORM_FIELD
    value = (credentials or {}).get(field) if credentials else None
    if value is None:
        value = request.POST.get(field, "") if request is not None else ""
    return (value or "").strip().lower()
