"""Demo data for the 2021 grades: the series moved so its submission window is open today,
teachers assigned, and qualifications in every state — empty, partly graded, sent, returned,
approved — at Northfield, and a submitted centre at Riverside.

Idempotent: grades are made only for a qualification that has none yet.
"""

from django.utils import timezone

from centres.models import Centre, Membership, Role
from entries.models import CandidateCorrection, Entry
from entries.services.corrections import request_correction

from .models import CentreSubmission, Grade, QualificationGrades, TeacherAssignment
from .selectors import current_series, entered_candidates
from .services import window
from .services.series import shift_into_submission_window
from .services.submission import CONFIRMATIONS, keep_submitted_identities

Status = QualificationGrades.Status

# centre: [(entry code, state, how many candidates graded (None: all), return comment)]
DEMO_GRADES = {
    "12345": [
        ("J560", Status.APPROVED, None, ""),
        ("H446", Status.SENT, None, ""),
        (
            "J277",
            Status.RETURNED,
            None,
            "Please recheck the grades for 0014 and 0017 against the moderated sample.",
        ),
        ("H240", Status.IN_PROGRESS, 5, ""),
        ("J351", Status.IN_PROGRESS, 0, ""),
    ],
    "23456": [
        ("J560", Status.APPROVED, None, ""),
        ("H420", Status.APPROVED, None, ""),
        ("H432", Status.APPROVED, None, ""),
    ],
}
SUBMITTED_CENTRES = ["23456"]
# Teachers of the demo centres grade these.
DEMO_ASSIGNMENTS = {"12345": ["J277", "H240", "J351"], "23456": ["H420", "H432"]}


def seed(*, password: str, log) -> None:
    series = current_series()
    if series is None:
        return
    if not window(series, "submission").is_open():
        series = shift_into_submission_window(series=series)
    for number, rows in DEMO_GRADES.items():
        centre = Centre.objects.filter(number=number).first()
        if centre is None:
            continue
        _assign_teachers(series, centre)
        for code, state, graded, comment in rows:
            _seed_qualification(series, centre, code, state, graded, comment)
        if number in SUBMITTED_CENTRES:
            _submit(series, centre)
            _ask_for_a_correction(centre)
    log(
        "grades: submission open today; Northfield's qualifications in every state, "
        "Riverside submitted, with a correction to a candidate's name waiting for staff"
    )


def _ask_for_a_correction(centre) -> None:
    """Riverside's admin asks staff to correct a submitted candidate's surname."""
    if CandidateCorrection.objects.filter(centre=centre).exists():
        return
    grade = Grade.objects.filter(centre=centre).exclude(submitted_uci="").first()
    admin = Membership.objects.filter(centre=centre, role=Role.CENTRE_ADMIN).first()
    if grade is None or admin is None:
        return
    candidate = grade.candidate
    request_correction(
        candidate=candidate,
        by=admin.user,
        reason="The surname was entered without its hyphen; the birth certificate has it.",
        last_name=f"{candidate.last_name}-Smith",
    )


def _entered_qualification(centre, code):
    entry = (
        Entry.objects.filter(centre=centre, qualification__entry_code=code, kind=Entry.Kind.NAMED)
        .select_related("qualification")
        .first()
    )
    return entry.qualification if entry else None


def _assign_teachers(series, centre) -> None:
    teacher = (
        Membership.objects.filter(centre=centre, role=Role.TEACHER).select_related("user").first()
    )
    if teacher is None:
        return
    for code in DEMO_ASSIGNMENTS.get(centre.number, []):
        qualification = _entered_qualification(centre, code)
        if qualification is not None:
            TeacherAssignment.objects.get_or_create(
                series=series, centre=centre, qualification=qualification, teacher=teacher.user
            )


def _seed_qualification(series, centre, code, state, graded, comment) -> None:
    qualification = _entered_qualification(centre, code)
    if (
        qualification is None
        or Grade.objects.filter(series=series, centre=centre, qualification=qualification).exists()
    ):
        return
    candidates = list(entered_candidates(centre, qualification))
    if graded is not None:
        candidates = candidates[:graded]
    # The scale without its last grade (U): a spread a real class might get.
    scale = qualification.grade_scale[:-1] or qualification.grade_scale
    now = timezone.now()
    Grade.objects.bulk_create(
        Grade(
            series=series,
            centre=centre,
            qualification=qualification,
            candidate=candidate,
            grade=scale[(index * 3 + len(candidate.last_name)) % len(scale)],
            version=1,
            updated_at=now,
        )
        for index, candidate in enumerate(candidates)
    )
    head = Membership.objects.filter(centre=centre, role=Role.HEAD_OF_CENTRE).first()
    sent = state in (Status.SENT, Status.RETURNED, Status.APPROVED)
    QualificationGrades.objects.update_or_create(
        series=series,
        centre=centre,
        qualification=qualification,
        defaults={
            "status": state,
            "return_comment": comment,
            "sent_at": now if sent else None,
            "decided_at": now if state in (Status.RETURNED, Status.APPROVED) else None,
            "decided_by": head.user if head and state != Status.SENT and sent else None,
        },
    )


def _submit(series, centre) -> None:
    head = Membership.objects.filter(centre=centre, role=Role.HEAD_OF_CENTRE).first()
    record = getattr(centre, "head", None)
    _, created = CentreSubmission.objects.get_or_create(
        series=series,
        centre=centre,
        defaults={
            "head_name": record.name if record else "Head of Centre",
            "head_job_title": record.job_title if record else "Principal",
            "submitted_by": head.user if head else None,
            **dict.fromkeys(CONFIRMATIONS, True),
        },
    )
    if created:
        keep_submitted_identities(series=series, centre=centre)
