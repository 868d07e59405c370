"""Roles at a centre, invitations and the head-of-centre record.

Every function here is a service in the house style: keyword arguments, the acting user as
``by``, one transaction, the rows it changes locked first, a ``CentreError`` fit to show the
user on any refusal (nothing written), an audit event per change, and the head of centre told
of every change through ``_tell_head_of_centre``.

The centre must always keep a centre admin. ``revoke_role`` and ``remove_person`` lock every
centre-admin membership of the centre (in primary-key order, before any other row) and count
them, so two removals at the same moment are serialised and cannot leave none.
"""

import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import dateformat, timezone

from ocradmin import audit
from ocradmin.notifications import email_notice, notify
from ocradmin.registration import is_awaiting_confirmation
from ocradmin.validators import has_control_characters

from ..hooks import head_details_gates
from ..models import HeadOfCentre, Invitation, Membership, Role
from ..selectors import centre_people
from . import CentreError

INVITATION_DAYS = 14
LAST_ADMIN_MESSAGE = "A centre must keep at least one centre admin"
DAY_AND_TIME = r"j F Y \a\t H:i"


# --- Telling the head of centre ------------------------------------------------------------


def _tell_head_of_centre(centre, name: str, *, also: tuple[str, ...] = (), **context) -> None:
    """Email the head of centre about a change to the centre's people: the notice
    ``centres/<name>_for_head`` (its text in ``templates/centres/notices/``), with the centre
    and ``context``.

    The address on the head-of-centre record when there is one; otherwise every user holding
    the head-of-centre role there. ``also`` adds addresses (e.g. a replaced head's old email).
    Queued on commit, so a refused change sends nothing.
    """
    notice = f"centres/{name}_for_head"
    context = {"centre": centre, **context}
    head = HeadOfCentre.objects.filter(centre=centre).first()
    if head is not None:
        recipients = list(dict.fromkeys(e.lower() for e in (head.email, *also) if e))
        email_notice(to=recipients, notice=notice, context=context)
        return
    url = reverse("centres:users", args=[centre.number])
    for user in centre_people(centre, Role.HEAD_OF_CENTRE):
        notify(user=user, notice=notice, context=context, url=url)
    extra = [e for e in also if e]
    if extra:
        email_notice(to=extra, notice=notice, context=context)


def _day(moment, fmt: str = "j F Y") -> str:
    return dateformat.format(timezone.localtime(moment), fmt)


def _who(user) -> str:
    return f"{user.get_full_name()} <{user.email}>" if user is not None else "the system"


def _role_list(roles) -> str:
    return ", ".join(Role(r).label for r in roles)


def _clean_roles(roles) -> list[str]:
    """The roles as ``Role`` values in the usual order; refuses an empty or unknown role."""
    wanted = {str(r) for r in roles or ()}
    unknown = wanted - set(Role.values)
    if unknown:
        raise CentreError(f"Unknown role: {', '.join(sorted(unknown))}.")
    if not wanted:
        raise CentreError("Choose at least one role.")
    return [r for r in Role.values if r in wanted]


def _clean_text(value: str, label: str) -> str:
    """A name or title: the ends stripped; refused with line breaks or control characters."""
    value = (value or "").strip()
    if has_control_characters(value):
        raise CentreError(f"Remove the line breaks, tabs or other control characters from {label}.")
    return value


def _clean_email(email: str) -> str:
    email = get_user_model().objects.normalize_email(email)
    try:
        validate_email(email)
    except ValidationError:
        raise CentreError(f"{email or 'That'} is not a valid email address.") from None
    return email


# --- Roles ---------------------------------------------------------------------------------


def _grant(*, centre, user, role: str, by) -> Membership:
    membership, created = Membership.objects.get_or_create(user=user, centre=centre, role=role)
    if not created:
        raise CentreError(f"{user.email} is already {membership.get_role_display().lower()}.")
    audit.record(
        actor=by,
        action="membership.granted",
        centre=centre,
        target=membership,
        data={"user": user.email, "role": role},
    )
    return membership


