"""Roles at a centre, invitations and the head-of-centre record."""

from django.db import transaction

from ocradmin import audit

from ..models import Membership
from . import CentreError


def grant_role(*, centre, user, role: str, by) -> Membership:
    with transaction.atomic():
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
