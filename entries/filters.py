"""Search and filters for the entries app's list pages (each narrowed to the centre)."""

import django_filters
from django.db.models import Exists, OuterRef, Q

from centres.models import Qualification, QualificationApproval
from ocradmin.filters import FilterSet
from ocradmin.identifiers import is_ascii_digits

from .models import AccessArrangement, Candidate, Entry


def candidate_matches(word: str, prefix: str = "") -> Q:
    """One search word against a candidate: part of a name, the candidate number (``42``
    finds 0042) or the start of the UCI."""
    match = Q(**{f"{prefix}first_name__icontains": word}) | Q(
        **{f"{prefix}last_name__icontains": word}
    )
    if is_ascii_digits(word) and len(word) <= 4:
        match |= Q(**{f"{prefix}candidate_number": word.zfill(4)})
    if len(word) >= 5:
        match |= Q(**{f"{prefix}uci__istartswith": word})
    return match


def candidates_matching(centre, value: str):
    """The centre's candidates that match every word (at most five) of a search."""
    candidates = Candidate.objects.filter(centre=centre)
    for word in value.split()[:5]:
        candidates = candidates.filter(candidate_matches(word))
    return candidates


# Beyond this many matched candidates the search stays a subquery (a list of thousands of ids
# in the address of two queries costs more than running the name search twice).
MATCHED_IDS_READ = 500


def matched_candidates(centre, value: str):
    """The centre's candidates matching a search, for a list filtered by them: their ids read
    once (a list page counts its rows and then reads its page, and the name search would run
    in both), or, when very many match, the subquery itself."""
    candidates = candidates_matching(centre, value)
    ids = list(candidates.order_by().values_list("pk", flat=True)[: MATCHED_IDS_READ + 1])
    return candidates if len(ids) > MATCHED_IDS_READ else ids


class CandidateFilter(FilterSet):
    q = django_filters.CharFilter(method="search", label="Search by name, candidate number or UCI")

    class Meta:
        model = Candidate
        fields = []

    def search(self, queryset, name, value):
        for word in value.split()[:5]:
            queryset = queryset.filter(candidate_matches(word))
        return queryset


class ArrangementFilter(FilterSet):
    status = django_filters.ChoiceFilter(
        choices=AccessArrangement.Status.choices, label="Status", empty_label="Any status"
    )
    kind = django_filters.ChoiceFilter(
        choices=AccessArrangement.Kind.choices, label="Arrangement", empty_label="Any arrangement"
    )
    qualification = django_filters.ModelChoiceFilter(
        queryset=Qualification.objects.none(),
        label="Qualification",
        empty_label="Any qualification",
    )
    q = django_filters.CharFilter(method="search", label="Candidate (name, number or UCI)")

    class Meta:
        model = AccessArrangement
        fields = []

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.centre = centre
        used = AccessArrangement.objects.filter(centre=centre).values("qualification_id")
        self.filters["qualification"].queryset = Qualification.objects.filter(pk__in=used).order_by(
            "entry_code"
        )

    def search(self, queryset, name, value):
        # Matched among the centre's candidates first: searching every centre's candidates
        # by name and joining would read the whole national table.
        return queryset.filter(candidate__in=candidates_matching(self.centre, value))


class EntryFilter(FilterSet):
    q = django_filters.CharFilter(method="search", label="Candidate (name, number or UCI)")
    qualification = django_filters.ModelChoiceFilter(
        queryset=Qualification.objects.none(),
        label="Qualification",
        empty_label="Any qualification",
    )
    status = django_filters.ChoiceFilter(
        choices=Entry.Status.choices, label="Status", empty_label="Any status"
    )
    kind = django_filters.ChoiceFilter(
        choices=Entry.Kind.choices, label="Named or unnamed", empty_label="Either"
    )

    class Meta:
        model = Entry
        fields = []

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.centre = centre
        entered = Entry.objects.filter(centre=centre, qualification_id=OuterRef("pk"))
        approved = QualificationApproval.objects.filter(
            centre=centre, status=QualificationApproval.Status.APPROVED
        ).values("qualification_id")
        self.filters["qualification"].queryset = Qualification.objects.filter(
            Q(Exists(entered)) | Q(pk__in=approved)
        ).order_by("entry_code")

    def search(self, queryset, name, value):
        # As ArrangementFilter.search: the centre's candidates first.
        return queryset.filter(candidate__in=matched_candidates(self.centre, value))
