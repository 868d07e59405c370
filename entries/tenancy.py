"""Tenancy for the examiner-moderator's pages (``/moderation/…``).

A moderator sees a centre's work only for the (centre, qualification) pairs that entry
processing allocated to them (``ModeratorAllocation``). Every object is reached through those
allocations: anything else answers 404, so ids leak nothing; a signed-in user who is not an
examiner-moderator gets 403 (staff too: they use the staff pages); an anonymous visitor is sent
to sign in.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.shortcuts import get_object_or_404

from centres.rules import is_examiner_moderator

from .models import ModeratorAllocation


class AllocationMixin(LoginRequiredMixin):
    """``allocation_queryset`` is the view's objects (claims, say); ``allocation_centre`` and
    ``allocation_qualification`` the lookups from one of them to its centre and qualification
    (``"claim__centre"`` for a claim's line). ``get_allocated_queryset()`` narrows them to the
    signed-in moderator's allocations, in the same query; ``get_allocated_object()`` is the one
    named by the URL's ``pk``, or 404."""

    allocation_queryset: QuerySet | None = None
    allocation_centre = "centre"
    allocation_qualification = "qualification"
    allocation_pk_kwarg = "pk"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not is_examiner_moderator(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_allocated_queryset(self) -> QuerySet:
        if self.allocation_queryset is None:
            raise ImproperlyConfigured(f"{type(self).__name__} names no allocation_queryset.")
        allocated = ModeratorAllocation.objects.filter(
            moderator=self.request.user,
            centre=OuterRef(self.allocation_centre),
            qualification=OuterRef(self.allocation_qualification),
        )
        return self.allocation_queryset.filter(Exists(allocated))

    def get_allocated_object(self):
        return get_object_or_404(
            self.get_allocated_queryset(), pk=self.kwargs[self.allocation_pk_kwarg]
        )