def grant_role(*, centre, user, role: str, by) -> Membership:
    with transaction.atomic():
        membership = _grant(centre=centre, user=user, role=role, by=by)
        _tell_head_of_centre(
            centre,
            "role_granted",
            user=user,
            role=membership.get_role_display(),
            who=_who(by),
            person=_who(user),
        )
    return membership


def _lock_centre_admins(centre) -> list[Membership]:
    """Every centre-admin membership of the centre, locked, in a fixed order (deadlock-free)."""
    return list(
        Membership.objects.select_for_update()
        .filter(centre=centre, role=Role.CENTRE_ADMIN)
        .order_by("pk")
    )


def _refuse_last_admin(admins: list[Membership], user) -> None:
    remaining = [m for m in admins if m.user_id != user.pk]
    if admins and not remaining:
        raise CentreError(LAST_ADMIN_MESSAGE)


def _head_role_given_up(*, centre, user) -> None:
    """The record no longer names a head who holds the role: saving the details again sends
    the person named a new link to accept."""
    HeadOfCentre.objects.filter(centre=centre, user=user).update(
        user=None, accepted_at=None, token=None
    )


def revoke_role(*, centre, user, role: str, by) -> None:
    """Take one role away; the last centre admin keeps theirs."""
    with transaction.atomic():
        if role == Role.CENTRE_ADMIN:
            _refuse_last_admin(_lock_centre_admins(centre), user)
        membership = (
            Membership.objects.select_for_update().filter(centre=centre, user=user, role=role)
        ).first()
        if membership is None:
            label = Role(role).label.lower() if role in Role.values else role
            raise CentreError(f"{user.email} is not {label} at this centre.")
        label = membership.get_role_display()
        audit.record(
            actor=by,
            action="membership.revoked",
            centre=centre,
            target=membership,
            data={"user": user.email, "role": role},
        )
        membership.delete()
        if role == Role.HEAD_OF_CENTRE:
            _head_role_given_up(centre=centre, user=user)
        notify(
            user=user,
            notice="centres/role_removed",
            context={"centre": centre, "role": label, "who": _who(by)},
        )
        _tell_head_of_centre(
            centre, "role_removed", user=user, role=label, who=_who(by), person=_who(user)
        )


def remove_person(*, centre, user, by) -> list[str]:
    """Take away every role the person holds at the centre; returns the roles removed."""
    with transaction.atomic():
        admins = _lock_centre_admins(centre)
        memberships = list(
            Membership.objects.select_for_update().filter(centre=centre, user=user).order_by("pk")
        )
        if not memberships:
            raise CentreError(f"{user.email} is not a member of this centre.")
        roles = [r for r in Role.values if r in {m.role for m in memberships}]
        if Role.CENTRE_ADMIN in roles:
            _refuse_last_admin(admins, user)
        audit.record(
            actor=by,
            action="person.removed",
            centre=centre,
            target=user,
            data={"user": user.email, "roles": roles},
        )
        Membership.objects.filter(pk__in=[m.pk for m in memberships]).delete()
        if Role.HEAD_OF_CENTRE in roles:
            _head_role_given_up(centre=centre, user=user)
        notify(
            user=user,
            notice="centres/person_removed",
            context={"centre": centre, "roles": _role_list(roles), "who": _who(by)},
        )
        _tell_head_of_centre(
            centre,
            "person_removed",
            user=user,
            roles=_role_list(roles),
            who=_who(by),
            person=_who(user),
        )
    return roles


# --- Invitations ---------------------------------------------------------------------------


@dataclass
class InviteOutcome:
    """What ``invite_person`` did: the invitation emailed and the roles it offers."""

    invitation: Invitation
    granted: list[str] = field(default_factory=list)


HEAD_ROLE_MESSAGE = (
    'The head of centre is not invited here: enter their details under "Head of centre" and '
    "they accept the role by the link emailed to them."
)


