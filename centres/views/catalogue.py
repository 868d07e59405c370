"""The qualification catalogue ("entry codes booklet") for any signed-in user."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count
from django.db.models.functions import Length
from django.views.generic import DetailView, ListView

from ocradmin.identifiers import is_ascii_digits

from ..filters import QualificationFilter
from ..models import Qualification


def _visible_qualifications(user):
    qualifications = Qualification.objects.all()
    return qualifications if user.is_staff else qualifications.filter(is_active=True)


class CatalogueView(LoginRequiredMixin, ListView):
    template_name = "centres/catalogue/list.html"
    context_object_name = "qualifications"
    paginate_by = 25

    def get_queryset(self):
        qualifications = _visible_qualifications(self.request.user).annotate(
            unit_count=Count("units")
        )
        self.filterset = QualificationFilter(self.request.GET, queryset=qualifications)
        return self.filterset.qs.order_by("qualification_type", "title", "entry_code")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        return context


class QualificationDetailView(LoginRequiredMixin, DetailView):
    template_name = "centres/catalogue/detail.html"
    context_object_name = "qualification"
    slug_field = "entry_code"
    slug_url_kwarg = "entry_code"

    def get_queryset(self):
        return _visible_qualifications(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        qualification = self.object
        units = list(
            qualification.units.order_by("-is_mandatory", Length("number"), "number", "pk")
        )
        context["units"] = units
        context["mandatory_count"] = sum(1 for u in units if u.is_mandatory)
        context["optional_needed"] = max(
            qualification.units_required - context["mandatory_count"], 0
        )
        context["points_grades"], context["points_rows"] = points_table(qualification, units)
        return context


def points_table(qualification, units) -> tuple[list[str], list[tuple[str, list]]]:
    """The unit points as a table: columns are unit grades (in the units' grade order, since
    PostgreSQL does not keep JSON keys in order), rows are guided learning hours."""
    points = qualification.unit_points or {}
    order: list[str] = []
    for unit in units:
        for grade in unit.grade_scale or []:
            if grade not in order:
                order.append(grade)
    for by_grade in points.values():
        for grade in by_grade:
            if grade not in order:
                order.append(grade)
    grades = [g for g in order if any(g in by_grade for by_grade in points.values())]
    rows = [
        (glh, [points[glh].get(grade, "—") for grade in grades])
        for glh in sorted(points, key=lambda key: int(key) if is_ascii_digits(str(key)) else 0)
    ]
    return grades, rows
