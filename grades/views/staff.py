"""Staff: the series' progress and the export of submitted grades."""

from django.http import HttpResponse
from django.views import View
from django.views.generic import TemplateView

from ocradmin.spreadsheets import write_csv
from ocradmin.views import StaffRequiredMixin

from ..selectors import series_progress, submitted_grades
from .materials import SeriesMixin

EXPORT_COLUMNS = [
    "centre_number",
    "centre_name",
    "entry_code",
    "qualification",
    "candidate_number",
    "uci",
    "last_name",
    "first_name",
    "grade",
]


class StaffProgressView(StaffRequiredMixin, SeriesMixin, TemplateView):
    template_name = "grades/staff/progress.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["series"] = self.series
        context["rows"] = series_progress(self.series)
        return context


class StaffExportView(StaffRequiredMixin, SeriesMixin, View):
    """Submitted grades as CSV, each with the candidate as the centre submitted them; cells
    that a spreadsheet would run as formulas are neutralised."""

    def get(self, request):
        rows = (
            [
                g.centre.number,
                g.centre.name,
                g.qualification.entry_code,
                g.qualification.title,
                g.submitted_candidate_number,
                g.submitted_uci,
                g.submitted_last_name,
                g.submitted_first_name,
                g.grade,
            ]
            for g in submitted_grades(self.series).iterator(chunk_size=2000)
        )
        response = HttpResponse(
            write_csv(EXPORT_COLUMNS, rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{self.series.code}-submitted-grades.csv"'
        )
        return response