def invitation_url(invitation) -> str:
    return reverse("centres:invitation", args=[invitation.token])


def invitation_problem(invitation, *, now=None) -> str | None:
    """Why this invitation cannot be accepted, in words for the invitee; None when it can."""
    if invitation.status == Invitation.Status.ACCEPTED:
        return "This invitation has already been used."
    if invitation.status == Invitation.Status.CANCELLED:
        return "This invitation was cancelled by the centre."
    if invitation.expires_at <= (now or timezone.now()):
        return f"This invitation expired on {_day(invitation.expires_at)}."
    return None


def invite_person(*, centre, email: str, full_name: str, roles, by) -> InviteOutcome:
    """Email an invitation to join with these roles. The same for an address that already has
    an account: the person accepts (signed in) before holding anything, and the page never says
    whether the address has an account. The head-of-centre role is never given this way."""
    email = _clean_email(email)
    full_name = _clean_text(full_name, "the full name")
    roles = _clean_roles(roles)
    if Role.HEAD_OF_CENTRE in roles:
        raise CentreError(HEAD_ROLE_MESSAGE)
    if not full_name:
        raise CentreError("Enter the person's full name.")
    with transaction.atomic():
        held = set(
            Membership.objects.filter(centre=centre, user__email__iexact=email).values_list(
                "role", flat=True
            )
        )
        if held and not set(roles) - held:
            # Only members' roles, which the centre's users page shows anyway.
            raise CentreError(f"{email} is already a member with those roles")
        return _send_invitation(centre=centre, email=email, full_name=full_name, roles=roles, by=by)


def _send_invitation(*, centre, email, full_name, roles, by) -> InviteOutcome:
    now = timezone.now()
    pending = list(
        Invitation.objects.select_for_update().filter(
            centre=centre, email__iexact=email, status=Invitation.Status.PENDING
        )
    )
    for old in pending:
        if old.expires_at > now:
            raise CentreError(
                f"{email} already has a pending invitation to this centre (it expires on "
                f"{_day(old.expires_at)}). Cancel it to send a new one."
            )
        # An expired invitation makes way for the new one.
        old.status = Invitation.Status.CANCELLED
        old.save(update_fields=["status"])
        audit.record(
            actor=by,
            action="invitation.cancelled",
            centre=centre,
            target=old,
            data={"email": old.email, "reason": "expired; a new invitation was sent"},
        )
    invitation = Invitation(
        centre=centre,
        email=email,
        full_name=full_name,
        roles=roles,
        token=secrets.token_urlsafe(32),
        invited_by=by if by is not None and by.is_authenticated else None,
        created_at=now,
        expires_at=now + timedelta(days=INVITATION_DAYS),
    )
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError:
        # Another invitation for this address was sent at the same moment.
        raise CentreError(f"{email} already has a pending invitation to this centre.") from None
    audit.record(
        actor=by,
        action="invitation.sent",
        centre=centre,
        target=invitation,
        data={"email": email, "roles": roles, "expires_at": invitation.expires_at.isoformat()},
    )
    expires = invitation.expires_at
    email_notice(
        to=[email],
        notice="centres/invitation",
        context={
            "centre": centre,
            "full_name": full_name,
            "who": _who(by),
            "roles": _role_list(roles),
            "url": invitation_url(invitation),
            "expires": _day(expires, DAY_AND_TIME),
        },
    )
    _tell_head_of_centre(
        centre, "invitation_sent", invitation=invitation, roles=_role_list(roles), who=_who(by)
    )
    return InviteOutcome(invitation=invitation, granted=roles)


def _lock_usable(invitation) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update().select_related("centre").get(pk=invitation.pk)
    )
    problem = invitation_problem(invitation)
    if problem:
        raise CentreError(problem)
    return invitation


