"""Staff: the series' progress and the export of submitted grades."""

from django.http import StreamingHttpResponse
from django.views import View
from django.views.generic import TemplateView

from ocradmin.spreadsheets import csv_lines
from ocradmin.views import StaffRequiredMixin

from ..selectors import series_progress_summary, submitted_grades
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
        context.update(series_progress_summary(self.series))
        return context


class StaffExportView(StaffRequiredMixin, SeriesMixin, View):
    """Submitted grades as CSV, each with the candidate as the centre submitted them, streamed:
    the rows come from the database in chunks (a server-side cursor on PostgreSQL) and go out as
    they are written, so memory stays flat however many centres have submitted; cells a
    spreadsheet would run as formulas are neutralised."""

    def get(self, request):
        rows = submitted_grades(self.series).iterator(chunk_size=5000)
        response = StreamingHttpResponse(
            csv_lines(EXPORT_COLUMNS, rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{self.series.code}-submitted-grades.csv"'
        )
        return response
