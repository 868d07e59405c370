from datetime import timedelta

from django.db.models import Count, Prefetch, prefetch_related_objects
from django.utils import timezone

from ocradmin.workdays import working_days_ages

from .models import (
    VOCATIONAL_TYPES,
    Centre,
    CentreApplication,
    HeadOfCentre,
    Membership,
    ModeratorProfile,
    Qualification,
    QualificationApproval,
    Role,
)


def roles_at(user, centre) -> frozenset[str]:
    """The user's roles at a centre, cached on the user object for the request."""
    if not user.is_authenticated:
        return frozenset()
    # getattr/setattr, not __dict__: they reach through request.user's lazy wrapper, so the
    # tenancy check (given request.user) and the rules (given the user inside) share the cache.
    cache = getattr(user, "_centre_roles", None)
    if cache is None:
        cache = user._centre_roles = {}
    if centre.pk not in cache:
        cache[centre.pk] = frozenset(
            Membership.objects.filter(user=user, centre=centre).values_list("role", flat=True)
        )
    return cache[centre.pk]


# --- Who to tell -----------------------------------------------------------------------------


def centre_people(centre, *roles) -> list:
    """The active users holding any of ``roles`` at ``centre`` (a centre or its id), each once,
    by name. Every "tell the centre's admins / heads" reads its recipients here."""
    centre_id = getattr(centre, "pk", centre)
    return people_by_centre([centre_id], *roles).get(centre_id, [])


def people_by_centre(centre_ids, *roles) -> dict[int, list]:
    """``centre_people`` for many centres in one query: ``{centre id: [users]}``."""
    if not roles:
        raise ValueError("Name the roles to tell.")
    people: dict[int, dict] = {}
    memberships = (
        Membership.objects.filter(centre_id__in=centre_ids, role__in=roles, user__is_active=True)
        .select_related("user")
        .order_by("centre_id", "user__full_name", "user__email")
    )
    for membership in memberships:
        people.setdefault(membership.centre_id, {})[membership.user_id] = membership.user
    return {centre_id: list(users.values()) for centre_id, users in people.items()}


def memberships_of(user) -> list:
    """The user's memberships with their centres, by centre number: one query, prefetched on
    the user for the request (every dashboard task source asks, and the page header's
    ``user.memberships`` reads the same rows)."""
    if not user.is_authenticated:
        return []
    if "memberships" not in getattr(user, "_prefetched_objects_cache", {}):
        prefetch_related_objects(
            [user],
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("centre").order_by(
                    "centre__number", "role"
                ),
            ),
        )
    return list(user.memberships.all())


def centres_where(user, *roles) -> list:
    """The centres where the user holds any of ``roles`` (from ``memberships_of``), each once."""
    centres = {m.centre_id: m.centre for m in memberships_of(user) if m.role in roles}
    return list(centres.values())


def centres_for(user) -> list:
    """The centres a user belongs to, by number, each with ``my_memberships`` (its roles there),
    from ``memberships_of``."""
    by_centre: dict[int, tuple] = {}
    for membership in memberships_of(user):
        by_centre.setdefault(membership.centre_id, (membership.centre, []))[1].append(membership)
    for centre, memberships in by_centre.values():
        centre.my_memberships = memberships
    return [centre for centre, _ in by_centre.values()]


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


# --- Qualification approvals -----------------------------------------------------------------


def requestable_qualifications(centre):
    """Active remotely moderated vocational qualifications the centre has no live approval for."""
    return (
        Qualification.objects.filter(
            is_active=True, is_remotely_moderated=True, qualification_type__in=VOCATIONAL_TYPES
        )
        .exclude(
            pk__in=QualificationApproval.objects.filter(
                centre=centre, status__in=QualificationApproval.LIVE
            ).values("qualification_id")
        )
        .order_by("title", "entry_code")
    )


def centre_approvals(centre):
    """Every approval of the centre, live and past, newest first."""
    return (
        QualificationApproval.objects.filter(centre=centre)
        .select_related("qualification", "requested_by", "decided_by")
        .order_by("-requested_at", "-pk")
    )


def waiting_approvals():
    """Requests waiting for staff, oldest first."""
    return (
        QualificationApproval.objects.filter(status=QualificationApproval.Status.REQUESTED)
        .select_related("centre", "qualification", "requested_by")
        .order_by("requested_at", "pk")
    )


HEAD_CHANGES_DAYS = 30


def recent_head_changes(*, days: int = HEAD_CHANGES_DAYS):
    """Heads of centre named in the last ``days`` days, newest first, for staff to watch: a
    change of head is where a centre could try to approve its own work."""
    since = timezone.now() - timedelta(days=days)
    return (
        HeadOfCentre.objects.filter(nominated_at__gte=since)
        .select_related("centre", "nominated_by", "user")
        .order_by("-nominated_at", "-pk")
    )


def holds_approving_role(user) -> bool:
    """Whether the user is head of centre or centre admin anywhere: roles that approve, submit
    or change other people's work (two-factor sign-in is required for them)."""
    return Membership.objects.filter(
        user=user, role__in=[Role.HEAD_OF_CENTRE, Role.CENTRE_ADMIN]
    ).exists()