def _accept(invitation, user) -> list[str]:
    centre = invitation.centre
    held = set(
        Membership.objects.select_for_update()
        .filter(centre=centre, user=user)
        .values_list("role", flat=True)
    )
    # The head-of-centre role only ever comes from the head's own acceptance.
    granted = [r for r in invitation.roles if r not in held and r != Role.HEAD_OF_CENTRE]
    for role in granted:
        _grant(centre=centre, user=user, role=role, by=user)
    invitation.status = Invitation.Status.ACCEPTED
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["status", "accepted_at"])
    audit.record(
        actor=user,
        action="invitation.accepted",
        centre=centre,
        target=invitation,
        data={"email": invitation.email, "roles": invitation.roles, "granted": granted},
    )
    if invitation.invited_by_id and invitation.invited_by_id != user.pk:
        notify(
            user=invitation.invited_by,
            notice="centres/invitation_accepted",
            context={
                "centre": centre,
                "user": user,
                "who": _who(user),
                "roles": _role_list(invitation.roles),
            },
            url=reverse("centres:users", args=[centre.number]),
        )
    _tell_head_of_centre(
        centre,
        "invitation_accepted",
        user=user,
        roles=_role_list(invitation.roles),
        person=_who(user),
    )
    return granted


def invitee_has_account(invitation) -> bool:
    """Whether the invited address has an account to sign in with. An account that has never
    been active (registered, never confirmed) does not count: it is the invitee's to claim."""
    user = get_user_model().objects.filter(email__iexact=invitation.email).first()
    return user is not None and not is_awaiting_confirmation(user)


def _own_account(*, email: str, full_name: str, password: str, centre, source: str):
    """The account for ``email``, created (or, never confirmed, claimed) by the person who
    followed a link sent to that address, with their name and password; active.

    A never-confirmed account is claimed: whoever registered it chose nothing that survives,
    since the link proves this person reads the address's mail and the registrant may not.
    The caller holds a transaction.
    """
    User = get_user_model()
    full_name = _clean_text(full_name, "your full name")
    if not full_name:
        raise CentreError("Enter your full name.")
    exists_message = f"An account for {email} already exists. Sign in, then accept."
    user = User.objects.select_for_update().filter(email__iexact=email).first()
    if user is not None and not is_awaiting_confirmation(user):
        raise CentreError(exists_message)
    claimed = user is not None
    if user is None:
        user = User(email=email)
    user.full_name, user.is_active = full_name, True
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        raise CentreError(" ".join(error.messages)) from None
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise CentreError(exists_message) from None
    audit.record(
        actor=user,
        action=f"user.{'claimed' if claimed else 'created'}_from_{source}",
        centre=centre,
        target=user,
        data={"email": user.email},
    )
    return user


def create_account_from_invitation(*, invitation, full_name: str, password: str):
    """The invitee has no usable account: create (or claim) it and accept."""
    with transaction.atomic():
        invitation = _lock_usable(invitation)
        user = _own_account(
            email=invitation.email,
            full_name=full_name,
            password=password,
            centre=invitation.centre,
            source="invitation",
        )
        _accept(invitation, user)
    return user


def accept_invitation(*, invitation, by) -> list[str]:
    """A signed-in user whose email is the invited one accepts; returns the roles granted."""
    with transaction.atomic():
        invitation = _lock_usable(invitation)
        if by.email.lower() != invitation.email.lower():
            raise CentreError(
                f"This invitation is for {invitation.email}; you are signed in as {by.email}."
            )
        return _accept(invitation, by)


def cancel_invitation(*, invitation, by) -> None:
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update().select_related("centre").get(pk=invitation.pk)
        )
        if invitation.status != Invitation.Status.PENDING:
            raise CentreError(
                f"The invitation to {invitation.email} is already "
                f"{invitation.get_status_display().lower()}."
            )
        invitation.status = Invitation.Status.CANCELLED
        invitation.save(update_fields=["status"])
        centre = invitation.centre
        audit.record(
            actor=by,
            action="invitation.cancelled",
            centre=centre,
            target=invitation,
            data={"email": invitation.email, "roles": invitation.roles},
        )
        _tell_head_of_centre(
            centre,
            "invitation_cancelled",
            invitation=invitation,
            roles=_role_list(invitation.roles),
            who=_who(by),
        )


