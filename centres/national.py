"""The centres part of the national dataset: centres, their people and their approvals."""

from datetime import date, timedelta
from math import ceil

from django.db.models import Max
from django.utils import timezone

from ocradmin.models import User
from ocradmin.national import FIRST_NUMBER, MODERATORS, Plan, national_user

from .models import (
    Centre,
    HeadOfCentre,
    Membership,
    ModeratorProfile,
    Qualification,
    QualificationApproval,
    Role,
)

TOWNS = [
    "Ashford", "Barnsley", "Bedford", "Bolton", "Bristol", "Cardiff", "Carlisle", "Chester",
    "Coventry", "Derby", "Durham", "Exeter", "Gloucester", "Halifax", "Hull", "Ipswich",
    "Kendal", "Leeds", "Leicester", "Lincoln", "Luton", "Newport", "Norwich", "Oldham",
    "Oxford", "Preston", "Reading", "Salford", "Sheffield", "Swansea", "Truro", "Wigan",
    "Worcester", "York",
]  # fmt: skip
KINDS = ["Academy", "High School", "College", "School", "Sixth Form College", "Grammar School"]
PEOPLE = [("officer", "Exams Officer", Role.CENTRE_ADMIN), ("teacher", "Teacher", Role.TEACHER)]


def seed(plan: Plan) -> None:
    tags = list(
        Qualification.objects.filter(is_active=True, available_for_tags=True)
        .order_by("entry_code")
        .values_list("pk", flat=True)
    )
    vocational = list(
        Qualification.objects.filter(is_active=True, available_for_tags=False)
        .order_by("entry_code")
        .values_list("pk", flat=True)
    )
    highest = Centre.objects.filter(number__gte=str(FIRST_NUMBER)).aggregate(n=Max("number"))["n"]
    first = int(highest) + 1 if highest else FIRST_NUMBER
    if first + plan.centres > 100_000:
        raise ValueError("Centre numbers are five digits: too many centres asked for.")
    now = timezone.now()
    staff = User.objects.filter(is_staff=True).order_by("pk").values_list("pk", flat=True).first()
    approved = {
        "status": QualificationApproval.Status.APPROVED,
        "delivered_by": "Subject department",
        "planned_start": date(2020, 9, 1),
        "requested_at": now - timedelta(days=300),
        "decided_by_id": staff,
        "decided_at": now - timedelta(days=290),
    }
    for start in range(0, plan.centres, 500):
        numbers = range(first + start, first + min(start + 500, plan.centres))
        with plan.transaction():
            centres = plan.add(
                Centre,
                (
                    {
                        "number": str(n),
                        "name": f"{TOWNS[n % len(TOWNS)]} {KINDS[n % len(KINDS)]} {n % 97}",
                        "town": TOWNS[n % len(TOWNS)],
                    }
                    for n in numbers
                ),
            )
            users = plan.add(
                User,
                (
                    national_user(
                        f"{local}@c{c['number']}.national.example", f"{c['number']} {title}"
                    )
                    for c in centres
                    for local, title, _role in PEOPLE
                ),
            )
            roles = [role for _local, _title, role in PEOPLE] * len(centres)
            plan.add(
                Membership,
                (
                    {
                        "user_id": user["id"],
                        "centre_id": centres[i // len(PEOPLE)]["id"],
                        "role": role,
                    }
                    for i, (user, role) in enumerate(zip(users, roles, strict=True))
                ),
            )
            plan.add(
                HeadOfCentre,
                (
                    {
                        "centre_id": c["id"],
                        "name": f"Head of {c['name']}",
                        "job_title": "Headteacher",
                        "email": f"head@c{c['number']}.national.example",
                    }
                    for c in centres
                ),
            )
            approvals = []
            for c in centres:
                chosen = plan.rng.sample(tags, plan.rng.randint(3, 6)) + plan.rng.sample(
                    vocational, plan.rng.randint(1, 3)
                )
                plan.approved[c["id"]] = chosen
                plan.centre_sizes[c["id"]] = (c["number"], plan.candidates_for())
                approvals += [
                    {"centre_id": c["id"], "qualification_id": q, **approved} for q in chosen
                ]
            plan.add(QualificationApproval, approvals)
            plan.audit(
                {
                    "actor_id": staff,
                    "action": "qualification_approval.approved",
                    "centre_id": a["centre_id"],
                    "target_repr": f"approval {a['qualification_id']}",
                    "at": a["decided_at"],
                }
                for a in approvals
            )
        plan.progress("centres", start + len(numbers), plan.centres)
    _moderator_profiles(plan, vocational)


def _moderator_profiles(plan: Plan, vocational: list[int]) -> None:
    """The national examiner-moderators' profiles (the platform part made the users): each may
    moderate every vocational qualification and has room for the allocations the entries part
    shares among them (about two a centre), with half again to spare."""
    users = User.objects.filter(
        is_examiner_moderator=True,
        email__endswith="@national.example",
        moderator_profile__isnull=True,
    ).order_by("pk")
    capacity = max(10, ceil(plan.centres * 2 * 1.5 / MODERATORS))
    with plan.transaction():
        profiles = plan.add(
            ModeratorProfile,
            ({"user_id": pk, "capacity": capacity} for pk in users.values_list("pk", flat=True)),
        )
        plan.add(
            ModeratorProfile.qualifications.through,
            (
                {"moderatorprofile_id": profile["id"], "qualification_id": q}
                for profile in profiles
                for q in vocational
            ),
        )
