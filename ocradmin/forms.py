"""Forms to the GOV.UK Design System's pattern, shared by every app.

Every form of the project is an ``ocradmin.forms.Form`` or ``ModelForm`` (or mixes in
``PlainErrorsMixin``). Before a form is checked, each of its fields that still carries one of
Django's own error messages ("This field is required.", "Enter a valid date.", "Select a valid
choice…") gets a plain-English one made from the field's label, in the GOV.UK wording: "Enter
…" for what is typed, "Choose …" for what is picked, "… must be … or fewer" for limits. A
message a form gives itself (``error_messages=`` on the field, or set in ``__init__``) is
kept.

The page shows the errors twice, as GOV.UK does: an error summary at the top of the page
("There is a problem", each error a link to its field; ``templates/error_summary.html``,
rendered by ``base.html`` for every bound form in the page's context that has errors, which
also prefixes the page title with "Error: "), and each field's error beside the field
(crispy-forms' field templates).
"""

import re

from django import forms
from django.contrib.auth import forms as auth_forms

# --- Plain-English messages -------------------------------------------------------------------

_PARENTHESES = re.compile(r"\s*\([^)]*\)")


def field_noun(field, name: str = "") -> str:
    """The label as it reads inside a sentence: "Last name" → "last name", "UCI (unique
    candidate identifier)" → "UCI"."""
    label = str(field.label or name.replace("_", " ")).strip()
    label = _PARENTHESES.sub("", label).strip().rstrip(":?").strip() or "answer"
    first = label.split()[0]
    if not (len(first) > 1 and first[:2].isupper()):  # keep acronyms: UCI, ULN, TAG
        label = label[0].lower() + label[1:]
    return label.replace("%", "%%")  # the messages are %-formatted with their params


def _sentence(noun: str) -> str:
    return noun[0].upper() + noun[1:]


NO_ARTICLE = {"your", "their", "what", "why", "how", "when", "where", "who", "which"}


def _the(noun: str) -> str:
    """With "the", as in "the last name", unless it reads without: "your name"."""
    return noun if noun.split()[0] in NO_ARTICLE else f"the {noun}"


def _a(noun: str) -> str:
    """With "a" or "an", as in "an arrangement", unless it reads without: "your name"."""
    if noun.split()[0] in NO_ARTICLE:
        return noun
    return f"{'an' if noun[0].lower() in 'aeiou' else 'a'} {noun}"


EMPTY_LABELS = {"", "---------"}


def choose_label(field, name: str = "") -> str:
    """The empty choice of a list, the same everywhere: "Choose a qualification"."""
    return f"Choose {_a(field_noun(field, name))}".replace("%%", "%")


def use_plain_choices(field, name: str = "") -> None:
    """Django's "---------" empty choice reads "Choose a …"."""
    if isinstance(field, forms.ModelChoiceField) and not isinstance(
        field, forms.ModelMultipleChoiceField
    ):
        if field.empty_label is not None and field.empty_label in EMPTY_LABELS:
            field.empty_label = choose_label(field, name)
    elif isinstance(field, forms.ChoiceField) and isinstance(field.widget, forms.Select):
        choices = list(field.choices)
        if choices and choices[0][0] == "" and str(choices[0][1]) in EMPTY_LABELS:
            field.choices = [("", choose_label(field, name)), *choices[1:]]


def _picks(field) -> bool:
    widget = field.widget
    return isinstance(field, forms.ChoiceField | forms.ModelChoiceField) or isinstance(
        widget, forms.Select | forms.RadioSelect | forms.CheckboxSelectMultiple
    )


def plain_messages(field, name: str = "") -> dict[str, str]:
    """GOV.UK-style messages for every error Django's fields and validators can raise."""
    noun = field_noun(field, name)
    label = _sentence(noun)
    messages = {
        "max_length": f"{label} must be %(limit_value)s characters or fewer",
        "min_length": f"{label} must be %(limit_value)s characters or more",
        "min_value": f"{label} must be %(limit_value)s or more",
        "max_value": f"{label} must be %(limit_value)s or less",
        "step_size": f"{label} must be a multiple of %(limit_value)s",
        "null_characters_not_allowed": f"Remove the hidden characters from {_the(noun)}",
        "invalid": f"Enter a real {noun}",
    }
    if isinstance(field, forms.BooleanField):
        messages["required"] = "Tick the box to confirm"
    elif isinstance(field, forms.FileField):
        messages.update(
            required="Choose a file to upload",
            missing="Choose a file to upload",
            invalid="The file could not be read: choose it again",
            empty="The chosen file is empty",
            max_length="The file's name must be %(max)d characters or fewer",
            contradiction="Either choose a new file or remove the current one, not both",
        )
    elif _picks(field):
        multiple = isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField)
        messages.update(
            required=f"Choose at least one of {_the(noun)}" if multiple else f"Choose {_a(noun)}",
            invalid_choice=f"Choose {_the(noun)} from the list",
            invalid_pk_value=f"Choose {_the(noun)} from the list",
            invalid_list=f"Choose {_the(noun)} from the list",
        )
    else:
        messages["required"] = f"Enter {_the(noun)}"
    if isinstance(field, forms.EmailField):
        messages["invalid"] = "Enter an email address in the correct format, like name@example.com"
    elif isinstance(field, forms.IntegerField):
        messages["invalid"] = f"{label} must be a whole number"
    elif isinstance(field, forms.DecimalField | forms.FloatField):
        messages["invalid"] = f"{label} must be a number"
    elif isinstance(field, forms.DateTimeField):
        messages["invalid"] = f"{label} must be a real date and time"
    elif isinstance(field, forms.DateField):
        messages["invalid"] = f"{label} must be a real date"
    elif isinstance(field, forms.TimeField):
        messages["invalid"] = f"{label} must be a real time"
    elif isinstance(field, forms.MultiValueField):
        messages["incomplete"] = f"Enter all of the {noun}"
    return messages