# --- The head-of-centre record -------------------------------------------------------------

HEAD_FIELDS = ("name", "job_title", "email")


def head_details_closed_reason(centre) -> str | None:
    """Why the head's details cannot be changed now (``head_details_gates``), if they cannot.
    A page may ask without a lock; ``update_head_of_centre`` asks under the centre's."""
    return head_details_gates.first(centre)


SELF_NAMING_MESSAGE = (
    "You cannot name yourself head of centre: the head of centre approves the work the centre "
    "sends, so it must be someone else. If you really hold both posts, ask the awarding body."
)
HEAD_LINK_DAYS = 14


def head_link_url(head) -> str:
    return reverse("centres:head-accept", args=[head.token])


def head_link_problem(head, *, now=None) -> str | None:
    """Why this head-of-centre link cannot be used, in words for the person; None when it can."""
    if head.is_accepted or not head.token:
        return "This link has already been used."
    if head.nominated_at + timedelta(days=HEAD_LINK_DAYS) <= (now or timezone.now()):
        return (
            f"This link expired on {_day(head.nominated_at + timedelta(days=HEAD_LINK_DAYS))}. "
            "Ask the centre's exams officer to send it again."
        )
    return None


def nominate_head_of_centre(*, centre, name: str, job_title: str, email: str, by) -> HeadOfCentre:
    """Record who the head of centre is to be and email them the link to accept the role;
    for a centre just approved (no gate, no self-naming check: staff act). The caller holds a
    transaction."""
    head = HeadOfCentre.objects.select_for_update().filter(centre=centre).first()
    if head is None:
        head = HeadOfCentre(centre=centre)
    head.name, head.job_title, head.email = name, job_title, email
    _start_nomination(head, by=by)
    head.save()
    audit.record(
        actor=by,
        action="head_of_centre.nominated",
        centre=centre,
        target=head,
        data={"name": name, "job_title": job_title, "email": email},
    )
    _send_head_link(head, by=by)
    return head


def _start_nomination(head, *, by) -> None:
    head.user, head.accepted_at = None, None
    head.token = secrets.token_urlsafe(32)
    head.nominated_at = timezone.now()
    head.nominated_by = by if by is not None and by.is_authenticated else None


def _send_head_link(head, *, by) -> None:
    centre = head.centre
    expires = head.nominated_at + timedelta(days=HEAD_LINK_DAYS)
    email_notice(
        to=[head.email],
        notice="centres/head_nomination",
        context={
            "centre": centre,
            "head": head,
            "who": _who(by),
            "url": head_link_url(head),
            "expires": _day(expires, DAY_AND_TIME),
            "staff_email": settings.STAFF_EMAIL,
        },
    )


def _drop_head_role(*, head, by) -> None:
    """The person on the record so far loses the head-of-centre role (they are no longer it)."""
    if head.user_id is None:
        return
    membership = (
        Membership.objects.select_for_update()
        .filter(centre=head.centre, user_id=head.user_id, role=Role.HEAD_OF_CENTRE)
        .first()
    )
    if membership is None:
        return
    audit.record(
        actor=by,
        action="membership.revoked",
        centre=head.centre,
        target=membership,
        data={"user": membership.user.email, "role": Role.HEAD_OF_CENTRE, "reason": "new head"},
    )
    membership.delete()


