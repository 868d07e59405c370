"""Forms for making and amending single entries; every choice is narrowed to the centre.

The unit list and the option codes follow the chosen qualification: the page asks
``entries:entry-fields`` (htmx) for them again when the qualification changes, and a posted
form narrows them the same way. The candidate is found by typing a name or a number
(``entries:candidate-search`` lists up to 20 of the centre's candidates to choose from); without
JavaScript the four-digit candidate number typed in the same box is enough.
"""

from django import forms
from django.db.models.functions import Length
from django.urls import reverse

from centres.models import Unit
from ocradmin.fields import ModelChoiceField
from ocradmin.forms import Form
from ocradmin.identifiers import is_ascii_digits, parse_id
from ocradmin.validators import SingleLineCharField

from ..models import Candidate
from ..selectors import approved_qualifications
from ..services.entries import MAX_UNNAMED_QUANTITY


def _unit_label(unit) -> str:
    return f"Unit {unit.number}: {unit.title}"


def units_in_order(queryset):
    """Units by qualification, then by number as a number (1, 2, 10), letters last."""
    return queryset.order_by("qualification__entry_code", Length("number"), "number")


def candidate_label(candidate) -> str:
    return f"{candidate.candidate_number} {candidate.last_name}, {candidate.first_name}"


class _EntryForm(Form):
    """The qualification and optional unit both kinds of entry share."""

    kind = ""  # "named" or "unnamed": which fields ``entries:entry-fields`` renders

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

    def __init__(self, *args, centre, qualification=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.centre = centre
        approved = approved_qualifications(centre)
        self.fields["qualification"].queryset = approved
        self.fields["qualification"].widget.attrs.update(
            {
                "hx-get": reverse("entries:entry-fields", args=[centre.number]),
                "hx-vals": f'{{"kind": "{self.kind}"}}',
                "hx-trigger": "change",
                "hx-target": "#qualification-fields",
                "hx-swap": "outerHTML",
            }
        )
        self.chosen_qualification = qualification or self._chosen_qualification(approved)
        units = Unit.objects.filter(qualification__in=approved).select_related("qualification")
        if self.chosen_qualification is not None:
            units = units.filter(qualification=self.chosen_qualification)
            self.fields["unit"].error_messages["invalid_choice"] = (
                f"Choose one of the units of {self.chosen_qualification.entry_code}, or full award"
            )
            self.fields["unit"].help_text = (
                f"The units of {self.chosen_qualification.entry_code}. Choose one for a unit "
                "entry; leave as full award otherwise."
            )
        self.fields["unit"].queryset = units_in_order(units)
        if self.chosen_qualification is None:
            self.fields["unit"].label_from_instance = lambda unit: (
                f"{unit.qualification.entry_code} unit {unit.number}: {unit.title}"
            )
        else:
            self.fields["unit"].label_from_instance = _unit_label

    def _chosen_qualification(self, approved):
        """The qualification posted, or given as the initial value: the units follow it."""
        prefix = self.add_prefix("qualification")
        value = self.data.get(prefix) if self.is_bound else self.initial.get("qualification")
        pk = getattr(value, "pk", None) or parse_id(value)
        return approved.filter(pk=pk).first() if pk else None

    def clean(self):
        cleaned = super().clean()
        qualification, unit = cleaned.get("qualification"), cleaned.get("unit")
        if qualification and unit and unit.qualification_id != qualification.pk:
            self.add_error(
                "unit",
                f"Unit {unit.number} belongs to {unit.qualification.entry_code}, "
                f"not {qualification.entry_code}: choose one of {qualification.entry_code}'s "
                "units",
            )
        return cleaned


class NamedEntryForm(_EntryForm):
    kind = "named"

    candidate_query = forms.CharField(
        label="Candidate",
        max_length=100,
        required=False,
        help_text="Type the candidate's name or number, then choose them from the list. "
        "Add the candidate on the Candidates page first if they are not found.",
        widget=forms.TextInput(
            attrs={"type": "search", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    # The candidate chosen from the search results (radio buttons the page shows); a choice
    # field would list every candidate of the centre.
    candidate = forms.CharField(required=False, widget=forms.HiddenInput)
    option_code = forms.ChoiceField(label="Option code", required=False, choices=[])

    field_order = ["candidate_query", "candidate", "qualification", "unit", "option_code"]

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, centre=centre, **kwargs)
        self.fields["candidate_query"].widget.attrs.update(
            {
                "hx-get": reverse("entries:candidate-search", args=[centre.number]),
                "hx-trigger": "input changed delay:300ms, search",
                "hx-target": "#candidate-results",
                "hx-sync": "this:replace",
                "aria-controls": "candidate-results",
            }
        )
        self._set_option_codes()

    def _set_option_codes(self):
        field = self.fields["option_code"]
        chosen = self.chosen_qualification
        if chosen is not None:
            codes = list(chosen.option_codes or [])
            if not codes:
                del self.fields["option_code"]
                return
            field.required = True
            field.choices = [("", "Choose an option code"), *((code, code) for code in codes)]
            field.help_text = f"{chosen.entry_code} is entered with one of its option codes."
            field.error_messages["required"] = f"Choose an option code for {chosen.entry_code}"
            return
        grouped = [
            (q.entry_code, [(code, code) for code in q.option_codes])
            for q in self.fields["qualification"].queryset
            if q.option_codes
        ]
        if not grouped:
            del self.fields["option_code"]
            return
        field.choices = [("", "No option code"), *grouped]
        field.help_text = "Only for qualifications with option codes: " + "; ".join(
            f"{code} ({', '.join(value for value, _ in options)})" for code, options in grouped
        )

    def chosen_candidate(self):
        """The candidate chosen (posted, or given as the initial value), if one of the
        centre's; the page shows it as the chosen search result."""
        if not hasattr(self, "_chosen_candidate"):
            value = (
                self.data.get(self.add_prefix("candidate"))
                if self.is_bound
                else self.initial.get("candidate")
            )
            pk = parse_id(value)
            self._chosen_candidate = (
                Candidate.objects.filter(centre=self.centre, pk=pk).first() if pk else None
            )
        return self._chosen_candidate

    def clean(self):
        cleaned = super().clean()
        query = (cleaned.get("candidate_query") or "").strip()
        candidate = None
        if cleaned.get("candidate"):
            candidate = self.chosen_candidate()
            if candidate is None:
                self.add_error("candidate_query", "Choose the candidate from the list")
                return cleaned
        elif is_ascii_digits(query) and len(query) <= 4:
            number = query.zfill(4)
            candidate = Candidate.objects.filter(
                centre=self.centre, candidate_number=number
            ).first()
            if candidate is None:
                self.add_error(
                    "candidate_query",
                    f"No candidate {number} at this centre: check the number, or add the "
                    "candidate on the Candidates page first",
                )
                return cleaned
        elif "candidate_query" not in self.errors:
            self.add_error(
                "candidate_query",
                "Type the candidate's name and choose them from the list, or type their "
                "four-digit candidate number"
                if query
                else "Enter the candidate's name or number",
            )
            return cleaned
        cleaned["candidate"] = candidate
        return cleaned


class UnnamedEntryForm(_EntryForm):
    kind = "unnamed"

    quantity = forms.IntegerField(
        label="Number of candidates",
        min_value=1,
        max_value=MAX_UNNAMED_QUANTITY,
        help_text=f"1 to {MAX_UNNAMED_QUANTITY}. Name the candidates later with named entries.",
    )

    field_order = ["qualification", "unit", "quantity"]


class AmendEntryForm(Form):
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
            return
        del self.fields["quantity"]
        codes = list(entry.qualification.option_codes or [])
        if codes:
            choices = [(code, code) for code in codes]
            self.fields["option_code"] = forms.ChoiceField(
                label="Option code",
                choices=[("", "Choose an option code"), *choices],
                initial=entry.option_code,
                help_text=f"One of {entry.qualification.entry_code}'s option codes.",
            )
        else:
            self.fields["option_code"].initial = entry.option_code
            self.fields["option_code"].help_text = "This qualification has no options."
