"""Demo centres and the four centre roles at each."""

import secrets
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from ocradmin.demo import PLACEHOLDER_NAMES, ensure_user, seed_notice
from ocradmin.models import User

from .models import (
    VOCATIONAL_TYPES,
    Centre,
    CentreApplication,
    HeadOfCentre,
    Invitation,
    Membership,
    Nation,
    OrganisationType,
    Qualification,
    Role,
)

DEMO_CENTRES = [
    ("12345", "Northfield Academy", "northfield.example"),
    ("23456", "Riverside College", "riverside.example"),
]

DEMO_PEOPLE = [
    ("officer", Role.CENTRE_ADMIN),
    ("teacher", Role.TEACHER),
    ("head", Role.HEAD_OF_CENTRE),
    ("materials", Role.AAM_USER),
]
# The demo people's names, per centre and role.
DEMO_NAMES = {
    "12345": {
        "officer": "Priya Shah",
        "teacher": "Tom Whitfield",
        "head": "Dr Helen Carter",
        "materials": "Kofi Mensah",
    },
    "23456": {
        "officer": "Gareth Evans",
        "teacher": "Aisha Rahman",
        "head": "Margaret Doyle",
        "materials": "Liam O'Neill",
    },
}


def seed(*, password: str, log) -> None:
    for number, name, domain in DEMO_CENTRES:
        centre, _ = Centre.objects.get_or_create(number=number, defaults={"name": name})
        for local, role in DEMO_PEOPLE:
            full_name = DEMO_NAMES[number][local]
            user = ensure_user(f"{local}@{domain}", full_name=full_name, password=password)
            Membership.objects.get_or_create(user=user, centre=centre, role=role)
    log("centres: Northfield Academy (12345) and Riverside College (23456) with their people")
    seed_people(log=log)
    seed_application(password=password, log=log)
    seed_approvals(password=password, log=log)


def seed_application(*, password: str, log) -> None:
    """Hillside School: an applicant whose centre application is waiting for staff."""
    applicant = ensure_user(
        "applicant@hillside.example", full_name="Nadia Hussain", password=password
    )
    name, postcode = "Hillside School", "LS6 2AB"
    application, created = CentreApplication.objects.get_or_create(
        applicant=applicant,
        organisation_key=CentreApplication.key_for(name, postcode),
        defaults={
            "name": name,
            "organisation_type": OrganisationType.SECONDARY,
            "address_line1": "1 Hill Road",
            "town": "Leeds",
            "postcode": postcode,
            "nation": Nation.ENGLAND,
            "phone": "0113 496 0000",
            "head_name": "Helen Hill",
            "head_job_title": "Headteacher",
            "head_email": "head@hillside.example",
            "officer_name": "Nadia Hussain",
            "officer_email": "applicant@hillside.example",
            "officer_phone": "0113 496 0001",
            "declare_accurate": True,
            "declare_regulations": True,
            "declare_head_agrees": True,
            "status": CentreApplication.Status.SUBMITTED,
            "submitted_at": timezone.now(),
        },
    )
    if created:
        application.intended_qualifications.set(
            Qualification.objects.filter(
                is_active=True, is_remotely_moderated=True, qualification_type__in=VOCATIONAL_TYPES
            )[:3]
        )
    seed_notice(
        applicant,
        notice="centres/application_received",
        context={"application": application},
        url=reverse("centres:apply-detail", args=[application.pk]),
    )
    log("centres: Hillside School's application waiting for staff (applicant@hillside.example)")


