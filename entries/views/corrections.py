"""Staff: corrections to candidates' identities waiting for a decision."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import ListView

from ocradmin.views import StaffRequiredMixin
from ocradmin.workdays import working_days_ages

from ..forms.decisions import posted_reason
from ..models import CandidateCorrection
from ..selectors import pending_corrections
from ..services import EntryError
from ..services.corrections import approve_correction, reject_correction


class StaffCorrectionQueueView(StaffRequiredMixin, ListView):
    template_name = "entries/corrections/staff_queue.html"
    paginate_by = 50

    def get_queryset(self):
        return pending_corrections()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        corrections = list(context["object_list"])
        ages = working_days_ages(c.requested_at for c in corrections)
        for correction, age in zip(corrections, ages, strict=True):
            correction.age_working_days = age
        return context


class StaffCorrectionDecisionView(StaffRequiredMixin, View):
    def post(self, request, pk):
        correction = get_object_or_404(CandidateCorrection, pk=pk)
        candidate = correction.candidate
        try:
            if request.POST.get("decision") == "approve":
                approve_correction(correction=correction, by=request.user)
                messages.success(
                    request,
                    f"Correction to candidate {candidate.candidate_number} at centre "
                    f"{correction.centre.number} approved and made; the centre has been told.",
                )
            else:
                reject_correction(
                    correction=correction, by=request.user, reason=posted_reason(request.POST)
                )
                messages.success(
                    request,
                    f"Correction to candidate {candidate.candidate_number} at centre "
                    f"{correction.centre.number} rejected; the centre has been told.",
                )
        except EntryError as error:
            messages.error(request, str(error))
        return redirect("entries:staff-corrections")
