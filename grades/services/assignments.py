"""Teachers assigned to the qualifications they grade at a centre."""

from django.db import IntegrityError, transaction

from centres.models import Membership, Role
from ocradmin import audit
from ocradmin.notifications import notify

from ..models import TeacherAssignment
from . import GradeError, require_window


def assign_teacher(*, series, centre, qualification, teacher, by) -> TeacherAssignment:
    require_window(series, "users")
    if not Membership.objects.filter(user=teacher, centre=centre, role=Role.TEACHER).exists():
        raise GradeError(f"{teacher.email} is not a teacher at centre {centre.number}.")
    if not qualification.available_for_tags:
        raise GradeError(f"{qualification.entry_code} is not graded by teachers this series.")
    try:
        with transaction.atomic():
            assignment = TeacherAssignment.objects.create(
                series=series,
                centre=centre,
                qualification=qualification,
                teacher=teacher,
                assigned_by=by,
            )
            audit.record(
                actor=by,
                action="teacher.assigned",
                centre=centre,
                target=assignment,
                data={"teacher": teacher.email, "qualification": qualification.entry_code},
            )
            notify(
                user=teacher,
                notice="grades/teacher_assigned",
                context={
                    "qualification": qualification,
                    "centre": centre,
                    "series": series,
                    "by": by,
                },
            )
    except IntegrityError:
        raise GradeError(
            f"{teacher.full_name} is already assigned to {qualification.entry_code}."
        ) from None
    return assignment


def unassign_teacher(*, assignment, by) -> None:
    require_window(assignment.series, "users")
    with transaction.atomic():
        assignment = TeacherAssignment.objects.select_for_update().get(pk=assignment.pk)
        audit.record(
            actor=by,
            action="teacher.unassigned",
            centre=assignment.centre,
            target=assignment,
            data={
                "teacher": assignment.teacher.email,
                "qualification": assignment.qualification.entry_code,
            },
        )
        assignment.delete()
