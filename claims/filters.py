"""Filters of the claims list (narrowed to the centre)."""

import django_filters

from centres.models import Qualification
from ocradmin.filters import FilterSet

from .models import Claim


class ClaimFilter(FilterSet):
    status = django_filters.ChoiceFilter(
        choices=Claim.Status.choices, label="Status", empty_label="Any status"
    )
    qualification = django_filters.ModelChoiceFilter(
        queryset=Qualification.objects.none(),
        label="Qualification",
        empty_label="Any qualification",
    )
    number = django_filters.CharFilter(
        field_name="number", lookup_expr="icontains", label="Claim number"
    )

    class Meta:
        model = Claim
        fields = []

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        claimed = Claim.objects.filter(centre=centre).values("qualification_id")
        self.filters["qualification"].queryset = Qualification.objects.filter(
            pk__in=claimed
        ).order_by("entry_code")
