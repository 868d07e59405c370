"""The examiner-moderator's side of a claim, through their allocations (``AllocationMixin``:
404 for a claim they are not allocated, 403 for anyone who is not a moderator): the claims sent
to them, a claim with its work, downloading a file and confirming the work arrived."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.views import View
from django.views.generic import ListView, TemplateView

from entries.tenancy import AllocationMixin

from ..models import Claim, Evidence
from ..selectors import claim_evidence, claim_lines, moderator_claims
from ..services import ClaimError
from ..services.work import confirm_receipt
from .work import dispatch_of, stream, work_rows


class ModeratorMixin(AllocationMixin):
    """Submitted claims only: a draft is the centre's until it is submitted."""

    allocation_queryset = Claim.objects.filter(status__in=Claim.SUBMITTED_STATES).select_related(
        "centre", "qualification", "moderator", "submitted_by"
    )

    def get_claim(self) -> Claim:
        if not hasattr(self, "claim"):
            self.claim = self.get_allocated_object()
        return self.claim


class ModeratorClaimListView(ModeratorMixin, ListView):
    template_name = "claims/moderator/list.html"
    context_object_name = "claims"
    paginate_by = 50

    def get_queryset(self):
        return moderator_claims(self.get_allocated_queryset())

    def get_context_data(self, **kwargs):
        return super().get_context_data(now=timezone.now(), **kwargs)


class ModeratorClaimView(ModeratorMixin, TemplateView):
    template_name = "claims/moderator/claim.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        claim = self.get_claim()
        context.update(
            claim=claim,
            rows=work_rows(claim_lines(claim), claim_evidence(claim)),
            dispatch=dispatch_of(claim),
            now=timezone.now(),
        )
        return context


class ModeratorEvidenceView(ModeratorMixin, View):
    def get(self, request, *args, **kwargs):
        evidence = (
            Evidence.objects.filter(claim=self.get_claim(), pk=kwargs["evidence_pk"])
            .select_related("claim__centre", "candidate", "unit")
            .first()
        )
        if evidence is None:
            raise Http404("No such file.")
        return stream(evidence, request.user)


class ConfirmReceiptView(ModeratorMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            claim = confirm_receipt(claim=self.get_claim(), by=request.user)
        except ClaimError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                f"You have the work of claim {claim.number}. Results are due by "
                f"{claim.results_due_on:%-d %B %Y}.",
            )
        return redirect("claims:moderator-claim", kwargs["pk"])
