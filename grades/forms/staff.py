"""Staff: narrowing the list of centres on the grades progress page."""

from django import forms

from centres.models import Qualification
from ocradmin.filters import ListsInOneQuery
from ocradmin.forms import Form

from ..selectors import CENTRE_STATES, NOT_SUBMITTED


class CentreFilterForm(ListsInOneQuery, Form):
    status = forms.ChoiceField(
        label="Grades",
        required=False,
        choices=[
            ("", "Any state"),
            (NOT_SUBMITTED, "Not submitted (any state)"),
            *CENTRE_STATES.items(),
        ],
    )
    qualification = forms.ModelChoiceField(
        label="Qualification",
        required=False,
        queryset=Qualification.objects.none(),
        to_field_name="entry_code",
        empty_label="Any qualification",
    )
    q = forms.CharField(label="Centre number or name", required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["qualification"].queryset = Qualification.objects.filter(
            available_for_tags=True
        ).order_by("entry_code")

    def filters(self) -> dict:
        """The valid filters (a bad value is ignored, not an error: this is a search form)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "status": data.get("status") or "",
            "qualification": data.get("qualification"),
            "search": data.get("q") or "",
        }
