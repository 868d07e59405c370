"""Permission predicates. Object permissions take the centre as the object."""

import rules

from .models import Role
from .selectors import roles_at


def has_role(role: str):
    @rules.predicate(name=f"has_role_{role}")
    def predicate(user, centre):
        return centre is not None and role in roles_at(user, centre)

    return predicate


is_staff = rules.is_staff
is_member = rules.predicate(
    lambda user, centre: bool(centre and roles_at(user, centre)), name="is_member"
)
is_centre_admin = has_role(Role.CENTRE_ADMIN)
is_teacher = has_role(Role.TEACHER)
is_head_of_centre = has_role(Role.HEAD_OF_CENTRE)
is_aam_user = has_role(Role.AAM_USER)

rules.add_perm("centres.view_centre", is_member | is_staff)
rules.add_perm("centres.view_audit_trail", is_centre_admin | is_head_of_centre | is_staff)
rules.add_perm("centres.view_users", is_centre_admin | is_staff)
rules.add_perm("centres.manage_users", is_centre_admin | is_staff)
# Qualification approvals: all but the AAM user see them; the centre admin asks and withdraws.
rules.add_perm(
    "centres.view_approvals", is_centre_admin | is_head_of_centre | is_teacher | is_staff
)
rules.add_perm("centres.manage_approvals", is_centre_admin)
# A role of the user, not of a centre: what they may moderate comes from their allocations.
is_examiner_moderator = rules.predicate(
    lambda user: bool(user.is_authenticated and user.is_examiner_moderator),
    name="is_examiner_moderator",
)