def update_head_of_centre(*, centre, name: str, job_title: str, email: str, by) -> HeadOfCentre:
    """Create or update the centre's head-of-centre record. Refused while a receiver of
    ``head_details_gates`` says the details are closed, and to a user naming themselves.
    Unchanged details write nothing (while the link is still waiting, saving them again
    re-sends it).

    A new address names a new head: the previous head loses the role and is told, and the
    person named holds nothing until they accept by the link emailed to the new address.
    """
    name = _clean_text(name, "the name")
    job_title = _clean_text(job_title, "the job title")
    if not name or not job_title:
        raise CentreError("Enter the head of centre's name and job title.")
    email = _clean_email(email)
    if by is not None and by.is_authenticated and by.email.lower() == email:
        raise CentreError(SELF_NAMING_MESSAGE)
    with transaction.atomic():
        type(centre).objects.select_for_update().filter(pk=centre.pk).first()
        reason = head_details_closed_reason(centre)
        if reason:
            raise CentreError(reason)
        head = HeadOfCentre.objects.select_for_update().filter(centre=centre).first()
        old = {f: getattr(head, f) for f in HEAD_FIELDS} if head else None
        new = {"name": name, "job_title": job_title, "email": email}
        new_person = old is None or old["email"].lower() != email
        if not new_person and head.is_accepted and old == new:
            return head
        if head is None:
            head = HeadOfCentre(centre=centre)
        if new_person and head.pk is not None:
            _drop_head_role(head=head, by=by)
        head.name, head.job_title, head.email = name, job_title, email
        resend = new_person or not head.is_accepted
        if resend:
            _start_nomination(head, by=by)
        head.save()
        audit.record(
            actor=by,
            action="head_of_centre.created" if old is None else "head_of_centre.updated",
            centre=centre,
            target=head,
            data={"old": old, "new": new, "new_head": new_person},
        )
        if resend:
            _send_head_link(head, by=by)
        if old == new:
            return head  # the link sent again; nothing else changed
        _tell_head_of_centre(
            centre,
            "head_named" if new_person else "head_updated",
            also=(old["email"],) if new_person and old else (),
            head=head,
            old=old,
            changes=[
                {"field": f.replace("_", " "), "old": (old or {}).get(f), "new": new[f]}
                for f in HEAD_FIELDS
                if (old or {}).get(f) != new[f]
            ],
            who=_who(by),
            staff_email=settings.STAFF_EMAIL,
        )
    return head


def _lock_usable_head(head) -> HeadOfCentre:
    head = HeadOfCentre.objects.select_for_update().select_related("centre").get(pk=head.pk)
    problem = head_link_problem(head)
    if problem:
        raise CentreError(problem)
    return head


def _accept_head(head, user) -> None:
    centre = head.centre
    if not Membership.objects.filter(centre=centre, user=user, role=Role.HEAD_OF_CENTRE).exists():
        _grant(centre=centre, user=user, role=Role.HEAD_OF_CENTRE, by=user)
    head.user, head.accepted_at, head.token = user, timezone.now(), None
    head.save(update_fields=["user", "accepted_at", "token", "updated_at"])
    audit.record(
        actor=user,
        action="head_of_centre.accepted",
        centre=centre,
        target=head,
        data={"email": head.email},
    )
    if head.nominated_by_id and head.nominated_by_id != user.pk:
        notify(
            user=head.nominated_by,
            notice="centres/head_accepted",
            context={"centre": centre, "user": user, "who": _who(user)},
            url=reverse("centres:users", args=[centre.number]),
        )


def head_has_account(head) -> bool:
    """Whether the named head has an account to sign in with (a never-confirmed one is theirs
    to claim, like an invitee's)."""
    user = get_user_model().objects.filter(email__iexact=head.email).first()
    return user is not None and not is_awaiting_confirmation(user)


def accept_head_of_centre(*, head, by) -> None:
    """The signed-in person whose email is on the record accepts the head-of-centre role."""
    with transaction.atomic():
        head = _lock_usable_head(head)
        if by.email.lower() != head.email.lower():
            raise CentreError(f"This link is for {head.email}; you are signed in as {by.email}.")
        _accept_head(head, by)


def create_account_for_head(*, head, full_name: str, password: str):
    """The named head has no usable account: create (or claim) it and accept the role."""
    with transaction.atomic():
        head = _lock_usable_head(head)
        user = _own_account(
            email=head.email,
            full_name=full_name,
            password=password,
            centre=head.centre,
            source="head_of_centre_link",
        )
        _accept_head(head, user)
    return user
