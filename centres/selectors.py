from django.db.models import Count, Prefetch

from ocradmin.workdays import working_days_ages

from .models import Centre, CentreApplication, Membership, ModeratorProfile


def roles_at(user, centre) -> frozenset[str]:
    """The user's roles at a centre, cached on the user object for the request."""
    if not user.is_authenticated:
        return frozenset()
    cache = user.__dict__.setdefault("_centre_roles", {})
    if centre.pk not in cache:
        cache[centre.pk] = frozenset(
            Membership.objects.filter(user=user, centre=centre).values_list("role", flat=True)
        )
    return cache[centre.pk]


def centres_for(user):
    """The centres a user belongs to, each with ``my_memberships`` prefetched."""
    return (
        Centre.objects.filter(memberships__user=user)
        .distinct()
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(user=user),
                to_attr="my_memberships",
            )
        )
    )


def centre_for_user_or_none(user, number: str):
    """The centre with this number if the user may see it (a member, or staff)."""
    centre = Centre.objects.filter(number=number).first()
    if centre is None:
        return None
    if user.is_staff or roles_at(user, centre):
        return centre
    return None


def moderators_for(qualification):
    """Available examiner-moderator profiles who may moderate this qualification."""
    return (
        ModeratorProfile.objects.filter(
            qualifications=qualification, is_available=True, user__is_active=True
        )
        .select_related("user")
        .order_by("user_id")
    )


def pending_applications():
    """Centre applications waiting for a decision, oldest first."""
    return (
        CentreApplication.objects.filter(status=CentreApplication.Status.SUBMITTED)
        .select_related("applicant")
        .annotate(qualification_count=Count("intended_qualifications"))
        .order_by("submitted_at", "pk")
    )


def with_ages(items, *, at: str) -> list:
    """Set ``age_in_working_days`` on each item from its ``at`` datetime, as
    ``working_days_since`` would, with one calendar for the whole list."""
    items = list(items)
    for item, age in zip(items, working_days_ages(getattr(i, at) for i in items), strict=True):
        item.age_in_working_days = age
    return items
