"""The vocational centre approval form, and the staff's rejection form.

One form serves both buttons: "Save draft" checks the format of what is filled in (a postcode,
email addresses, phone numbers) and needs only the organisation's name; "Submit" needs every
answer, at least one qualification and all three declarations.
"""

import re

from django import forms

from ocradmin.fields import ModelMultipleChoiceField
from ocradmin.forms import Form, ModelForm
from ocradmin.validators import SingleLineCharField

from ..models import VOCATIONAL_TYPES, CentreApplication, Qualification, normalise_postcode
from ..services.applications import (
    DECLARATIONS,
    DETAIL_FIELDS,
    FORM_FIELDS,
    HEAD_FIELDS,
    OFFICER_FIELDS,
    OPTIONAL_FIELDS,
    ORGANISATION_FIELDS,
)

PHONE_RE = re.compile(r"^\+?[0-9 ()\-]+$")


def clean_phone_number(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return value
    digits = re.sub(r"\D", "", value)
    if not PHONE_RE.match(value) or not 10 <= len(digits) <= 13:
        raise forms.ValidationError("Enter a phone number, such as 01632 960 123.")
    return value


def intended_qualification_choices():
    return Qualification.objects.filter(
        is_active=True,
        is_remotely_moderated=True,
        qualification_type__in=VOCATIONAL_TYPES,
    ).order_by("title", "entry_code")


class CentreApplicationForm(ModelForm):
    SECTIONS = [
        ("The organisation", ORGANISATION_FIELDS),
        ("Head of centre", HEAD_FIELDS),
        ("Exams officer", OFFICER_FIELDS),
        ("Qualifications", ["intended_qualifications"]),
        ("Declarations", DECLARATIONS),
    ]

    postcode = SingleLineCharField(
        label="Postcode",
        max_length=12,  # room for stray spaces; stored normalised, as at most 8 characters
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )
    intended_qualifications = ModelMultipleChoiceField(
        queryset=Qualification.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Qualifications you intend to offer",
        help_text="Remotely moderated vocational qualifications. You request approval for each "
        "one separately once the centre is approved.",
    )

    class Meta:
        model = CentreApplication
        fields = [*DETAIL_FIELDS, "intended_qualifications", *DECLARATIONS]
        labels = {
            "organisation_type": "Type of organisation",
            "phone": "Organisation's phone number",
        }
        widgets = {
            "head_email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "officer_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "officer_phone": forms.TextInput(attrs={"inputmode": "tel"}),
        }

    def __init__(self, *args, submitting: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.submitting = submitting
        self.fields["intended_qualifications"].queryset = intended_qualification_choices()
        for name, field in self.fields.items():
            if name == "name":
                field.required = True
            elif name in OPTIONAL_FIELDS:
                field.required = False
            else:
                field.required = submitting
        if submitting:
            self.fields["intended_qualifications"].error_messages["required"] = (
                "Choose at least one qualification you intend to offer."
            )
            for name in DECLARATIONS:
                self.fields[name].error_messages["required"] = "Tick this declaration to submit."

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]

    def clean_postcode(self):
        value = self.cleaned_data.get("postcode", "")
        if not value:
            return value
        try:
            return normalise_postcode(value)
        except ValueError:
            raise forms.ValidationError("Enter a UK postcode, such as SW1A 1AA.") from None

    def clean_phone(self):
        return clean_phone_number(self.cleaned_data.get("phone"))

    def clean_officer_phone(self):
        return clean_phone_number(self.cleaned_data.get("officer_phone"))

    def service_fields(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in FORM_FIELDS}


class RejectApplicationForm(Form):
    reason = forms.CharField(
        label="Reason for rejecting",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The applicant sees this and can amend the application and resubmit.",
    )
