"""Who reaches the moderation pages (``/moderation/…``).

An examiner-moderator reaches the claims allocated to them: a claim's ``moderator`` is the
examiner-moderator of its centre and qualification's allocation when it was submitted (and
whoever the awarding body reallocates it to), so a claim of anyone else answers 404. Staff
read every claim sent for moderation but act on none (403 on the actions). Anyone else signed in
gets 403 (``AllocationMixin``); an anonymous visitor is sent to sign in.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied

from claims.models import Claim
from entries.tenancy import AllocationMixin

from ..selectors import QUEUE_STATES


class ModerationMixin(AllocationMixin):
    allocation_queryset = Claim.objects.filter(status__in=QUEUE_STATES).select_related(
        "centre", "qualification", "moderator", "built_by", "submitted_by"
    )
    # An action (a POST that changes the claim) is for the claim's moderator alone.
    acts = False

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and user.is_staff and not user.is_examiner_moderator:
            if self.acts:
                raise PermissionDenied
            return LoginRequiredMixin.dispatch(self, request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def get_allocated_queryset(self):
        user = self.request.user
        if user.is_staff and not user.is_examiner_moderator:
            return self.allocation_queryset.all()
        return self.allocation_queryset.filter(moderator=user)

    def get_claim(self) -> Claim:
        if not hasattr(self, "claim"):
            self.claim = self.get_allocated_object()
        return self.claim

    @property
    def is_claims_moderator(self) -> bool:
        return self.get_claim().moderator_id == self.request.user.pk
