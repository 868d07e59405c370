"""Demo claims in every state at both demo centres (only at a centre that has none yet).

For the qualification each centre has full-award entries and a moderator for (05840 at
Northfield, 05826 at Riverside): claims with the moderator (posted and received, one with a
full award — four of them moderation's demo then moderates), one whose work was uploaded, one
overdue, one with the work due in 20 hours, and a draft.
"""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from centres.models import Centre, Membership, Role
from entries.models import Entry, ModeratorAllocation
from ocradmin.workdays import add_working_days, business_date

from .models import Claim, ClaimLine, Dispatch, Evidence, FullAwardRequest

DEMO_QUALIFICATIONS = {"12345": "05840", "23456": "05826"}

DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

S = Claim.Status
# (status, hours since submitted (None: a draft), {candidate index: {unit number: grade}},
#  full awards (candidate indexes), how the work went: "upload", "post" or None)
# Claims 1, 2, 7 and 8 reach the moderator here; moderation's demo then moderates them
# (adjusted, withdrawn whole, confirmed unchanged, part-moderated), so every state is reached
# through the moderator's own services.
DEMO_CLAIMS = [
    (S.WITH_MODERATOR, 24 * 50, {0: {"1": "D", "2": "M"}, 1: {"1": "M", "2": "P"}}, [], "post"),
    (S.WITH_MODERATOR, 24 * 40, {2: {"1": "P"}}, [], "upload"),
    (S.WITH_MODERATOR, 24 * 6, {0: {"3": "D"}, 1: {"3": "M"}}, [0], "post"),
    (S.WORK_SENT, 30, {2: {"2": "M"}, 3: {"2": "D"}}, [], "upload"),
    (S.SUBMITTED, 30, {4: {"1": "P"}}, [], None),  # overdue: due 6 hours ago
    (S.SUBMITTED, 4, {5: {"1": "M"}, 4: {"2": "P"}}, [], None),  # due in 20 hours
    (S.WITH_MODERATOR, 24 * 45, {3: {"3": "M"}, 5: {"2": "D"}}, [], "upload"),
    (
        S.WITH_MODERATOR,
        24 * 8,
        {4: {"3": "D"}, 5: {"3": "M"}, 0: {"5": "P"}, 1: {"5": "M"}},
        [],
        "upload",
    ),
    (S.DRAFT, None, {2: {"3": "P"}, 3: {"1": "D"}}, [], None),
]


def seed(*, password: str, log) -> None:
    made = 0
    for number, code in DEMO_QUALIFICATIONS.items():
        centre = Centre.objects.filter(number=number).first()
        if centre is None or centre.claims.exists():
            continue
        allocation = (
            ModeratorAllocation.objects.filter(centre=centre, qualification__entry_code=code)
            .select_related("qualification", "moderator")
            .first()
        )
        if allocation is None:
            continue
        qualification = allocation.qualification
        entries = list(
            Entry.objects.filter(
                centre=centre,
                qualification=qualification,
                kind=Entry.Kind.NAMED,
                unit__isnull=True,
                status=Entry.Status.ACCEPTED,
            )
            .select_related("candidate")
            .order_by("candidate__candidate_number")
        )
        units = {unit.number: unit for unit in qualification.units.all()}
        builder = (
            Membership.objects.filter(centre=centre, role=Role.TEACHER).first()
            or Membership.objects.filter(centre=centre, role=Role.CENTRE_ADMIN).first()
        )
        by = builder.user if builder else None
        if len(entries) < 6 or not all(u in units for u in ("1", "2", "3", "5")):
            continue
        now = timezone.now()
        for sequence, (status, hours, lines, awards, work) in enumerate(DEMO_CLAIMS, start=1):
            claim = _claim(
                centre, qualification, allocation.moderator, by, status, hours, now, sequence
            )
            rows = [
                ClaimLine(
                    claim=claim,
                    candidate=entries[index].candidate,
                    unit=units[unit_number],
                    entry=entries[index],
                    grade=grade,
                    added_by=by,
                    added_at=claim.created_at,
                )
                for index, grades in lines.items()
                for unit_number, grade in grades.items()
            ]
            ClaimLine.objects.bulk_create(rows)
            for index in awards:
                FullAwardRequest.objects.create(
                    claim=claim, candidate=entries[index].candidate, requested_by=by
                )
            if work == "upload":
                for line in rows:
                    _evidence(claim, line, by)
            elif work == "post":
                Dispatch.objects.create(
                    claim=claim,
                    posted_on=business_date(claim.submitted_at + timedelta(hours=3)),
                    carrier="Royal Mail Special Delivery",
                    tracking_reference=f"AB{centre.number}{sequence:04d}GB",
                    recorded_by=by,
                )
            made += 1
    log(f"claims: {made} demo claims in every state at 12345 and 23456")


def _claim(centre, qualification, moderator, by, status, hours, now, sequence) -> Claim:
    if hours is None:
        return Claim.objects.create(
            centre=centre, qualification=qualification, built_by=by, created_at=now
        )
    submitted = now - timedelta(hours=hours)
    sent = submitted + timedelta(hours=3)
    claim = Claim(
        centre=centre,
        qualification=qualification,
        status=status,
        moderator=moderator,
        built_by=by,
        submitted_by=by,
        created_at=submitted - timedelta(days=2),
        submitted_at=submitted,
        work_due_at=submitted + timedelta(hours=24),
        number=f"{centre.number}-{sequence:04d}",
    )
    if status != S.SUBMITTED:
        claim.work_sent_at = sent
        claim.work_received_at = sent + timedelta(days=1) if status != S.WORK_SENT else sent
        claim.work_received_by = moderator
        claim.results_due_on = add_working_days(business_date(claim.work_received_at), 21)
    claim.save()
    return claim


def _evidence(claim, line, by) -> None:
    candidate = line.candidate
    evidence = Evidence(
        claim=claim,
        candidate=candidate,
        unit=line.unit,
        original_name=f"{candidate.candidate_number} {candidate.last_name} "
        f"unit {line.unit.number}.pdf",
        kind=Evidence.Kind.PDF,
        content_type="application/pdf",
        size=len(DEMO_PDF),
        uploaded_by=by,
        uploaded_at=claim.work_sent_at or claim.submitted_at,
    )
    evidence.file.save("evidence", ContentFile(DEMO_PDF), save=False)
    evidence.save()
