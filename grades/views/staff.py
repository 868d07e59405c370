"""Staff: the series' progress and the export of submitted grades."""

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import ListView, TemplateView

from centres.models import Centre
from ocradmin.documents import PREPARING_REFRESH_SECONDS
from ocradmin.links import row_link
from ocradmin.views import StaffRequiredMixin

from ..forms.staff import CentreFilterForm
from ..models import GradeExport
from ..selectors import (
    CENTRE_STATES,
    centres_for_staff,
    series_progress_summary,
    staff_centre_page,
)
from ..services import GradeError, exports
from ..services.reminders import remind_head_of_centre
from .materials import SeriesMixin


class StaffProgressView(StaffRequiredMixin, SeriesMixin, ListView):
    """The series' progress per qualification, then every centre with candidates entered, one
    row each (filter by state, qualification, number or name), each not yet submitted with a
    button that reminds its head of centre."""

    template_name = "grades/staff/progress.html"
    context_object_name = "centres"
    paginate_by = 50

    def get_queryset(self):
        self.filter_form = CentreFilterForm(self.request.GET)
        rows, self.centres_as_at = centres_for_staff(self.series, **self.filter_form.filters())
        return rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        remind_url = row_link("grades:staff-remind")
        centres = staff_centre_page(self.series, context["centres"])
        for centre in centres:
            centre.state_label = CENTRE_STATES[centre.state]
            centre.remind_url = remind_url(centre.number)
        context.update(
            centres=centres,
            centres_as_at=self.centres_as_at,
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


class StaffExportView(StaffRequiredMixin, SeriesMixin, TemplateView):
    """Every submitted grade, each with the candidate as the centre submitted them, as one CSV
    file: staff ask for it (POST), a task writes it and this page shows how far it has got, then
    the link to download it. A prepared file is reused while it is current."""

    template_name = "grades/staff/export.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        export = exports.latest_export(self.series)
        submissions = exports.submission_count(self.series)
        context.update(
            series=self.series,
            export=export,
            current=export is not None and exports.is_current(export, submissions=submissions),
            lost=export is not None and exports.is_lost(export),
            interrupted=exports.INTERRUPTED,
            submissions=submissions,
            max_age_minutes=int(exports.EXPORT_MAX_AGE.total_seconds() // 60),
            refresh_seconds=PREPARING_REFRESH_SECONDS,
        )
        return context

    def post(self, request):
        export, new = exports.request_export(series=self.series, by=request.user)
        if not new:
            messages.info(
                request,
                "The file is already being prepared."
                if export.in_progress
                else "The file below is up to date: no centre has submitted since it was made.",
            )
        return redirect("grades:staff-export")


class StaffExportDownloadView(StaffRequiredMixin, SeriesMixin, View):
    """A prepared file, streamed from storage (audited)."""

    def get(self, request, pk):
        export = get_object_or_404(GradeExport, series=self.series, pk=pk)
        if export.status != GradeExport.Status.READY:
            messages.error(request, "That file is no longer kept. Prepare a new one.")
            return redirect("grades:staff-export")
        exports.record_download(export=export, by=request.user)
        response = FileResponse(
            export.file.open("rb"),
            as_attachment=True,
            filename=f"{self.series.code}-submitted-grades-"
            f"{timezone.localtime(export.finished_at):%Y-%m-%d-%H%M}.csv",
            content_type="text/csv; charset=utf-8",
        )
        response["Cache-Control"] = "no-store"
        return response
