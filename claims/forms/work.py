from django import forms
from django.utils import timezone

from ocradmin.forms import Form


class EvidenceForm(Form):
    line = forms.ChoiceField(label="Candidate and unit")
    file = forms.FileField(
        label="File of the candidate's work",
        help_text="PDF, Word, Excel, PowerPoint, OpenDocument, images, audio, video or ZIP.",
    )

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = [("", "Choose the candidate and unit")] + [
            (
                f"{line.candidate_id}-{line.unit_id}",
                f"{line.candidate.candidate_number} {line.candidate.last_name}, "
                f"{line.candidate.first_name} — unit {line.unit.number}",
            )
            for line in lines
        ]
        self.lines = {f"{line.candidate_id}-{line.unit_id}": line for line in lines}

    def clean_line(self):
        return self.lines[self.cleaned_data["line"]]


class DispatchForm(Form):
    posted_on = forms.DateField(
        label="Date posted",
        widget=forms.DateInput(attrs={"type": "date"}),
        initial=timezone.localdate,
    )
    carrier = forms.CharField(max_length=100, help_text="For example Royal Mail Special Delivery.")
    tracking_reference = forms.CharField(max_length=100)
