"""Staff pages for the entry-processing job: entries it could not decide."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import ListView

from ocradmin.links import row_link
from ocradmin.views import StaffRequiredMixin

from ..forms.decisions import posted_reason
from ..models import Entry
from ..selectors import entries_on_the_clock, entries_with_staff
from ..services import EntryError
from ..services.processing import accept_reviewed_entry, reject_reviewed_entry

CLOCK_HEADINGS = {
    "waiting": "Entries waiting to be processed",
    "amber": "Entries waiting more than 24 hours",
    "breach": "Entries past the 48-hour deadline",
}


class StaffReviewQueueView(StaffRequiredMixin, ListView):
    """The entries the job could not decide; with ``?clock=waiting|amber|breach`` (the staff
    board's links), the waiting entries in that state of the 24–48 h clock instead."""

    template_name = "entries/processing/staff_review.html"
    paginate_by = 50

    def get_queryset(self):
        self.clock = self.request.GET.get("clock", "")
        if self.clock not in CLOCK_HEADINGS:
            self.clock = ""
            return entries_with_staff()
        return entries_on_the_clock(self.clock)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            clock=self.clock,
            heading=CLOCK_HEADINGS.get(self.clock, "Entries the processing job could not decide"),
            **kwargs,
        )
        decide_url = row_link("entries:staff-review-decide")
        for entry in context["object_list"]:
            entry.decide_url = decide_url(entry.pk)
        return context


class StaffReviewDecisionView(StaffRequiredMixin, View):
    def post(self, request, pk):
        entry = get_object_or_404(Entry, pk=pk)
        try:
            if request.POST.get("decision") == "accept":
                accept_reviewed_entry(entry=entry, by=request.user)
                messages.success(request, f"Entry {entry.pk} accepted.")
            else:
                reject_reviewed_entry(
                    entry=entry, reason=posted_reason(request.POST), by=request.user
                )
                messages.success(request, f"Entry {entry.pk} rejected; the centre has been told.")
        except EntryError as error:
            messages.error(request, str(error))
        return redirect("entries:staff-review")
