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

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import dateformat, timezone

from ocradmin import audit
from ocradmin.notifications import email_notice, notify

from ..hooks import head_details_gates
from ..models import HeadOfCentre, Invitation, Membership, Role
from ..selectors import centre_people
from . import CentreError

INVITATION_DAYS = 14
LAST_ADMIN_MESSAGE = "A centre must keep at least one centre admin"
DAY_AND_TIME = r"j F Y \a\t H:i"


# --- Telling the head of centre ------------------------------------------------------------


def _tell_head_of_centre(centre, subject: str, body: str, *, also: tuple[str, ...] = ()) -> None:
    """Email the head of centre about a change to the centre's people.

    The address on the head-of-centre record when there is one; otherwise every user holding
    the head-of-centre role there. ``also`` adds addresses (e.g. a replaced head's old email).
    Queued on commit, so a refused change sends nothing.
    """
    notice = "centres/people_changed_for_head"
    context = {"centre": centre, "change": subject, "detail": body}
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
            f"{user.email} is now {membership.get_role_display().lower()}",
            f"{_who(by)} gave {_who(user)} the role {membership.get_role_display()}.",
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
        notify(
            user=user,
            notice="centres/role_removed",
            context={"centre": centre, "role": label, "who": _who(by)},
        )
        _tell_head_of_centre(
            centre,
            f"{user.email} is no longer {label.lower()}",
            f"{_who(by)} removed the role {label} from {_who(user)}.",
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
        notify(
            user=user,
            notice="centres/person_removed",
            context={"centre": centre, "roles": _role_list(roles), "who": _who(by)},
        )
        _tell_head_of_centre(
            centre,
            f"{user.email} has been removed",
            f"{_who(by)} removed {_who(user)} from the centre (roles: {_role_list(roles)}).",
        )
    return roles


# --- Invitations ---------------------------------------------------------------------------


@dataclass
class InviteOutcome:
    """What ``invite_person`` did: an invitation emailed, or roles given to an existing user."""

    invitation: Invitation | None = None
    user: object = None
    granted: list[str] = field(default_factory=list)


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
    """Give an existing user the roles straight away, or email a new address an invitation."""
    email = _clean_email(email)
    full_name = (full_name or "").strip()
    roles = _clean_roles(roles)
    with transaction.atomic():
        user = get_user_model().objects.filter(email__iexact=email).first()
        if user is not None:
            return _add_existing_user(centre=centre, user=user, roles=roles, by=by)
        if not full_name:
            raise CentreError("Enter the person's full name.")
        return _send_invitation(centre=centre, email=email, full_name=full_name, roles=roles, by=by)


def _add_existing_user(*, centre, user, roles, by) -> InviteOutcome:
    if not user.is_active:
        raise CentreError(
            f"{user.email} has an account that is switched off; ask the awarding body to "
            "restore it."
        )
    held = set(
        Membership.objects.select_for_update()
        .filter(centre=centre, user=user)
        .values_list("role", flat=True)
    )
    missing = [r for r in roles if r not in held]
    if not missing:
        raise CentreError(f"{user.email} is already a member with those roles")
    for role in missing:
        _grant(centre=centre, user=user, role=role, by=by)
    notify(
        user=user,
        notice="centres/person_added",
        context={"centre": centre, "roles": _role_list(missing), "who": _who(by)},
        url=reverse("centres:home", args=[centre.number]),
    )
    _tell_head_of_centre(
        centre,
        f"{user.email} added as {_role_list(missing).lower()}",
        f"{_who(by)} gave {_who(user)} these roles: {_role_list(missing)}.",
    )
    return InviteOutcome(user=user, granted=missing)


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
        centre,
        f"{email} invited as {_role_list(roles).lower()}",
        f"{_who(by)} invited {full_name} <{email}> to join as: {_role_list(roles)}. "
        f"The invitation expires on {_day(expires)}.",
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
    granted = [r for r in invitation.roles if r not in held]
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
        f"{user.email} joined as {_role_list(invitation.roles).lower()}",
        f"{_who(user)} accepted the invitation and now holds: {_role_list(invitation.roles)}.",
    )
    return granted


def create_account_from_invitation(*, invitation, full_name: str, password: str):
    """The invitee has no account: create it (active, with this password) and accept."""
    User = get_user_model()
    full_name = (full_name or "").strip()
    if not full_name:
        raise CentreError("Enter your full name.")
    with transaction.atomic():
        invitation = _lock_usable(invitation)
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise CentreError(
                f"An account for {invitation.email} already exists. Sign in, then accept the "
                "invitation."
            )
        user = User(email=invitation.email, full_name=full_name, is_active=True)
        try:
            validate_password(password, user=user)
        except ValidationError as error:
            raise CentreError(" ".join(error.messages)) from None
        user.set_password(password)
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:
            raise CentreError(
                f"An account for {invitation.email} already exists. Sign in, then accept the "
                "invitation."
            ) from None
        audit.record(
            actor=user,
            action="user.created_from_invitation",
            centre=invitation.centre,
            target=user,
            data={"email": user.email},
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
            f"invitation to {invitation.email} cancelled",
            f"{_who(by)} cancelled the invitation to {invitation.full_name} "
            f"<{invitation.email}> ({_role_list(invitation.roles)}).",
        )


# --- The head-of-centre record -------------------------------------------------------------

HEAD_FIELDS = ("name", "job_title", "email")


def head_details_closed_reason(centre) -> str | None:
    """Why the head's details cannot be changed now (``head_details_gates``), if they cannot.
    A page may ask without a lock; ``update_head_of_centre`` asks under the centre's."""
    return head_details_gates.first(centre)


def update_head_of_centre(*, centre, name: str, job_title: str, email: str, by) -> HeadOfCentre:
    """Create or update the centre's head-of-centre record, linked to the user with that email.
    Refused while a receiver of ``head_details_gates`` says the details are closed. Unchanged
    details write nothing."""
    User = get_user_model()
    with transaction.atomic():
        type(centre).objects.select_for_update().filter(pk=centre.pk).first()
        reason = head_details_closed_reason(centre)
        if reason:
            raise CentreError(reason)
        name, job_title = (name or "").strip(), (job_title or "").strip()
        if not name or not job_title:
            raise CentreError("Enter the head of centre's name and job title.")
        email = _clean_email(email)
        head = HeadOfCentre.objects.select_for_update().filter(centre=centre).first()
        old = {f: getattr(head, f) for f in HEAD_FIELDS} if head else None
        new = {"name": name, "job_title": job_title, "email": email}
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if head is not None and old == new and head.user_id == (user.pk if user else None):
            return head
        if head is None:
            head = HeadOfCentre(centre=centre)
        head.name, head.job_title, head.email, head.user = name, job_title, email, user
        if head.pk is None:
            head.save()
        else:
            head.save(update_fields=[*HEAD_FIELDS, "user", "updated_at"])
        audit.record(
            actor=by,
            action="head_of_centre.created" if old is None else "head_of_centre.updated",
            centre=centre,
            target=head,
            data={"old": old, "new": new, "user": user.email if user else None},
        )
        changes = "\n".join(
            f"- {f.replace('_', ' ')}: {(old or {}).get(f) or '(none)'} → {new[f]}"
            for f in HEAD_FIELDS
            if (old or {}).get(f) != new[f]
        )
        old_email = old["email"] if old and old["email"].lower() != email else ""
        _tell_head_of_centre(
            centre,
            "head of centre details updated",
            f"{_who(by)} updated the head of centre details:\n{changes or '- linked account'}",
            also=(old_email,),
        )
    return head
