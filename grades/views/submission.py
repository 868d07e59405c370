"""The head of centre's declaration and submission, and the PDF receipt."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.views import View
from django.views.generic import FormView

from centres.tenancy import CentreMixin
from ocradmin import documents

from ..forms.submission import DeclarationForm
from ..models import CentreSubmission
from ..services import GradeError
from ..services.grading import submission_window_message
from ..services.submission import (
    CONFIRMATIONS,
    receipt_filename,
    submission_blockers,
    submit_centre_grades,
)
from .materials import SeriesMixin


class DeclarationView(CentreMixin, SeriesMixin, FormView):
    template_name = "grades/submission/declaration.html"
    centre_permission = "grades.submit_grades"
    centre_section = "grades"
    form_class = DeclarationForm

    def get_initial(self):
        head = getattr(self.centre, "head", None)
        if head is not None and head.user_id == self.request.user.pk:
            return {"head_name": head.name, "head_job_title": head.job_title}
        return {"head_name": self.request.user.full_name}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            series=self.series,
            submission=CentreSubmission.objects.filter(
                series=self.series, centre=self.centre
            ).first(),
            blockers=submission_blockers(series=self.series, centre=self.centre),
            window_message=submission_window_message(self.series),
        )
        return context

    def form_valid(self, form):
        try:
            submit_centre_grades(
                series=self.series,
                centre=self.centre,
                head_name=form.cleaned_data["head_name"],
                head_job_title=form.cleaned_data["head_job_title"],
                confirmations={c: form.cleaned_data[c] for c in CONFIRMATIONS},
                by=self.request.user,
            )
        except GradeError as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(self.request, "The centre's grades are submitted. Thank you.")
        return redirect("grades:review", self.centre.number)


class ReceiptView(CentreMixin, SeriesMixin, View):
    centre_permission = "grades.view_receipt"

    def get(self, request, number):
        submission = CentreSubmission.objects.filter(series=self.series, centre=self.centre).first()
        if submission is None:
            raise Http404("The centre has not submitted its grades.")
        return documents.serve(
            request,
            submission.receipt,
            filename=receipt_filename(submission),
            title="The receipt of your grades submission",
        )
