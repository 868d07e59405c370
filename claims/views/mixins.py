from django.http import Http404

from centres.tenancy import CentreMixin

from ..selectors import claim_for_centre


class ClaimMixin(CentreMixin):
    """A page of one claim of the centre (404 when it is another centre's)."""

    centre_permission = "claims.view_claims"
    centre_section = "claims"

    def get_claim(self):
        if not hasattr(self, "claim"):
            self.claim = claim_for_centre(self.centre, self.kwargs["pk"])
            if self.claim is None:
                raise Http404("No such claim.")
        return self.claim

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        claim = self.get_claim()
        context["claim"] = claim
        context["can_build"] = claim.is_draft and self.request.user.has_perm(
            "claims.build_claims", self.centre
        )
        context["can_send_work"] = claim.work_is_due and self.request.user.has_perm(
            "claims.build_claims", self.centre
        )
        return context
