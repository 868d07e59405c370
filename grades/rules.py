"""Permission predicates for the 2021 grades (object: the centre), and the rules for one
qualification at a centre.

The AAM user sees assessment materials only: no grade permission includes them.
Teachers hold ``grades.enter_grades`` at the centre, but only for the qualifications
assigned to them (``grading_access``; ``selectors.qualifications_for_grader`` lists them).
"""

from dataclasses import dataclass

import rules

from centres.models import Role
from centres.rules import is_aam_user, is_centre_admin, is_head_of_centre, is_staff, is_teacher
from centres.selectors import roles_at

from .models import TeacherAssignment

rules.add_perm(
    "grades.view_materials",
    is_centre_admin | is_teacher | is_head_of_centre | is_aam_user | is_staff,
)
rules.add_perm("grades.view_grades", is_centre_admin | is_teacher | is_head_of_centre | is_staff)
rules.add_perm("grades.enter_grades", is_centre_admin | is_teacher)
rules.add_perm("grades.manage_assignments", is_centre_admin | is_staff)
rules.add_perm("grades.approve_grades", is_head_of_centre)
rules.add_perm("grades.submit_grades", is_head_of_centre)
rules.add_perm("grades.view_receipt", is_centre_admin | is_head_of_centre | is_staff)


# --- One qualification at a centre --------------------------------------------------------


@dataclass(frozen=True)
class GradingAccess:
    may_view: bool
    may_edit: bool


def grading_access(user, centre, series, qualification) -> GradingAccess:
    """Who may see and who may change one qualification's grades: the centre admin and the
    assigned teachers change them; the head of centre and staff only look."""
    roles = roles_at(user, centre)
    is_admin = Role.CENTRE_ADMIN in roles
    assigned = (
        not is_admin
        and Role.TEACHER in roles
        and TeacherAssignment.objects.filter(
            series=series, centre=centre, qualification=qualification, teacher=user
        ).exists()
    )
    may_edit = user.has_perm("grades.enter_grades", centre) and (is_admin or assigned)
    may_view = may_edit or user.is_staff or Role.HEAD_OF_CENTRE in roles
    return GradingAccess(may_view=may_view, may_edit=may_edit)
