"""Staff: the series' progress and the export of submitted grades."""

import csv

from django.http import StreamingHttpResponse
from django.views import View
from django.views.generic import TemplateView

from ocradmin.views import StaffRequiredMixin

from ..selectors import series_progress_summary, submitted_grades
from ..uploads import safe_cell
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


class _Line:
    """A file-like object whose ``write`` hands back the line the csv writer wrote."""

    def write(self, line):
        return line


def export_lines(rows):
    """The CSV, a line at a time (a byte-order mark first, for spreadsheets), with every cell a
    spreadsheet would run as a formula neutralised."""
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(EXPORT_COLUMNS)
    for row in rows:
        yield writer.writerow([safe_cell(value) for value in row])


class StaffExportView(StaffRequiredMixin, SeriesMixin, View):
    """Submitted grades as CSV, streamed: the rows come from the database in chunks (a server-
    side cursor on PostgreSQL) and go out as they are written, so memory stays flat and the
    first bytes leave at once, however many centres have submitted."""

    def get(self, request):
        rows = submitted_grades(self.series).iterator(chunk_size=5000)
        response = StreamingHttpResponse(
            (line.encode() for line in export_lines(rows)), content_type="text/csv"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{self.series.code}-submitted-grades.csv"'
        )
        return response
