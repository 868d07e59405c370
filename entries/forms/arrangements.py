"""Applying for an access arrangement; choices are narrowed to the centre."""

from datetime import timedelta

from django import forms
from django.utils import timezone

from centres.models import Qualification
from centres.services.approvals import approved_qualification_ids
from ocradmin.fields import ModelChoiceField
from ocradmin.forms import Form
from ocradmin.validators import SingleLineCharField

from ..models import AccessArrangement, Candidate
from ..services.arrangements import arrangement_problems


class CandidateChoiceField(ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.candidate_number} {obj.last_name}, {obj.first_name} ({obj.uci})"


class QualificationChoiceField(ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.entry_code} {obj.title}"


class ArrangementForm(Form):
    candidate = CandidateChoiceField(label="Candidate", queryset=Candidate.objects.none())
    qualification = QualificationChoiceField(
        label="Qualification",
        queryset=Qualification.objects.none(),
        help_text="Only qualifications the centre is approved for.",
    )
    kind = forms.ChoiceField(label="Arrangement", choices=AccessArrangement.Kind.choices)
    extra_time_percent = forms.IntegerField(
        label="Extra time (%)",
        required=False,
        min_value=1,
        max_value=100,
        help_text=(
            "For extra time only. Up to "
            f"{AccessArrangement.EXTRA_TIME_DELEGATED_LIMIT}% is approved at once; more is "
            "referred to the awarding body."
        ),
    )
    details = SingleLineCharField(
        label="Details",
        max_length=200,
        required=False,
        help_text="Required when the arrangement is 'Other'.",
    )
    evidence = forms.CharField(
        label="Evidence of need",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the centre holds, e.g. a specialist assessor's report (Form 8) dated …",
    )
    first_assessment_on = forms.DateField(
        label="Planned first assessment",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Applications must be made before the planned first assessment date.",
        error_messages={"required": "Enter the date of the planned first assessment"},
    )

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.centre = centre
        self.fields["candidate"].queryset = Candidate.objects.filter(centre=centre).order_by(
            "candidate_number"
        )
        self.fields["qualification"].queryset = Qualification.objects.filter(
            pk__in=approved_qualification_ids(centre), is_active=True
        ).order_by("entry_code")
        tomorrow = timezone.localdate() + timedelta(days=1)
        self.fields["first_assessment_on"].widget.attrs["min"] = tomorrow.isoformat()

    def clean(self):
        """The service's rules too (extra time only for extra time, details for 'Other'), so
        that every problem shows at once."""
        cleaned = super().clean()
        problems = arrangement_problems(
            centre=self.centre,
            **{name: cleaned.get(name) for name in self.fields},
        )
        for name, message in problems.items():
            if name in self.fields and name not in self.errors:
                self.add_error(name, message)
        return cleaned


class RejectArrangementForm(Form):
    reason = forms.CharField(
        label="Reason for rejecting (the centre will see it)",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
