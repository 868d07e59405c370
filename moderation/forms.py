"""The moderator's forms: a line's decision, withdrawing units or the claim, the centre feedback
report. Plain-English messages; the services check everything again under the claim's lock."""

import django_filters
from django import forms

from centres.models import Centre, Qualification
from claims.models import Claim
from ocradmin.filters import FilterSet
from ocradmin.forms import Form

from .models import LineDecision
from .services.review import UnitComments


class QueueFilter(FilterSet):
    """The queue's filters, their choices narrowed to the centres and qualifications of the
    claims the user sees."""

    centre = django_filters.ModelChoiceFilter(
        queryset=Centre.objects.none(), label="Centre", empty_label="Any centre"
    )
    qualification = django_filters.ModelChoiceFilter(
        queryset=Qualification.objects.none(),
        label="Qualification",
        empty_label="Any qualification",
    )

    class Meta:
        model = Claim
        fields = []

    def __init__(self, *args, claims, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["centre"].queryset = Centre.objects.filter(
            pk__in=claims.values("centre_id")
        ).order_by("number")
        self.filters["qualification"].queryset = Qualification.objects.filter(
            pk__in=claims.values("qualification_id")
        ).order_by("entry_code")


class DecisionForm(Form):
    outcome = forms.ChoiceField(
        choices=[
            (LineDecision.Outcome.CONFIRMED, "Confirm the centre's grade"),
            (LineDecision.Outcome.ADJUSTED, "Adjust the grade"),
        ],
        error_messages={"required": "Choose whether to confirm or adjust the grade."},
    )
    grade = forms.CharField(max_length=10, required=False)
    reason = forms.CharField(max_length=2000, required=False, widget=forms.Textarea)
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class WithdrawForm(Form):
    WHOLE, UNITS = "claim", "units"

    scope = forms.ChoiceField(
        label="What do you want to withdraw?",
        choices=[
            (UNITS, "Selected units: the centre re-assesses them and claims them again"),
            (WHOLE, "The whole claim: the centre's assessment is not consistent enough"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to withdraw units or the whole claim."},
    )
    units = forms.TypedMultipleChoiceField(
        label="Units to withdraw",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(
        label="Reason (the centre reads it)",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Give the reason; the centre reads it."},
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].choices = [
            (unit.pk, f"Unit {unit.number}: {unit.title}") for unit in units
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("scope") == self.UNITS and not cleaned.get("units"):
            self.add_error("units", "Choose the units to withdraw.")
        return cleaned


YES_NO = [("yes", "Yes"), ("no", "No")]


class ReportForm(Form):
    """Overall comments, then for each unit: what went well, what needs attention, whether the
    assessment decisions were consistent, action points (fields ``unit-<pk>-…``)."""

    overall_comments = forms.CharField(
        label="Overall comments",
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Write the overall comments for the centre."},
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = units
        for unit in units:
            prefix = f"unit-{unit.pk}"
            self.fields[f"{prefix}-did_well"] = forms.CharField(
                label=f"Unit {unit.number}: what the centre did well",
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 3}),
                error_messages={"required": f"Say what the centre did well in unit {unit.number}."},
            )
            self.fields[f"{prefix}-needs_attention"] = forms.CharField(
                label=f"Unit {unit.number}: what needs attention",
                max_length=4000,
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
            self.fields[f"{prefix}-consistent"] = forms.ChoiceField(
                label=f"Unit {unit.number}: were the assessment decisions consistent?",
                choices=YES_NO,
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Say whether the assessment decisions in unit {unit.number} "
                    "were consistent."
                },
            )
            self.fields[f"{prefix}-action_points"] = forms.CharField(
                label=f"Unit {unit.number}: action points",
                max_length=4000,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def sections(self):
        """``[(unit, [bound fields])]`` for the template."""
        names = ["did_well", "needs_attention", "consistent", "action_points"]
        return [(unit, [self[f"unit-{unit.pk}-{name}"] for name in names]) for unit in self.units]

    def unit_comments(self) -> list[UnitComments]:
        data = self.cleaned_data
        return [
            UnitComments(
                unit_id=unit.pk,
                did_well=data.get(f"unit-{unit.pk}-did_well", ""),
                needs_attention=data.get(f"unit-{unit.pk}-needs_attention", ""),
                consistent={"yes": True, "no": False}.get(data.get(f"unit-{unit.pk}-consistent")),
                action_points=data.get(f"unit-{unit.pk}-action_points", ""),
            )
            for unit in self.units
        ]
