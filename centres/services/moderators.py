"""Examiner-moderators' specialisms: which qualifications they may moderate, their capacity,
whether they are taking allocations."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count

from ocradmin import audit

from ..models import ModeratorProfile, Qualification
from . import CentreError


def save_moderator_profile(
    *, user, qualifications, capacity: int, is_available: bool, by
) -> ModeratorProfile:
    """Create or update the user's moderator profile; the user becomes an examiner-moderator."""
    if capacity is None or capacity < 1:
        raise CentreError("Capacity must be at least 1 allocation.")
    qualifications = list(qualifications)
    not_moderated = [q.entry_code for q in qualifications if not q.is_remotely_moderated]
    if not_moderated:
        raise CentreError(
            f"{', '.join(not_moderated)} {'is' if len(not_moderated) == 1 else 'are'} not "
            "remotely moderated, so there is nothing to moderate."
        )
    User = get_user_model()
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if not user.is_active:
            raise CentreError(f"{user.email}'s account is deactivated.")
        profile, created = ModeratorProfile.objects.get_or_create(
            user=user, defaults={"capacity": capacity, "is_available": is_available}
        )
        if not created:
            profile.capacity = capacity
            profile.is_available = is_available
            profile.save(update_fields=["capacity", "is_available"])
        profile.qualifications.set(qualifications)
        if not user.is_examiner_moderator:
            user.is_examiner_moderator = True
            user.save(update_fields=["is_examiner_moderator"])
        audit.record(
            actor=by,
            action="moderator_profile.created" if created else "moderator_profile.updated",
            target=profile,
            data={
                "user": user.email,
                "qualifications": sorted(q.entry_code for q in qualifications),
                "capacity": capacity,
                "is_available": is_available,
            },
        )
    return profile


# --- Queries for the staff pages -------------------------------------------------------------


def moderator_profiles():
    """Every profile with its user, its current load (allocations held) and its qualifications.

    The load counts ``user.allocations`` (the entries app's allocations) through the reverse
    relation, so centres does not import entries."""
    return (
        ModeratorProfile.objects.select_related("user")
        .annotate(load=Count("user__allocations", distinct=True))
        .prefetch_related("qualifications")
        .order_by("user__full_name", "user__email")
    )


def moderatable_qualifications():
    return Qualification.objects.filter(is_remotely_moderated=True).order_by("title", "entry_code")
