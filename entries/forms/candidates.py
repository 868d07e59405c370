"""Adding and editing a candidate. The rules live in ``entries.services.candidates``; the view
shows the service's refusals against these fields."""

from django import forms

from ocradmin.validators import SingleLineCharField

from ..models import Candidate
from ..services.candidates import MAX_AGE, MIN_AGE, date_of_birth_bounds

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CandidateForm(forms.Form):
    candidate_number = forms.CharField(
        label="Candidate number",
        max_length=4,
        help_text="Four digits, 0001 to 9999, unique in the centre.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    uci = forms.CharField(
        label="UCI (unique candidate identifier)",
        max_length=16,
        required=False,
        help_text=(
            "Leave blank to generate one from the centre number, this year and the candidate "
            "number; or enter the UCI the candidate already has, e.g. 681990012058G."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    uln = forms.CharField(
        label="ULN (unique learner number, optional)",
        max_length=12,
        required=False,
        help_text="Ten digits, from the Learning Records Service.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    first_name = SingleLineCharField(label="First name", max_length=100)
    last_name = SingleLineCharField(label="Last name", max_length=100)
    date_of_birth = forms.DateField(label="Date of birth", widget=DATE_INPUT)
    sex = forms.ChoiceField(label="Sex", choices=Candidate.Sex.choices, widget=forms.RadioSelect)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        earliest, latest = date_of_birth_bounds()
        self.fields["date_of_birth"].widget.attrs.update(
            min=earliest.isoformat(), max=latest.isoformat()
        )
        self.fields[
            "date_of_birth"
        ].help_text = f"The candidate must be aged {MIN_AGE} to {MAX_AGE} today."
        if editing:
            uci = self.fields["uci"]
            uci.required = True
            uci.help_text = "13 characters: 12 digits and a check letter."


class CorrectionForm(CandidateForm):
    """A correction to a candidate whose identity is fixed: the details as they should be,
    and why."""

    reason = forms.CharField(
        label="Reason for the correction",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The awarding body's staff read this before they decide, e.g. "
        "'Surname misspelt: see the birth certificate'.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, editing=True, **kwargs)
        del self.fields["sex"]
