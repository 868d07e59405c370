"""Adding and editing a candidate. The rules live in ``entries.services.candidates``: the form
asks the service about what it has read (``candidate_problems``), so every problem — a missing
name, a ULN that fails its check, a number already in use — is shown at once; the view shows
any later refusal of the service against these fields too."""

from django import forms

from ocradmin.fields import DayMonthYearField
from ocradmin.forms import Form
from ocradmin.validators import SingleLineCharField

from ..models import Candidate
from ..services.candidates import EDITABLE_FIELDS, MAX_AGE, MIN_AGE, candidate_problems


class CandidateForm(Form):
    candidate_number = forms.CharField(
        label="Candidate number",
        max_length=4,
        help_text="Four digits, 0001 to 9999, unique in the centre.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={
            "required": "Enter the candidate number",
            "max_length": "Candidate number must be 4 digits, 0001 to 9999",
        },
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
        error_messages={
            "required": "Enter the candidate's UCI",
            "max_length": "UCI must be 13 characters: 12 digits and a check letter",
        },
    )
    uln = forms.CharField(
        label="ULN (unique learner number, optional)",
        max_length=12,
        required=False,
        help_text="Ten digits, from the Learning Records Service.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"max_length": "ULN must be 10 digits"},
    )
    first_name = SingleLineCharField(
        label="First name",
        max_length=100,
        error_messages={"required": "Enter the candidate's first name"},
    )
    last_name = SingleLineCharField(
        label="Last name",
        max_length=100,
        error_messages={"required": "Enter the candidate's last name"},
    )
    date_of_birth = DayMonthYearField(
        label="Date of birth",
        past=True,
        help_text=f"For example, 27 3 2007. The candidate must be aged {MIN_AGE} to {MAX_AGE}.",
        error_messages={"required": "Enter the candidate's date of birth"},
    )
    sex = forms.ChoiceField(
        label="Sex",
        choices=Candidate.Sex.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the candidate's sex as recorded for exams",
            "invalid_choice": "Choose the candidate's sex as recorded for exams",
        },
    )

    def __init__(self, *args, centre=None, candidate=None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.centre, self.candidate, self.editing = centre, candidate, editing
        if editing:
            uci = self.fields["uci"]
            uci.required = True
            uci.help_text = "13 characters: 12 digits and a check letter."

    def clean(self):
        cleaned = super().clean()
        if self.centre is None:
            return cleaned
        fields = {
            name: cleaned[name]
            for name in EDITABLE_FIELDS
            if name in self.fields and name in cleaned
        }
        _, problems = candidate_problems(
            self.centre,
            fields,
            exclude_pk=self.candidate.pk if self.candidate else None,
            generate_uci=not self.editing,
        )
        for name, message in problems.items():
            if name in self.fields and name not in self.errors:
                self.add_error(name, message)
        return cleaned


class CorrectionForm(CandidateForm):
    """A correction to a candidate whose identity is fixed: the details as they should be,
    and why."""

    reason = forms.CharField(
        label="Reason for the correction",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The awarding body's staff read this before they decide, e.g. "
        "'Surname misspelt: see the birth certificate'.",
        error_messages={"required": "Enter the reason for the correction"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, editing=True, **kwargs)
        del self.fields["sex"]