def seed_people(*, log) -> None:
    """Head-of-centre records for both demo centres; one invitation waiting at 12345."""
    heads = {"12345": "Headteacher", "23456": "Principal"}
    for number, _name, domain in DEMO_CENTRES:
        centre = Centre.objects.get(number=number)
        job_title = heads[number]
        email = f"head@{domain}"
        user = User.objects.filter(email__iexact=email).first()
        # The demo heads have accepted the role (and hold it: a Membership made above).
        head, _ = HeadOfCentre.objects.get_or_create(
            centre=centre,
            defaults={
                "name": DEMO_NAMES[number]["head"],
                "job_title": job_title,
                "email": email,
                "user": user,
                "accepted_at": timezone.now(),
            },
        )
        if head.name in PLACEHOLDER_NAMES:
            HeadOfCentre.objects.filter(pk=head.pk).update(name=DEMO_NAMES[number]["head"])
        if head.accepted_at is None and user is not None and head.email == email:
            HeadOfCentre.objects.filter(pk=head.pk).update(
                user=user, accepted_at=timezone.now(), token=None
            )
    centre = Centre.objects.get(number="12345")
    email = "newteacher@northfield.example"
    waiting = Invitation.objects.filter(
        centre=centre, email__iexact=email, status=Invitation.Status.PENDING
    )
    if not waiting.exists() and not User.objects.filter(email__iexact=email).exists():
        now = timezone.now()
        Invitation.objects.create(
            centre=centre,
            email=email,
            full_name="Leo Marsh",
            roles=[Role.TEACHER.value],
            token=secrets.token_urlsafe(32),
            invited_by=User.objects.filter(email="officer@northfield.example").first(),
            created_at=now,
            expires_at=now + timedelta(days=14),
        )
    log("centres: heads of centre; an invitation waiting for newteacher@northfield.example")


# Qualification approvals: (centre, approved entry codes, requested entry codes).
DEMO_APPROVALS = [
    ("12345", ["05840", "05834", "J817", "J560", "J351", "J277", "H240", "H446"], ["05835"]),
    ("23456", ["05826", "05841", "J813", "J560", "J352", "J247", "H420", "H432", "H230"], []),
]
# Examiner-moderators: (email, name, entry codes, capacity).
DEMO_MODERATORS = [
    (
        "moderator@ocradmin.example",
        "Morgan Price",
        ["05840", "05834", "J817", "05826", "05841", "J813", "05835"],
        20,
    ),
    ("moderator2@ocradmin.example", "Robin Hale", ["05840", "05841", "05826"], 5),
]


def seed_approvals(*, password: str, log) -> None:
    """Approvals at both demo centres (one still waiting) and two moderators' specialisms."""
    from datetime import date, timedelta

    from .models import ModeratorProfile, QualificationApproval

    Status = QualificationApproval.Status
    staff = ensure_user(
        "staff@ocradmin.example", full_name="Sam Okafor", password=password, is_staff=True
    )
    now = timezone.now()
    for number, approved, requested in DEMO_APPROVALS:
        centre = Centre.objects.get(number=number)
        officer = Membership.objects.filter(centre=centre, role=Role.CENTRE_ADMIN).first()
        codes = [(code, Status.APPROVED) for code in approved]
        codes += [(code, Status.REQUESTED) for code in requested]
        for code, status in codes:
            qualification = Qualification.objects.filter(entry_code=code).first()
            if (
                qualification is None
                or centre.approvals.filter(qualification=qualification).exists()
            ):
                continue
            decided = status == Status.APPROVED
            department = "Vocational" if qualification.is_remotely_moderated else "Subject"
            QualificationApproval.objects.create(
                centre=centre,
                qualification=qualification,
                status=status,
                delivered_by=f"{department} department",
                planned_start=date(2020, 9, 1) if decided else date(now.year + 1, 9, 1),
                requested_by=officer.user if officer else None,
                requested_at=now - timedelta(days=400 if decided else 3),
                decided_by=staff if decided else None,
                decided_at=now - timedelta(days=390) if decided else None,
            )
    for email, name, codes, capacity in DEMO_MODERATORS:
        user = ensure_user(email, full_name=name, password=password, is_examiner_moderator=True)
        if not user.is_examiner_moderator:
            user.is_examiner_moderator = True
            user.save(update_fields=["is_examiner_moderator"])
        profile, created = ModeratorProfile.objects.get_or_create(
            user=user, defaults={"capacity": capacity}
        )
        if created:
            profile.qualifications.set(Qualification.objects.filter(entry_code__in=codes))
    for number, approved, _requested in DEMO_APPROVALS:
        approval = (
            QualificationApproval.objects.filter(
                centre__number=number, qualification__entry_code=approved[0]
            )
            .select_related("centre", "qualification")
            .first()
        )
        if approval is not None:
            url = reverse("centres:approvals", args=[number])
            for officer in Membership.objects.filter(
                centre=approval.centre, role=Role.CENTRE_ADMIN
            ).select_related("user"):
                seed_notice(
                    officer.user,
                    notice="centres/approval_approved",
                    context={"approval": approval, "url": url},
                    url=url,
                )
    log(
        "centres: qualification approvals at 12345 and 23456 (05835 waiting for staff); "
        "moderators moderator@ and moderator2@ocradmin.example"
    )
