"""The head of centre's review: a qualification's grades are sent to them when complete; they
return them with a comment (editable again) or approve them."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from centres.models import Role
from centres.selectors import centre_people
from ocradmin import audit
from ocradmin.notifications import notify_many

from ..models import CentreSubmission, QualificationGrades, TeacherAssignment
from ..rules import grading_access
from ..selectors import grading_progress
from . import GradeError, require_window


def _lock(*, series, centre, qualification) -> QualificationGrades:
    require_window(series, "submission")
    qualification_grades, _ = QualificationGrades.objects.select_for_update().get_or_create(
        series=series, centre=centre, qualification=qualification
    )
    if CentreSubmission.objects.filter(series=series, centre=centre).exists():
        raise GradeError("The centre's grades have been submitted; nothing can change now.")
    return qualification_grades


def _require_head(by, centre) -> None:
    if not by.has_perm("grades.approve_grades", centre):
        raise PermissionDenied("Only the head of centre approves or returns grades.")


def _grades_url(centre, qualification=None) -> str:
    if qualification is None:
        return reverse("grades:index", args=[centre.number])
    return reverse("grades:qualification", args=[centre.number, qualification.entry_code])


def send_for_approval(*, series, centre, qualification, by) -> QualificationGrades:
    if not grading_access(by, centre, series, qualification).may_edit:
        raise PermissionDenied(f"You are not assigned to grade {qualification.entry_code}.")
    with transaction.atomic():
        qualification_grades = _lock(series=series, centre=centre, qualification=qualification)
        if not qualification_grades.is_editable:
            raise GradeError(
                f"These grades are already {qualification_grades.get_status_display().lower()}."
            )
        graded, total = grading_progress(series, centre, [qualification.pk])[qualification.pk]
        if total == 0:
            raise GradeError("No candidates are entered for this qualification.")
        if graded < total:
            missing = total - graded
            raise GradeError(
                f"{missing} candidate{'s' if missing != 1 else ''} still need"
                f"{'' if missing != 1 else 's'} a grade; every candidate needs one before "
                "the grades go to the head of centre."
            )
        qualification_grades.status = QualificationGrades.Status.SENT
        qualification_grades.sent_by = by
        qualification_grades.sent_at = timezone.now()
        qualification_grades.save(update_fields=["status", "sent_by", "sent_at"])
        audit.record(
            actor=by,
            action="grades.sent",
            centre=centre,
            target=qualification_grades,
            data={"qualification": qualification.entry_code, "candidates": total},
        )
        notify_many(
            users=centre_people(centre, Role.HEAD_OF_CENTRE),
            notice="grades/grades_sent",
            context={"qualification": qualification, "by": by, "total": total},
            url=_grades_url(centre, qualification),
        )
    return qualification_grades


def return_grades(*, series, centre, qualification, comment: str, by) -> QualificationGrades:
    _require_head(by, centre)
    comment = (comment or "").strip()
    if not comment:
        raise GradeError("Say what needs to change: the teachers see your comment.")
    with transaction.atomic():
        qualification_grades = _lock(series=series, centre=centre, qualification=qualification)
        if qualification_grades.status not in (
            QualificationGrades.Status.SENT,
            QualificationGrades.Status.APPROVED,
        ):
            raise GradeError("Only grades sent to you, or approved, can be returned.")
        qualification_grades.status = QualificationGrades.Status.RETURNED
        qualification_grades.return_comment = comment
        qualification_grades.decided_by = by
        qualification_grades.decided_at = timezone.now()
        qualification_grades.save(
            update_fields=["status", "return_comment", "decided_by", "decided_at"]
        )
        audit.record(
            actor=by,
            action="grades.returned",
            centre=centre,
            target=qualification_grades,
            data={"qualification": qualification.entry_code, "comment": comment},
        )
        notify_many(
            users=_graders(series, centre, qualification, qualification_grades),
            notice="grades/grades_returned",
            context={"qualification": qualification, "comment": comment, "by": by},
            url=_grades_url(centre, qualification),
        )
    return qualification_grades


def approve_grades(*, series, centre, qualification, by) -> QualificationGrades:
    _require_head(by, centre)
    with transaction.atomic():
        qualification_grades = _lock(series=series, centre=centre, qualification=qualification)
        if qualification_grades.status != QualificationGrades.Status.SENT:
            raise GradeError(
                "Only grades sent to you can be approved; these are "
                f"{qualification_grades.get_status_display().lower()}."
            )
        if qualification_grades.sent_by_id == by.pk:
            # Separation of duties: nobody approves their own work.
            raise GradeError(
                "You sent these grades for approval, so you cannot approve them too. Another "
                "head of centre must approve them, or return them so someone else sends them."
            )
        qualification_grades.status = QualificationGrades.Status.APPROVED
        qualification_grades.decided_by = by
        qualification_grades.decided_at = timezone.now()
        qualification_grades.save(update_fields=["status", "decided_by", "decided_at"])
        audit.record(
            actor=by,
            action="grades.approved",
            centre=centre,
            target=qualification_grades,
            data={"qualification": qualification.entry_code},
        )
        notify_many(
            users=[
                *_graders(series, centre, qualification, qualification_grades),
                *centre_people(centre, Role.CENTRE_ADMIN),
            ],
            notice="grades/grades_approved",
            context={"qualification": qualification, "centre": centre, "by": by},
            url=_grades_url(centre, qualification),
        )
    return qualification_grades


def _graders(series, centre, qualification, qualification_grades) -> list:
    """The teachers assigned to the qualification and whoever sent the grades (active)."""
    teachers = [
        a.teacher
        for a in TeacherAssignment.objects.filter(
            series=series, centre=centre, qualification=qualification
        ).select_related("teacher")
    ]
    if qualification_grades.sent_by:
        teachers.append(qualification_grades.sent_by)
    return [teacher for teacher in teachers if teacher.is_active]
