"""Staff: the series' progress and the export of submitted grades."""

from django.contrib import messages
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import ListView

from centres.models import Centre
from ocradmin.links import row_link
from ocradmin.spreadsheets import csv_lines
from ocradmin.views import StaffRequiredMixin

from ..forms.staff import CentreFilterForm
from ..selectors import CENTRE_STATES, centres_for_staff, series_progress_summary, submitted_grades
from ..services import GradeError
from ..services.reminders import remind_head_of_centre
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


class StaffProgressView(StaffRequiredMixin, SeriesMixin, ListView):
    """The series' progress per qualification, then every centre with candidates entered, one
    row each (filter by state, qualification, number or name), each not yet submitted with a
    button that reminds its head of centre."""

    template_name = "grades/staff/progress.html"
    context_object_name = "centres"
    paginate_by = 50

    def get_queryset(self):
        self.filter_form = CentreFilterForm(self.request.GET)
        return centres_for_staff(self.series, **self.filter_form.filters())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        remind_url = row_link("grades:staff-remind")
        for centre in context["centres"]:
            centre.state_label = CENTRE_STATES[centre.state]
            centre.remind_url = remind_url(centre.number)
        context.update(
            series=self.series,
            filter_form=self.filter_form,
            **series_progress_summary(self.series),
        )
        return context


class StaffRemindHeadView(StaffRequiredMixin, SeriesMixin, View):
    """Email the centre's head of centre that its grades are not submitted (once a day)."""

    http_method_names = ["post"]

    def post(self, request, number):
        centre = get_object_or_404(Centre, number=number)
        try:
            remind_head_of_centre(series=self.series, centre=centre, by=request.user)
        except GradeError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                f"The head of centre of {centre.number} {centre.name} has been reminded "
                "by email and in the app.",
            )
        back = request.POST.get("next", "")
        progress = reverse("grades:staff-progress")
        return redirect(back if back.startswith(progress + "?") or back == progress else progress)


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
