import django_filters
from django import forms
from django.db.models import Q

from ocradmin.filters import FilterSet
from ocradmin.models import AuditEvent

from .models import ModeratorProfile, Qualification, QualificationApproval, QualificationType


class AuditEventFilter(FilterSet):
    action = django_filters.CharFilter(lookup_expr="icontains", label="Action")
    actor = django_filters.CharFilter(
        field_name="actor__email", lookup_expr="icontains", label="Done by (email)"
    )
    since = django_filters.DateFilter(
        field_name="at",
        lookup_expr="date__gte",
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        field_name="at",
        lookup_expr="date__lte",
        label="To",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = AuditEvent
        fields = []


# --- Catalogue, qualification approvals, examiner-moderators ----------------------------------


class QualificationFilter(FilterSet):
    q = django_filters.CharFilter(method="search", label="Entry code or title")
    qualification_type = django_filters.ChoiceFilter(
        choices=QualificationType.choices, label="Type", empty_label="Any type"
    )

    class Meta:
        model = Qualification
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(entry_code__icontains=value) | Q(title__icontains=value))


class ApprovalFilter(FilterSet):
    status = django_filters.ChoiceFilter(
        choices=QualificationApproval.Status.choices, label="Status", empty_label="Any status"
    )
    q = django_filters.CharFilter(method="search", label="Entry code or title")

    class Meta:
        model = QualificationApproval
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(qualification__entry_code__icontains=value) | Q(qualification__title__icontains=value)
        )


class StaffApprovalFilter(FilterSet):
    q = django_filters.CharFilter(method="search", label="Centre number, entry code or title")

    class Meta:
        model = QualificationApproval
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(centre__number=value)
            | Q(centre__name__icontains=value)
            | Q(qualification__entry_code__icontains=value)
            | Q(qualification__title__icontains=value)
        )


class ModeratorFilter(FilterSet):
    q = django_filters.CharFilter(method="search", label="Name or email")
    qualification = django_filters.ModelChoiceFilter(
        field_name="qualifications",
        queryset=Qualification.objects.filter(is_remotely_moderated=True),
        label="May moderate",
        empty_label="Any qualification",
    )
    is_available = django_filters.BooleanFilter(
        label="Available",
        widget=forms.Select(choices=[("", "Any"), ("true", "Available"), ("false", "Not")]),
    )

    class Meta:
        model = ModeratorProfile
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(user__full_name__icontains=value) | Q(user__email__icontains=value)
        )
