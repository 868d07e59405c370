"""Staff: every centre's claims; with ``?clock=waiting|amber|breach`` (the staff board's
links), the claims whose work is due, in that state of the 24-hour clock."""

from django.utils import timezone
from django.views.generic import ListView

from ocradmin.views import StaffRequiredMixin

from ..selectors import claims_on_the_clock, staff_claims

CLOCK_HEADINGS = {
    "waiting": "Claims waiting for the candidates' work",
    "amber": "Claims with the work due within 6 hours",
    "breach": "Claims with the work overdue",
}


class StaffClaimListView(StaffRequiredMixin, ListView):
    template_name = "claims/staff/list.html"
    context_object_name = "claims"
    paginate_by = 50

    def get_queryset(self):
        self.clock = self.request.GET.get("clock", "")
        if self.clock not in CLOCK_HEADINGS:
            self.clock = ""
            return staff_claims()
        return claims_on_the_clock(self.clock)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            clock=self.clock,
            heading=CLOCK_HEADINGS.get(self.clock, "Claims"),
            now=timezone.now(),
            **kwargs,
        )
