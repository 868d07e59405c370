"""Permission predicates for the 2021 grades (object: the centre).

The AAM user sees assessment materials only: no grade permission includes them.
Teachers hold ``grades.enter_grades`` at the centre, but only for the qualifications
assigned to them (``selectors.qualifications_for_grader``).
"""

import rules

from centres.rules import is_aam_user, is_centre_admin, is_head_of_centre, is_staff, is_teacher

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
