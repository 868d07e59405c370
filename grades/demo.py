"""Demo data for the 2021 grades: the series moved so its submission window is open today,
teachers assigned, and qualifications in every state — empty, partly graded, sent, returned,
approved — at Northfield, and a submitted centre at Riverside.

Idempotent: grades are made only for a qualification that has none yet.
"""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from centres.models import Centre, Membership, Role
from entries.models import CandidateCorrection, Entry
from entries.services.corrections import request_correction
from ocradmin.demo import seed_notice
from ocradmin.models import User

from .models import (
    AssessmentMaterial,
    CentreSubmission,
    Grade,
    QualificationGrades,
    TeacherAssignment,
)
from .selectors import current_series, entered_candidates, tag_qualifications_approved_at
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
        _seed_notices(series, centre)
    _seed_materials(series)
    log(
        "grades: submission open today; Northfield's qualifications in every state, "
        "Riverside submitted, with a correction to a candidate's name waiting for staff"
    )


def _people(centre, role) -> list:
    return [
        m.user for m in Membership.objects.filter(centre=centre, role=role).select_related("user")
    ]


def _seed_notices(series, centre) -> None:
    """What the hand-offs of the seeded states would have told people."""
    head = next(iter(_people(centre, Role.HEAD_OF_CENTRE)), None)
    for state in QualificationGrades.objects.filter(series=series, centre=centre).select_related(
        "qualification"
    ):
        qualification = state.qualification
        url = reverse("grades:qualification", args=[centre.number, qualification.entry_code])
        teachers = [
            a.teacher
            for a in TeacherAssignment.objects.filter(
                series=series, centre=centre, qualification=qualification
            ).select_related("teacher")
        ]
        context = {"qualification": qualification, "centre": centre, "by": head}
        if state.status == Status.SENT:
            sender = teachers[0] if teachers else None
            total = Grade.objects.filter(series=series, centre=centre, qualification=qualification)
            for person in _people(centre, Role.HEAD_OF_CENTRE):
                seed_notice(
                    person,
                    notice="grades/grades_sent",
                    context={**context, "by": sender or person, "total": total.count()},
                    url=url,
                )
        elif state.status == Status.RETURNED:
            for teacher in teachers:
                seed_notice(
                    teacher,
                    notice="grades/grades_returned",
                    context={**context, "comment": state.return_comment},
                    url=url,
                )
        elif state.status == Status.APPROVED and head is not None:
            for person in [*teachers, *_people(centre, Role.CENTRE_ADMIN)]:
                seed_notice(person, notice="grades/grades_approved", context=context, url=url)
    submission = CentreSubmission.objects.filter(series=series, centre=centre).first()
    if submission is not None:
        url = reverse("grades:receipt", args=[centre.number])
        grade_count = Grade.objects.filter(series=series, centre=centre).exclude(grade="").count()
        for person in _people(centre, Role.HEAD_OF_CENTRE) + _people(centre, Role.CENTRE_ADMIN):
            seed_notice(
                person,
                notice="grades/grades_submitted",
                context={
                    "series": series,
                    "centre": centre,
                    "submission": submission,
                    "grade_count": grade_count,
                    "url": url,
                },
                url=url,
            )


# A one-page PDF: enough for the materials page to offer a real download.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _seed_materials(series) -> None:
    """One material for each TAG qualification either demo centre is approved for, available
    since two days ago, and the notice each centre's materials users were sent."""
    now = timezone.now()
    staff = User.objects.filter(email="staff@ocradmin.example").first()
    for number in DEMO_GRADES:
        centre = Centre.objects.filter(number=number).first()
        if centre is None:
            continue
        for qualification in tag_qualifications_approved_at(centre):
            material = AssessmentMaterial.objects.filter(
                series=series, qualification=qualification
            ).first()
            if material is None:
                material = AssessmentMaterial(
                    series=series,
                    qualification=qualification,
                    title="Assessment evidence guidance",
                    original_name=f"{qualification.entry_code}-guidance.pdf",
                    size=len(DEMO_PDF),
                    available_from=now - timedelta(days=2),
                    uploaded_by=staff,
                )
                material.file.save(material.original_name, ContentFile(DEMO_PDF), save=False)
                material.save()
            for person in _people(centre, Role.AAM_USER):
                seed_notice(
                    person,
                    notice="grades/materials_available",
                    context={"material": material, "qualification": qualification},
                    url=reverse("grades:materials", args=[number]),
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
