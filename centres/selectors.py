from django.db.models import Count, Prefetch, Q

from ocradmin.workdays import working_days_ages

from .models import (
    VOCATIONAL_TYPES,
    Centre,
    CentreApplication,
    Invitation,
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
    cache = user.__dict__.setdefault("_centre_roles", {})
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


def approval_summary_for(user) -> dict | None:
    """For a centre admin's dashboard: per centre, how many approvals are requested and
    approved, and the requests still waiting (oldest first). None when they administer none."""
    centre_ids = Membership.objects.filter(user=user, role=Role.CENTRE_ADMIN).values("centre_id")
    Status = QualificationApproval.Status
    centres = list(
        Centre.objects.filter(pk__in=centre_ids)
        .annotate(
            requested_count=Count("approvals", filter=Q(approvals__status=Status.REQUESTED)),
            approved_count=Count("approvals", filter=Q(approvals__status=Status.APPROVED)),
        )
        .order_by("number")
    )
    if not centres:
        return None
    waiting = list(
        QualificationApproval.objects.filter(centre__in=centres, status=Status.REQUESTED)
        .select_related("centre", "qualification")
        .order_by("requested_at", "pk")[:10]
    )
    return {"centres": centres, "waiting": waiting}


def pending_invitations_for(user):
    """Invitations still waiting to be accepted at the centres ``user`` administers, soonest
    to expire first."""
    return (
        Invitation.objects.filter(
            status=Invitation.Status.PENDING,
            centre__memberships__user=user,
            centre__memberships__role=Role.CENTRE_ADMIN,
        )
        .select_related("centre")
        .order_by("expires_at", "pk")
    )
