from django import forms

from ocradmin.fields import ModelChoiceField
from ocradmin.forms import Form

from ..selectors import claimable_qualifications


class StartClaimForm(Form):
    qualification = ModelChoiceField(
        queryset=None,
        empty_label="Choose a qualification",
        help_text="Qualifications the centre is approved for, with accepted entries and an "
        "allocated examiner-moderator.",
    )

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["qualification"].queryset = claimable_qualifications(centre)


class SubmitClaimForm(Form):
    declaration = forms.BooleanField(
        label="I confirm that the work of every candidate in this claim is their own and was "
        "assessed to the standard required.",
        error_messages={"required": "Confirm the authentication declaration to submit."},
    )
