"""The examiner-moderator's side of a claim, scoped by allocation (404 otherwise): the claims
sent to them, a claim with its work, downloading a file and confirming the work arrived."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.views import View
from django.views.generic import ListView, TemplateView

from ..models import Evidence
from ..selectors import claim_evidence, claim_for_moderator, claim_lines, moderator_claims
from ..services import ClaimError
from ..services.work import confirm_receipt
from .work import dispatch_of, stream, work_rows


class ModeratorMixin(LoginRequiredMixin):
    def get_claim(self):
        if not hasattr(self, "claim"):
            self.claim = claim_for_moderator(self.request.user, self.kwargs["pk"])
            if self.claim is None:
                raise Http404("No such claim.")
        return self.claim


class ModeratorClaimListView(LoginRequiredMixin, ListView):
    template_name = "claims/moderator/list.html"
    context_object_name = "claims"
    paginate_by = 50

    def get_queryset(self):
        return moderator_claims(self.request.user)

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