def _django_defaults(field) -> dict:
    defaults = {}
    for cls in reversed(type(field).__mro__):
        defaults.update(getattr(cls, "default_error_messages", {}))
    return defaults


def _default_validator_codes(field) -> set[str]:
    """The codes of the field's validators that still carry Django's own message (a
    validator given its own message keeps it: a field's message replaces its validator's)."""
    return {
        validator.code
        for validator in field.validators
        if getattr(validator, "code", None)
        and getattr(validator, "message", None) is getattr(type(validator), "message", None)
    }


def use_plain_messages(field, name: str = "") -> None:
    """Replace the field's Django default messages, and those of its validators; messages
    the form or a validator set itself stay."""
    defaults = _django_defaults(field)
    validator_codes = _default_validator_codes(field)
    for code, message in plain_messages(field, name).items():
        current = field.error_messages.get(code)
        if code in defaults:
            if current is defaults[code]:
                field.error_messages[code] = message
        elif code in validator_codes and current is None:
            field.error_messages[code] = message


class PlainErrorsMixin:
    """Plain-English messages for every field, set just before the form is checked (so that
    fields changed in ``__init__`` — labels, required — are taken into account)."""

    def __getitem__(self, name):
        field = self.fields.get(name)
        if field is not None:
            use_plain_choices(field, name)
        return super().__getitem__(name)

    def full_clean(self):
        for name, field in self.fields.items():
            use_plain_messages(field, name)
        super().full_clean()
        for name, errors in list((getattr(self, "_errors", None) or {}).items()):
            self._errors[name] = one_message_per_problem(errors)


def one_message_per_problem(errors):
    """A field's errors without repeats: the same text twice, or Django's null-character
    message beside the project's own control-character one."""
    data = errors.as_data()
    codes = {error.code for error in data}
    kept, seen = [], set()
    for error, text in zip(data, errors, strict=True):
        if error.code == "null_characters_not_allowed" and "control_characters" in codes:
            continue
        if text not in seen:
            seen.add(text)
            kept.append(error)
    if len(kept) < len(data):
        errors.data[:] = kept
    return errors


class Form(PlainErrorsMixin, forms.Form):
    pass


class ModelForm(PlainErrorsMixin, forms.ModelForm):
    pass


# --- The error summary ------------------------------------------------------------------------


def error_anchor(bound_field) -> str:
    """The id the error summary links to: the field's input, or the first of its inputs (a
    group of radios or checkboxes, the day of a date)."""
    widget = bound_field.field.widget
    parts = sorted(getattr(widget, "error_parts", None) or [0])
    if isinstance(widget, forms.MultiWidget):
        return f"{bound_field.auto_id}_{parts[0]}"  # the first box in error
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return f"{bound_field.auto_id}_0"
    return bound_field.id_for_label or bound_field.auto_id


def error_list(form) -> list[dict]:
    """``[{"text", "anchor"}]`` for every error of the form, in the order of its fields; errors
    not about one field first, linking to the form."""
    errors = [{"text": error, "anchor": ""} for error in form.non_field_errors()]
    for bound_field in form:
        for error in bound_field.errors:
            errors.append({"text": error, "anchor": error_anchor(bound_field)})
    for name in form.errors:  # errors on fields the page does not show (a hidden value)
        if name != forms.forms.NON_FIELD_ERRORS and name not in form.fields:
            errors.extend({"text": error, "anchor": ""} for error in form.errors[name])
    return errors


def forms_with_errors(context) -> list:
    """The bound forms of a page's context that have errors, each once."""
    found, seen = [], set()
    for value in context.flatten().values():
        if (
            isinstance(value, forms.BaseForm)
            and value.is_bound
            and id(value) not in seen
            and value.errors
        ):
            seen.add(id(value))
            found.append(value)
    return found


# --- Signing in and passwords -----------------------------------------------------------------


class EmailAuthenticationForm(PlainErrorsMixin, auth_forms.AuthenticationForm):
    username = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
        error_messages={"required": "Enter your email address"},
    )
    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        # Django's text says both fields may be case-sensitive; the email address is not.
        "invalid_login": (
            "Please enter a correct email address and password. The password is case-sensitive."
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].error_messages["required"] = "Enter your password"


class PasswordResetForm(PlainErrorsMixin, auth_forms.PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].error_messages["required"] = "Enter your email address"


class SetPasswordForm(PlainErrorsMixin, auth_forms.SetPasswordForm):
    error_messages = {"password_mismatch": "The two passwords are different"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].error_messages["required"] = "Enter the new password again"


class PasswordChangeForm(SetPasswordForm, auth_forms.PasswordChangeForm):
    error_messages = {
        **SetPasswordForm.error_messages,
        "password_incorrect": "Your current password is not right: enter it again",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].error_messages["required"] = "Enter your current password"


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
