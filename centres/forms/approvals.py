"""The centre's request for a qualification approval, and the staff's rejection reason."""

from django import forms
from django.utils import timezone

from ocradmin.fields import ModelChoiceField
from ocradmin.forms import Form
from ocradmin.validators import SingleLineCharField

from ..selectors import requestable_qualifications


class RequestApprovalForm(Form):
    qualification = ModelChoiceField(
        queryset=None,
        label="Qualification",
        empty_label="Choose a qualification",
        help_text="Remotely moderated vocational qualifications the centre is not yet approved "
        "for or waiting to hear about.",
    )
    delivered_by = SingleLineCharField(
        label="Delivered and assessed by",
        max_length=200,
        help_text="The teachers or department who will teach and assess it.",
        error_messages={"required": "Say who will deliver and assess the qualification"},
    )
    planned_start = forms.DateField(
        label="Planned start of teaching",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["qualification"].queryset = requestable_qualifications(centre)

    def clean_delivered_by(self):
        value = self.cleaned_data["delivered_by"].strip()
        if not value:
            raise forms.ValidationError("Say who will deliver and assess the qualification.")
        return value

    def clean_planned_start(self):
        value = self.cleaned_data["planned_start"]
        if value < timezone.localdate():
            raise forms.ValidationError("The planned start date cannot be in the past.")
        return value


class RejectApprovalForm(Form):
    reason = forms.CharField(
        label="Reason for rejecting",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The centre will see this.",
    )
