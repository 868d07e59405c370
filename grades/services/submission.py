"""The head of centre's declaration and the submission of the centre's grades, and the PDF
receipt that records them."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from centres.models import Centre, Role
from centres.selectors import centre_people
from entries.models import Candidate
from ocradmin import audit, documents
from ocradmin.notifications import notify_many

from ..models import CentreSubmission, Grade, QualificationGrades
from ..selectors import entered_tag_qualifications
from . import GradeError, require_window
from .grading import qualification_grades_for

CONFIRMATIONS = [
    "confirm_policy",
    "confirm_quality_assured",
    "confirm_evidence",
    "confirm_evidence_kept",
]


def grades_submitted(candidate) -> bool:
    """Once a candidate's grades are submitted, their identity changes only by a correction
    staff approve (``entries.services.corrections``)."""
    return Grade.objects.filter(candidate=candidate).exclude(submitted_uci="").exists()


def keep_submitted_identities(*, series, centre) -> int:
    """Copy each graded candidate's identity onto their grades, as submitted: one update."""
    candidate = Candidate.objects.filter(pk=OuterRef("candidate_id"))
    return (
        Grade.objects.filter(series=series, centre=centre)
        .exclude(grade="")
        .update(
            **{
                snapshot: Subquery(candidate.values(field)[:1])
                for snapshot, field in Grade.SNAPSHOT.items()
            }
        )
    )


def submission_blockers(*, series, centre) -> list[str]:
    """What stops the centre submitting now: qualifications not yet approved, or none at all."""
    qualifications = list(entered_tag_qualifications(centre).order_by("entry_code"))
    if not qualifications:
        return ["The centre has no candidates entered for a qualification graded this series."]
    states = qualification_grades_for(series=series, centre=centre, qualifications=qualifications)
    return [
        f"{q.entry_code} {q.title}: {states[q.pk].get_status_display().lower()}"
        for q in qualifications
        if states[q.pk].status != QualificationGrades.Status.APPROVED
    ]


def submit_centre_grades(
    *, series, centre, head_name: str, head_job_title: str, confirmations: dict, by
) -> CentreSubmission:
    if not by.has_perm("grades.submit_grades", centre):
        raise PermissionDenied("Only the head of centre submits the centre's grades.")
    require_window(series, "submission")
    head_name, head_job_title = (head_name or "").strip(), (head_job_title or "").strip()
    if not head_name or not head_job_title:
        raise GradeError("Give your name and job title for the declaration.")
    unconfirmed = [c for c in CONFIRMATIONS if not confirmations.get(c)]
    if unconfirmed:
        raise GradeError("Confirm every statement of the declaration before submitting.")
    with transaction.atomic():
        # One submission per centre: concurrent attempts queue on the centre row.
        Centre.objects.select_for_update().get(pk=centre.pk)
        existing = CentreSubmission.objects.filter(series=series, centre=centre).first()
        if existing is not None:
            when = timezone.localtime(existing.submitted_at)
            raise GradeError(f"The centre's grades were submitted on {when:%d %B %Y at %H:%M}.")
        blockers = submission_blockers(series=series, centre=centre)
        if blockers:
            raise GradeError(
                "Every qualification must be approved before you submit. Not yet: "
                + "; ".join(blockers)
                + "."
            )
        submission = CentreSubmission.objects.create(
            series=series,
            centre=centre,
            head_name=head_name,
            head_job_title=head_job_title,
            submitted_by=by,
            **{c: True for c in CONFIRMATIONS},
        )
        # The centre row lock also holds back candidate edits, so these are the identities
        # the head of centre declared.
        grade_count = keep_submitted_identities(series=series, centre=centre)
        audit.record(
            actor=by,
            action="grades.submitted",
            centre=centre,
            target=submission,
            data={"series": series.code, "grades": grade_count},
        )
        from ..tasks import store_receipt  # here: grades.tasks imports this module

        store_receipt.delay_on_commit(submission.pk)
        notify_many(
            users=centre_people(centre, Role.HEAD_OF_CENTRE, Role.CENTRE_ADMIN),
            notice="grades/grades_submitted",
            context={
                "series": series,
                "centre": centre,
                "submission": submission,
                "grade_count": grade_count,
                "url": reverse("grades:receipt", args=[centre.number]),
            },
            url=reverse("grades:receipt", args=[centre.number]),
        )
    return submission


def receipt_context(submission: CentreSubmission) -> dict:
    grades = (
        Grade.objects.filter(series=submission.series, centre=submission.centre)
        .exclude(grade="")
        .select_related("qualification")
        .order_by("qualification__entry_code", "submitted_candidate_number")
    )
    by_qualification: dict = {}
    for grade in grades:
        by_qualification.setdefault(grade.qualification, []).append(grade)
    return {"submission": submission, "by_qualification": by_qualification, "total": len(grades)}


def receipt_filename(submission: CentreSubmission) -> str:
    return f"{submission.series.code}-{submission.centre.number}-receipt.pdf"


def store_receipt(*, submission_id: int) -> CentreSubmission:
    """Render and keep the receipt once (the task queued on submission); a second call finds
    it stored and does nothing."""
    submission = CentreSubmission.objects.select_related("series", "centre").get(pk=submission_id)
    return documents.store_once(
        submission,
        "receipt",
        template_name="grades/pdf/receipt.html",
        context=lambda: receipt_context(submission),
        filename=receipt_filename(submission),
    )
