"""Staff: every examiner-moderator's load, and moving work from one moderator to another.

Two moves, each a transition (DESIGN.md §5): a single claim (``reallocate_claim``), or a
centre's qualification — its ``ModeratorAllocation`` and the live claims the outgoing moderator
holds for it (``reallocate_allocation``). Either is refused, with a message staff can act on,
when the claim is no longer live, the new moderator is the current one, is not an available
examiner-moderator for the qualification, has no capacity, or would break the separation of
duties: nobody moderates a claim at a centre where they hold a role (``Membership``), nor a
claim they built, submitted or added lines to. Both moderators and the centre admins are told.

Capacity, shown on the staff pages: a moderator holds at most
``settings.MODERATION_LIVE_CLAIMS_PER_MODERATOR`` live claims (submitted, work sent, with the
moderator), and at most their ``ModeratorProfile.capacity`` centre-qualification allocations
(the number the automatic allocation in entries keeps to).
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Min, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from centres.models import Membership, ModeratorProfile, Role
from centres.selectors import centre_people
from claims.models import Claim, ClaimLine
from entries.models import ModeratorAllocation
from ocradmin import audit
from ocradmin.figures import forget, kept
from ocradmin.models import User
from ocradmin.notifications import Delivery, notify_each

from ..models import LineDecision, Review
from ..selectors import count_subquery
from . import ModerationError

S = Claim.Status
# The claims a moderator is working on or about to: these move with a reallocation.
LIVE = [S.SUBMITTED, S.WORK_SENT, S.WITH_MODERATOR]
# The lines still to moderate: the work has reached the moderator.
WAITING_STATES = [S.WORK_SENT, S.WITH_MODERATOR]


class ReallocationError(ModerationError):
    """A move staff asked for that the rules refuse; the message says why, plainly."""


def claim_capacity() -> int:
    return settings.MODERATION_LIVE_CLAIMS_PER_MODERATOR


# --- Reads ------------------------------------------------------------------------------------

# The load page's sort keys: the figure each orders by (names break ties, A to Z).
SORTS = {
    "name": "full_name",
    "claims": "live_claims",
    "lines": "lines_waiting",
    "due": "nearest_due",
    "allocations": "allocation_count",
}


LOAD_FIGURES_KEY = "moderation:load-figures"
LOAD_FIGURES_SECONDS = 60
NO_LOAD = {
    "submitted": 0,
    "work_sent": 0,
    "with_moderator": 0,
    "moderated": 0,
    "nearest_due": None,
    "lines_waiting": 0,
    "allocation_count": 0,
}


class Loads(list):
    """The moderators with their figures, in the page's order; ``as_at`` is when the figures
    were worked out (None: just now)."""

    as_at = None


def moderator_loads(sort: str = "claims", descending: bool = True, *, ids=None) -> Loads:
    """Every examiner-moderator (or those of ``ids``) with their load: ``submitted``,
    ``work_sent``, ``with_moderator``, ``moderated`` and ``live_claims`` (their claims by state),
    ``nearest_due`` (the earliest ``results_due_on`` of their claims whose work has reached
    them), ``allocation_count``, the profile's capacity, and ``lines_waiting`` (the undecided
    lines of those claims), sorted by ``sort`` (``SORTS``; names break ties, A to Z).

    Every moderator's figures are worked out together (``load_figures``) at most once a minute
    and kept, with their time (``as_at``), for the load page: they read every live claim's
    lines. A move made here forgets them (``ocradmin.figures.forget``). A chosen few
    moderators' (``ids``: the choices of a move, one moderator's page) are read now."""
    users = User.objects.filter(is_examiner_moderator=True).select_related("moderator_profile")
    if ids is not None:
        users = users.filter(pk__in=ids)
    # The database orders the names (its collation); the figure is then sorted stably.
    users = Loads(users.order_by("full_name", "email", "pk"))
    if ids is None:
        figures = kept(LOAD_FIGURES_KEY, lambda: load_figures(None), seconds=LOAD_FIGURES_SECONDS)
        users.as_at, figures = figures.as_at, figures.value
    else:
        figures = load_figures(ids)
    for user in users:
        for name, value in figures.get(user.pk, NO_LOAD).items():
            setattr(user, name, value)
        user.live_claims = user.submitted + user.work_sent + user.with_moderator
    key = SORTS.get(sort, SORTS["claims"])
    # Stable, so equal figures keep the names' order (``reverse`` keeps it too); no figure last.
    known = [u for u in users if getattr(u, key) is not None]
    known.sort(key=lambda u: getattr(u, key), reverse=descending)
    users[:] = known + [u for u in users if getattr(u, key) is None]
    return users


def load_figures(ids) -> dict[int, dict]:
    """``{moderator id: figures (as NO_LOAD)}`` of the moderators of ``ids`` (all when None):
    three queries grouped by moderator, whatever their number."""
    figures: dict[int, dict] = {}

    def of(moderator_id) -> dict:
        return figures.setdefault(moderator_id, dict(NO_LOAD))

    names = {S.SUBMITTED: "submitted", S.WORK_SENT: "work_sent"}
    names |= {S.WITH_MODERATOR: "with_moderator", S.MODERATED: "moderated"}
    claims = Claim.objects.filter(moderator__isnull=False)
    if ids is not None:
        claims = claims.filter(moderator_id__in=ids)
    # One count a state and moderator: cheaper than a filtered count of each state.
    rows = (
        claims.order_by()
        .values("moderator_id", "status")
        .annotate(n=Count("*"), due=Min("results_due_on"))
        .values_list("moderator_id", "status", "n", "due")
    )
    for moderator_id, status, n, due in rows:
        figure = of(moderator_id)
        if status in names:
            figure[names[status]] = n
        if status in WAITING_STATES and due is not None:
            nearest = figure["nearest_due"]
            figure["nearest_due"] = due if nearest is None else min(nearest, due)
    for moderator_id, n in _lines_waiting(ids).items():
        of(moderator_id)["lines_waiting"] = n
    for moderator_id, n in _allocations_held(ids).items():
        of(moderator_id)["allocation_count"] = n
    return figures


def _allocations_held(ids) -> dict[int, int]:
    """``{moderator id: centre allocations}`` (all moderators when ``ids`` is None)."""
    allocations = ModeratorAllocation.objects.all()
    if ids is not None:
        allocations = allocations.filter(moderator_id__in=ids)
    return dict(
        allocations.order_by()
        .values("moderator_id")
        .annotate(n=Count("*"))
        .values_list("moderator_id", "n")
    )


def _lines_waiting(ids) -> dict[int, int]:
    """``{moderator id: undecided lines}`` of the claims whose work has reached them (all
    moderators when ``ids`` is None): each claim's lines less its decisions, two index-only
    counts a claim, summed by moderator in one query. A line withdrawn from a live claim always
    carries its ``withdrawn`` decision (``withdraw_units``), so lines less decisions is the
    lines neither decided nor withdrawn; counting the undecided lines themselves needed every
    line's row and an anti-join with the decisions (~90 ms for every moderator at national
    size), and a count of lines and another of decisions, each joined to the claims, ~5.7 ms
    for a page of 50 moderators (this, ~4; every moderator's, ~10)."""
    claims = Claim.objects.filter(status__in=WAITING_STATES)
    if ids is not None:
        claims = claims.filter(moderator_id__in=ids)
    lines = _count_of(ClaimLine.objects.filter(claim=OuterRef("pk")), "claim")
    decided = _count_of(LineDecision.objects.filter(review__claim=OuterRef("pk")), "review__claim")
    return dict(
        claims.order_by()
        .values("moderator_id")
        .annotate(n=Sum(lines - decided))
        .values_list("moderator_id", "n")
    )


def _count_of(queryset, field):
    """A correlated ``COUNT(*)`` subquery (read from an index alone), 0 for no rows."""
    return Coalesce(
        Subquery(queryset.order_by().values(field).annotate(n=Count("*")).values("n")[:1]),
        Value(0),
    )


def moderator_load(pk):
    """One examiner-moderator with their load (``moderator_loads``), or None."""
    return next(iter(moderator_loads(ids=[pk])), None)


def moderator_claims(moderator):
    """The moderator's queue for staff: live claims first (results due soonest), then the rest."""
    return (
        Claim.objects.filter(moderator=moderator)
        .exclude(status=S.DRAFT)
        .select_related("centre", "qualification")
        .annotate(line_count=Count("lines"))
        .order_by(
            F("results_due_on").asc(nulls_last=True),
            F("work_due_at").asc(nulls_last=True),
            "pk",
        )
    )


def moderator_allocations(moderator):
    """The centre-qualification pairs allocated to the moderator, with their live claims."""
    return (
        ModeratorAllocation.objects.filter(moderator=moderator)
        .select_related("centre", "qualification")
        .annotate(
            live_claims=count_subquery(
                Claim.objects.filter(
                    centre=OuterRef("centre"),
                    qualification=OuterRef("qualification"),
                    moderator=OuterRef("moderator"),
                    status__in=LIVE,
                ),
                "centre",
            )
        )
        .order_by("centre__number", "qualification__entry_code")
    )


@dataclass(frozen=True)
class Choice:
    """A moderator who could take the work, with the figures staff choose by."""

    user: User
    live_claims: int
    allocations: int
    allocation_capacity: int

    @property
    def label(self) -> str:
        return (
            f"{self.user.get_full_name()} — {self.live_claims} of {claim_capacity()} live claims, "
            f"{self.allocations} of {self.allocation_capacity} allocations"
        )


def moderators_who_could_take(qualification, *, exclude_id=None, centre_id=None) -> list:
    """Available examiner-moderators for ``qualification`` with their load, fewest claims first:
    the choices of the reallocation forms. Anyone with a role at the centre is left out (they
    are refused anyway); capacity is checked when the move is made."""
    profiles = ModeratorProfile.objects.filter(
        qualifications=qualification, is_available=True, user__is_active=True
    ).exclude(user_id=exclude_id)
    if centre_id is not None:
        profiles = profiles.exclude(user__memberships__centre_id=centre_id)
    users = moderator_loads(ids=profiles.values_list("user_id", flat=True))
    users.sort(key=lambda u: u.live_claims)  # stable: by name within the same load
    return [
        Choice(
            user=u,
            live_claims=u.live_claims,
            allocations=u.allocation_count,
            allocation_capacity=u.moderator_profile.capacity,
        )
        for u in users
    ]


def separation_conflicts():
    """What breaks the separation of duties now, for the staff board: allocations whose
    moderator holds a role at the centre (a role given after the allocation), and live claims
    with such a moderator or one who built or submitted the claim. Two queries when there are
    none: the examiner-moderators' roles are read first (few), so neither list is matched
    against every membership (8 -> 3.5 ms at 5,000 centres)."""
    roles = (
        Membership.objects.filter(user__is_examiner_moderator=True)
        .order_by()
        .values_list("user_id", "centre_id")
        .distinct()
    )
    role_there = Q(pk__in=[])
    for user_id, centre_id in roles:
        role_there |= Q(moderator_id=user_id, centre_id=centre_id)
    allocations = (
        ModeratorAllocation.objects.filter(role_there)
        .select_related("centre", "qualification", "moderator")
        .order_by("centre__number", "qualification__entry_code")
    )
    # The ids first: there are almost never any, and the joined read costs more to build than
    # to run.
    claim_ids = list(
        Claim.objects.filter(status__in=LIVE, moderator__isnull=False)
        .filter(role_there | Q(built_by=F("moderator")) | Q(submitted_by=F("moderator")))
        .order_by("results_due_on", "pk")
        .values_list("pk", flat=True)[:20]
    )
    claims = (
        Claim.objects.filter(pk__in=claim_ids)
        .select_related("centre", "qualification", "moderator")
        .order_by("results_due_on", "pk")
        if claim_ids
        else []
    )
    return list(allocations[:20]), list(claims)


# --- The rules --------------------------------------------------------------------------------


def _live_claims_of(user_id) -> int:
    return Claim.objects.filter(moderator_id=user_id, status__in=LIVE).count()


def _check_moderator(to, *, centre, qualification, claim_ids, adding_claims, adding_allocation):
    """Refuse ``to`` for this work; locks their profile so two moves cannot both fill it."""
    if to is None or not to.is_examiner_moderator or not to.is_active:
        raise ReallocationError("Choose an active examiner-moderator.")
    profile = ModeratorProfile.objects.select_for_update().filter(user=to).first()
    name = to.get_full_name()
    if profile is None or not profile.is_available:
        raise ReallocationError(f"{name} is not available to moderate at the moment.")
    if not profile.qualifications.filter(pk=qualification.pk).exists():
        raise ReallocationError(f"{name} does not moderate {qualification.entry_code}.")
    if Membership.objects.filter(user=to, centre=centre).exists():
        raise ReallocationError(
            f"{name} holds a role at centre {centre.number}, so cannot moderate its claims "
            "(separation of duties). Choose someone else."
        )
    built = (
        Claim.objects.filter(pk__in=claim_ids).filter(Q(built_by=to) | Q(submitted_by=to)).exists()
        or ClaimLine.objects.filter(claim_id__in=claim_ids, added_by=to).exists()
    )
    if built:
        raise ReallocationError(
            f"{name} built or submitted this work, so cannot moderate it (separation of "
            "duties). Choose someone else."
        )
    live = _live_claims_of(to.pk)
    if live + adding_claims > claim_capacity():
        raise ReallocationError(
            f"{name} has {live} live claim{'s' if live != 1 else ''}; a moderator holds at most "
            f"{claim_capacity()}, so there is no room for "
            f"{adding_claims} more. Choose someone with capacity."
        )
    if adding_allocation:
        held = ModeratorAllocation.objects.filter(moderator=to).count()
        if held >= profile.capacity:
            raise ReallocationError(
                f"{name} already holds {held} of their {profile.capacity} centre allocations. "
                "Choose someone with capacity, or raise theirs on the moderators page."
            )


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ReallocationError("Give the reason for the move; both moderators see it.")
    return reason


def _tell(*, notice_base, old, new, centre, context, moderator_url, centre_url):
    deliveries_old = [Delivery(old, {**context, "for": "old"}, "")] if old else []
    notify_each(notice=f"moderation/{notice_base}_from", deliveries=deliveries_old)
    notify_each(
        notice=f"moderation/{notice_base}_to",
        deliveries=[Delivery(new, {**context, "for": "new"}, moderator_url)],
    )
    notify_each(
        notice=f"moderation/{notice_base}_centre",
        deliveries=[
            Delivery(user, context, centre_url) for user in centre_people(centre, Role.CENTRE_ADMIN)
        ],
    )


# --- The moves --------------------------------------------------------------------------------


def check_claim_move(*, claim, to, expected_from_id=None) -> None:
    """The refusals of ``reallocate_claim`` without moving anything (the confirmation page)."""
    with transaction.atomic():
        _lock_claim_for_move(claim.pk, to, expected_from_id)


def _lock_claim_for_move(claim_id, to, expected_from_id):
    claim = (
        Claim.objects.select_for_update(of=("self",))
        .select_related("centre", "qualification", "moderator")
        .get(pk=claim_id)
    )
    label = claim.number or "This draft"
    if claim.status not in LIVE:
        if claim.status == S.DRAFT:
            raise ReallocationError(
                "A draft claim has no moderator yet; it is allocated when sent."
            )
        raise ReallocationError(
            f"Claim {label} is {claim.get_status_display().lower()}; only a live claim can move."
        )
    if expected_from_id is not None and claim.moderator_id != expected_from_id:
        raise ReallocationError(
            f"Claim {label} has moved since this page was opened: it is now with "
            f"{claim.moderator.get_full_name() if claim.moderator else 'nobody'}."
        )
    if to is not None and claim.moderator_id == to.pk:
        raise ReallocationError(f"Claim {label} is already with {to.get_full_name()}.")
    _check_moderator(
        to,
        centre=claim.centre,
        qualification=claim.qualification,
        claim_ids=[claim.pk],
        adding_claims=1,
        adding_allocation=False,
    )
    return claim


def reallocate_claim(*, claim, to, reason: str, by, expected_from_id=None) -> Claim:
    """Move one live claim to another examiner-moderator. ``expected_from_id`` is the moderator
    staff saw on the confirmation page: if it changed meanwhile, nothing moves."""
    reason = _reason(reason)
    with transaction.atomic():
        claim = _lock_claim_for_move(claim.pk, to, expected_from_id)
        old = claim.moderator
        claim.moderator = to
        claim.save(update_fields=["moderator", "updated_at"])
        forget(LOAD_FIGURES_KEY)
        Review.objects.filter(claim=claim, status=Review.Status.IN_PROGRESS).update(moderator=to)
        audit.record(
            actor=by,
            action="claim.reallocated",
            centre=claim.centre,
            target=claim,
            data={"from": old.pk if old else None, "to": to.pk, "reason": reason},
        )
        _tell(
            notice_base="claim_reallocated",
            old=old,
            new=to,
            centre=claim.centre,
            context={"claim": claim, "old": old, "new": to, "reason": reason, "count": 1},
            moderator_url=reverse("moderation:claim", args=[claim.pk]),
            centre_url=reverse("claims:claim", args=[claim.centre.number, claim.pk]),
        )
    return claim


def _moving_claims(allocation):
    return Claim.objects.filter(
        centre_id=allocation.centre_id,
        qualification_id=allocation.qualification_id,
        moderator_id=allocation.moderator_id,
        status__in=LIVE,
    )


def _lock_allocation_for_move(allocation_id, to, expected_from_id):
    allocation = (
        ModeratorAllocation.objects.select_for_update(of=("self",))
        .select_related("centre", "qualification", "moderator")
        .get(pk=allocation_id)
    )
    what = f"{allocation.qualification.entry_code} at centre {allocation.centre.number}"
    if expected_from_id is not None and allocation.moderator_id != expected_from_id:
        raise ReallocationError(
            f"{what} has moved since this page was opened: it is now with "
            f"{allocation.moderator.get_full_name()}."
        )
    if to is not None and allocation.moderator_id == to.pk:
        raise ReallocationError(f"{what} is already with {to.get_full_name()}.")
    claim_ids = list(
        _moving_claims(allocation).select_for_update(of=("self",)).values_list("pk", flat=True)
    )
    _check_moderator(
        to,
        centre=allocation.centre,
        qualification=allocation.qualification,
        claim_ids=claim_ids,
        adding_claims=len(claim_ids),
        adding_allocation=True,
    )
    return allocation, claim_ids


def check_allocation_move(*, allocation, to, expected_from_id=None) -> list[int]:
    """The refusals of ``reallocate_allocation`` without moving anything; the claims that
    would move."""
    with transaction.atomic():
        return _lock_allocation_for_move(allocation.pk, to, expected_from_id)[1]


def reallocate_allocation(*, allocation, to, reason: str, by, expected_from_id=None):
    """Move a centre's qualification to another moderator: the allocation (so new claims go to
    them) and the live claims the outgoing moderator holds for it. Returns the allocation and
    the number of claims moved."""
    reason = _reason(reason)
    with transaction.atomic():
        allocation, claim_ids = _lock_allocation_for_move(allocation.pk, to, expected_from_id)
        old = allocation.moderator
        allocation.moderator = to
        allocation.allocated_at = timezone.now()
        allocation.save(update_fields=["moderator", "allocated_at"])
        Claim.objects.filter(pk__in=claim_ids).update(moderator=to, updated_at=timezone.now())
        forget(LOAD_FIGURES_KEY)
        Review.objects.filter(claim_id__in=claim_ids, status=Review.Status.IN_PROGRESS).update(
            moderator=to
        )
        centre = allocation.centre
        audit.record(
            actor=by,
            action="moderator.reallocated",
            centre=centre,
            target=allocation,
            data={
                "qualification": allocation.qualification.entry_code,
                "from": old.pk,
                "to": to.pk,
                "claims": len(claim_ids),
                "reason": reason,
            },
        )
        claims = list(Claim.objects.filter(pk__in=claim_ids).order_by("number"))
        audit.record_many(
            actor=by,
            action="claim.reallocated",
            centre=centre,
            events=[
                (c, {"from": old.pk, "to": to.pk, "reason": reason, "with_allocation": True})
                for c in claims
            ],
        )
        _tell(
            notice_base="allocation_reallocated",
            old=old,
            new=to,
            centre=centre,
            context={
                "allocation": allocation,
                "centre": centre,
                "qualification": allocation.qualification,
                "claims": claims,
                "count": len(claims),
                "old": old,
                "new": to,
                "reason": reason,
            },
            moderator_url=reverse("moderation:queue"),
            centre_url=reverse("claims:list", args=[centre.number]),
        )
    return allocation, len(claim_ids)
