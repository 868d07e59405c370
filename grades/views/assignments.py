from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views import View
from django.views.generic import FormView

from centres.tenancy import CentreMixin

from ..forms.assignments import AssignmentForm
from ..selectors import assignments_at
from ..services import GradeError, window
from ..services.assignments import assign_teacher, unassign_teacher
from .materials import SeriesMixin


class AssignmentsView(CentreMixin, SeriesMixin, FormView):
    """The centre admin assigns teachers to the qualifications they grade."""

    template_name = "grades/assignments/list.html"
    centre_permission = "grades.manage_assignments"
    centre_section = "grade_teachers"
    form_class = AssignmentForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "centre": self.centre}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        users_window = window(self.series, "users")
        context["series"] = self.series
        context["now"] = timezone.now()
        context["window"] = users_window
        context["window_open"] = users_window.is_open()
        context["assignments"] = assignments_at(self.centre, self.series)
        return context

    def form_valid(self, form):
        try:
            assignment = assign_teacher(
                series=self.series,
                centre=self.centre,
                qualification=form.cleaned_data["qualification"],
                teacher=form.cleaned_data["teacher"],
                by=self.request.user,
            )
        except GradeError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(self.request, f"Assigned {assignment}.")
        return redirect("grades:assignments", self.centre.number)


class AssignmentRemoveView(CentreMixin, SeriesMixin, View):
    centre_permission = "grades.manage_assignments"

    def post(self, request, number, pk):
        assignment = get_object_or_404(assignments_at(self.centre, self.series), pk=pk)
        try:
            unassign_teacher(assignment=assignment, by=request.user)
            messages.success(request, f"Removed {assignment}.")
        except GradeError as error:
            messages.error(request, str(error))
        return redirect("grades:assignments", self.centre.number)
