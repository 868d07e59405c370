"""Forms for making and amending single entries; every choice is narrowed to the centre."""

from django import forms

from centres.models import Unit
from ocradmin.fields import ModelChoiceField
from ocradmin.validators import SingleLineCharField

from ..models import Candidate
from ..selectors import approved_qualifications
from ..services.entries import MAX_UNNAMED_QUANTITY


def _unit_label(unit) -> str:
    return f"{unit.qualification.entry_code} unit {unit.number}: {unit.title}"


class _EntryForm(forms.Form):
    """The qualification and optional unit both kinds of entry share."""

    qualification = ModelChoiceField(
        queryset=None,
        label="Qualification",
        empty_label="Choose a qualification",
        help_text="Only qualifications the centre is approved for can be entered.",
    )
    unit = ModelChoiceField(
        queryset=None,
        required=False,
        label="Unit",
        empty_label="Full award (no unit)",
        help_text="Choose a unit for a unit entry; leave as full award otherwise.",
    )

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.centre = centre
        approved = approved_qualifications(centre)
        self.fields["qualification"].queryset = approved
        self.fields["unit"].queryset = (
            Unit.objects.filter(qualification__in=approved)
            .select_related("qualification")
            .order_by("qualification__entry_code", "number")
        )
        self.fields["unit"].label_from_instance = _unit_label

    def clean(self):
        cleaned = super().clean()
        qualification, unit = cleaned.get("qualification"), cleaned.get("unit")
        if qualification and unit and unit.qualification_id != qualification.pk:
            self.add_error(
                "unit",
                f"Unit {unit.number} belongs to {unit.qualification.entry_code}, "
                f"not {qualification.entry_code}.",
            )
        return cleaned


class NamedEntryForm(_EntryForm):
    candidate = ModelChoiceField(
        queryset=None,
        label="Candidate",
        empty_label="Choose a candidate",
        help_text="Add the candidate on the Candidates page first if they are not listed.",
    )
    option_code = SingleLineCharField(
        label="Option code",
        max_length=10,
        required=False,
        help_text="Only for qualifications with option codes; leave blank otherwise.",
    )

    field_order = ["candidate", "qualification", "unit", "option_code"]

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, centre=centre, **kwargs)
        self.fields["candidate"].queryset = Candidate.objects.filter(centre=centre).order_by(
            "candidate_number"
        )
        self.fields["candidate"].label_from_instance = lambda c: (
            f"{c.candidate_number} {c.last_name}, {c.first_name} (UCI {c.uci})"
        )
        with_options = [
            f"{q.entry_code}: {', '.join(q.option_codes)}"
            for q in self.fields["qualification"].queryset
            if q.option_codes
        ]
        if with_options:
            self.fields["option_code"].help_text = (
                "Required for qualifications with option codes (" + "; ".join(with_options) + "); "
                "leave blank for the others."
            )

    def clean_option_code(self):
        return self.cleaned_data["option_code"].strip().upper()


class UnnamedEntryForm(_EntryForm):
    quantity = forms.IntegerField(
        label="Number of candidates",
        min_value=1,
        max_value=MAX_UNNAMED_QUANTITY,
        help_text=f"1 to {MAX_UNNAMED_QUANTITY}. Name the candidates later with named entries.",
    )

    field_order = ["qualification", "unit", "quantity"]


class AmendEntryForm(forms.Form):
    """Only the field that fits the entry is shown: the quantity (unnamed) or option code."""

    quantity = forms.IntegerField(
        label="Number of candidates", min_value=1, max_value=MAX_UNNAMED_QUANTITY, required=False
    )
    option_code = SingleLineCharField(label="Option code", max_length=10, required=False)

    def __init__(self, *args, entry, **kwargs):
        super().__init__(*args, **kwargs)
        if entry.kind == entry.Kind.UNNAMED:
            del self.fields["option_code"]
            self.fields["quantity"].required = True
            self.fields["quantity"].initial = entry.quantity
        else:
            del self.fields["quantity"]
            self.fields["option_code"].initial = entry.option_code
            codes = entry.qualification.option_codes or []
            self.fields["option_code"].help_text = (
                f"One of {', '.join(codes)}." if codes else "This qualification has no options."
            )
