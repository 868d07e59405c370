"""The centre's side: its feedback reports (``/centres/<number>/claims/reports/``) and the PDF
of one claim's report."""

from django.http import Http404
from django.views import View
from django.views.generic import ListView

from centres.tenancy import CentreMixin
from claims.views.mixins import ClaimMixin
from ocradmin import documents

from ..selectors import centre_reports, report_for_claim
from ..services.report import report_filename


class CentreReportsView(CentreMixin, ListView):
    template_name = "moderation/centre/reports.html"
    centre_permission = "claims.view_claims"
    centre_section = "claims"
    context_object_name = "reports"
    paginate_by = 50

    def get_queryset(self):
        return centre_reports(self.centre)


class CentreReportView(ClaimMixin, View):
    def get(self, request, *args, **kwargs):
        report = report_for_claim(self.get_claim())
        if report is None:
            raise Http404("This claim has no feedback report yet.")
        return documents.serve(
            request,
            report.pdf,
            filename=report_filename(report),
            title=f"Feedback report for claim {report.review.claim.number}",
        )
