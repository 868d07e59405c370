"""Demo candidates, access arrangements, entries in every state and allocated moderators.

Idempotent: candidates are keyed by centre + candidate number, arrangements by candidate +
qualification + kind; entries are made only at a centre that has none. Everything uses the
qualifications the demo centres are approved for (centres/demo.py) and skips what is not
approved, so the seed never fails.
"""

from datetime import date, timedelta

from django.utils import timezone

from centres.models import VOCATIONAL_TYPES, Centre, Qualification, QualificationApproval, Role
from ocradmin.models import User

from .models import AccessArrangement, Candidate, Entry, ModeratorAllocation
from .validators import make_uci

# (candidate number, first name, last name, sex, date of birth); DOBs 2004–2008.
DEMO_CANDIDATES = {
    "12345": [
        ("0001", "Oliver", "Smith", "M", date(2006, 9, 14)),
        ("0002", "Amelia", "Jones", "F", date(2007, 2, 3)),
        ("0003", "Harry", "Williams", "M", date(2006, 11, 22)),
        ("0004", "Isla", "Taylor", "F", date(2007, 5, 30)),
        ("0005", "George", "Brown", "M", date(2005, 12, 8)),
        ("0006", "Ava", "Davies", "F", date(2006, 7, 19)),
        ("0007", "Noah", "Evans", "M", date(2007, 4, 1)),
        ("0008", "Mia", "Wilson", "F", date(2008, 1, 25)),
        ("0009", "Jack", "Thomas", "M", date(2006, 3, 12)),
        ("0010", "Freya", "Johnson", "F", date(2007, 8, 6)),
        ("0011", "Leo", "Roberts", "M", date(2005, 10, 17)),
        ("0012", "Emily", "Robinson", "F", date(2006, 6, 28)),
        ("0013", "Arthur", "Thompson", "M", date(2007, 12, 2)),
        ("0014", "Grace", "Wright", "F", date(2006, 1, 15)),
        ("0015", "Oscar", "Walker", "M", date(2008, 3, 9)),
        ("0016", "Poppy", "White", "F", date(2005, 9, 21)),
        ("0017", "Charlie", "Hughes", "M", date(2007, 6, 11)),
        ("0018", "Sophia", "Edwards", "F", date(2006, 10, 4)),
        ("0019", "Alfie", "Green", "M", date(2007, 1, 29)),
        ("0020", "Lily", "Hall", "F", date(2008, 7, 16)),
        ("0021", "Muhammad", "Khan", "M", date(2006, 4, 23)),
        ("0022", "Priya", "Patel", "F", date(2007, 9, 7)),
        ("0023", "Rhys", "Morgan", "M", date(2005, 2, 18)),
        ("0024", "Siobhan", "O'Brien", "F", date(2006, 12, 31)),
        ("0025", "Kwame", "Mensah", "M", date(2007, 3, 5)),
    ],
    "23456": [
        ("0001", "Thomas", "Clarke", "M", date(2004, 11, 2)),
        ("0002", "Chloe", "Lewis", "F", date(2005, 3, 17)),
        ("0003", "Jacob", "Harris", "M", date(2004, 8, 26)),
        ("0004", "Ella", "Martin", "F", date(2005, 6, 9)),
        ("0005", "William", "Jackson", "M", date(2004, 12, 14)),
        ("0006", "Evie", "Wood", "F", date(2005, 1, 22)),
        ("0007", "Joshua", "Turner", "M", date(2004, 9, 30)),
        ("0008", "Ruby", "Hill", "F", date(2005, 4, 3)),
        ("0009", "Ethan", "Cooper", "M", date(2005, 7, 27)),
        ("0010", "Aisha", "Begum", "F", date(2004, 10, 11)),
        ("0011", "Daniel", "Ward", "M", date(2005, 5, 19)),
        ("0012", "Megan", "Price", "F", date(2004, 2, 8)),
        ("0013", "Callum", "Campbell", "M", date(2005, 8, 13)),
        ("0014", "Zara", "Ali", "F", date(2004, 6, 1)),
        ("0015", "Owain", "Jenkins", "M", date(2005, 11, 24)),
    ],
}

# (centre, candidate number, preferred entry code, kind, extra time %, details, status, reason)
DEMO_ARRANGEMENTS = [
    ("12345", "0003", "05840", "extra_time", 25, "", "approved", ""),
    ("12345", "0007", "05840", "extra_time", 50, "", "referred", ""),
    (
        "12345",
        "0012",
        "05834",
        "practical_assistant",
        None,
        "",
        "rejected",
        "The evidence does not show a need for a practical assistant in the written units.",
    ),
    ("12345", "0005", "J817", "reader", None, "", "approved", ""),
    ("12345", "0009", "05834", "word_processor", None, "", "approved", ""),
    ("12345", "0022", "J817", "separate_invigilation", None, "", "approved", ""),
    ("23456", "0004", "05826", "extra_time", 10, "", "approved", ""),
    ("23456", "0010", "05841", "scribe", None, "", "approved", ""),
]

EVIDENCE = {
    "extra_time": "Specialist assessor's report (Form 8) on file, showing below-average "
    "processing speed; extra time is the candidate's normal way of working.",
    "practical_assistant": "Occupational therapist's letter describing limited fine motor control.",
    "reader": "Form 8 on file: below-average reading comprehension; a reader is used in class.",
    "word_processor": "Handwriting is illegible at speed; a word processor is the normal way "
    "of working (SENCo statement on file).",
    "separate_invigilation": "Medical letter on file: anxiety disorder; the candidate sits "
    "class tests in a separate room.",
    "scribe": "Temporary injury: broken right wrist (hospital letter on file).",
}


def demo_uln(seed: int) -> str:
    """A valid ULN: 10 digits, first not 0, weighted sum 10…1 ≡ 10 (mod 11)."""
    prefix = 400_000_000 + seed * 7919
    while True:
        digits = str(prefix)
        total = sum(int(d) * w for d, w in zip(digits, range(10, 1, -1), strict=True))
        last = (10 - total) % 11
        if last < 10:
            return f"{digits}{last}"
        prefix += 1


def seed(*, password: str, log) -> None:
    seed_candidates(log=log)
    seed_arrangements(log=log)
    seed_entries(log=log)
    seed_notices(log=log)


def seed_notices(*, log) -> None:
    """What entry processing and staff decisions would have told people about the demo's
    entries, arrangements and allocations (the job itself is not run: the demo keeps entries
    waiting on the clock)."""
    from django.db.models import Count, Q
    from django.urls import reverse

    from centres.selectors import people_by_centre
    from ocradmin.demo import seed_notice

    centres = {c.pk: c for c in Centre.objects.filter(number__in=["12345", "23456"])}
    admins = people_by_centre(list(centres), Role.CENTRE_ADMIN)
    outcomes = (
        Entry.objects.filter(centre_id__in=centres)
        .values("centre_id")
        .annotate(
            accepted=Count("id", filter=Q(status=S.ACCEPTED)),
            rejected=Count("id", filter=Q(status=S.REJECTED)),
            with_staff=Count("id", filter=Q(status=S.NEEDS_REVIEW)),
        )
        .order_by()
    )
    for row in outcomes:
        centre = centres[row.pop("centre_id")]
        url = reverse("entries:list", args=[centre.number])
        for admin in admins.get(centre.pk, []):
            seed_notice(
                admin,
                notice="entries/entries_processed",
                context={"centre": centre, **row},
                url=url + "?status=rejected" if row["rejected"] else url,
            )
    for allocation in ModeratorAllocation.objects.filter(centre_id__in=centres).select_related(
        "centre", "qualification", "moderator"
    ):
        context = {
            "centre": allocation.centre,
            "qualification": allocation.qualification,
            "moderator": allocation.moderator,
        }
        seed_notice(
            allocation.moderator,
            notice="entries/moderator_allocated",
            context=context,
            url=reverse("dashboard"),
        )
        for admin in admins.get(allocation.centre_id, []):
            seed_notice(
                admin,
                notice="entries/moderator_allocated_for_centre",
                context=context,
                url=reverse("entries:list", args=[allocation.centre.number]),
            )
    for arrangement in AccessArrangement.objects.filter(
        centre_id__in=centres, status=AccessArrangement.Status.REJECTED
    ).select_related("centre", "candidate", "qualification"):
        for admin in admins.get(arrangement.centre_id, []):
            seed_notice(
                admin,
                notice="entries/arrangement_decided",
                context={
                    "arrangement": arrangement,
                    "approved": False,
                    "reason": arrangement.rejection_reason,
                },
                url=reverse("entries:arrangements", args=[arrangement.centre.number]),
            )
    log("entries: the notices processing, allocation and staff decisions sent")


def seed_candidates(*, log) -> None:
    year = timezone.localdate().year % 100
    created = 0
    for number, rows in DEMO_CANDIDATES.items():
        centre = Centre.objects.filter(number=number).first()
        if centre is None:
            continue
        for index, (candidate_number, first, last, sex, born) in enumerate(rows):
            _, made = Candidate.objects.get_or_create(
                centre=centre,
                candidate_number=candidate_number,
                defaults={
                    "uci": make_uci(
                        centre_number=number, year=year, candidate_number=candidate_number
                    ),
                    # Two in three have a ULN.
                    "uln": demo_uln(int(number) + index) if index % 3 != 2 else "",
                    "first_name": first,
                    "last_name": last,
                    "sex": sex,
                    "date_of_birth": born,
                },
            )
            created += made
    log(f"entries: {created} demo candidates added at 12345 and 23456")


def _qualification_for(centre, entry_code):
    """The preferred qualification if the centre is approved for it, else another approved
    vocational one, else None."""
    approved = Qualification.objects.filter(
        approvals__centre=centre,
        approvals__status=QualificationApproval.Status.APPROVED,
        is_active=True,
    )
    return (
        approved.filter(entry_code=entry_code).first()
        or approved.filter(qualification_type__in=VOCATIONAL_TYPES).order_by("entry_code").first()
    )


def seed_arrangements(*, log) -> None:
    now = timezone.now()
    staff = User.objects.filter(is_staff=True).order_by("pk").first()
    first_assessment = timezone.localdate() + timedelta(days=60)
    created = skipped = 0
    for number, cand_no, code, kind, percent, details, status, reason in DEMO_ARRANGEMENTS:
        candidate = Candidate.objects.filter(
            centre__number=number, candidate_number=cand_no
        ).first()
        qualification = candidate and _qualification_for(candidate.centre, code)
        if candidate is None or qualification is None:
            skipped += 1
            continue
        officer = candidate.centre.memberships.filter(role=Role.CENTRE_ADMIN).first()
        _, made = AccessArrangement.objects.get_or_create(
            candidate=candidate,
            qualification=qualification,
            kind=kind,
            defaults={
                "centre": candidate.centre,
                "extra_time_percent": percent,
                "details": details,
                "evidence": EVIDENCE[kind],
                "first_assessment_on": first_assessment,
                "status": status,
                "requested_by": officer.user if officer else None,
                "requested_at": now - timedelta(days=4 if status == "referred" else 20),
                "decided_at": None if status == "referred" else now - timedelta(days=18),
                "rejection_reason": reason,
                # Rejections come from staff; approvals within delegated authority need none.
                "decided_by": staff if status == "rejected" else None,
            },
        )
        created += made
    message = f"entries: {created} demo access arrangements"
    if skipped:
        message += f" ({skipped} skipped: no approved qualification or candidate yet)"
    log(message)


# (centre, entry code, candidate numbers, status, hours since submitted, unit numbers, reason).
# Every state of the 24–48 h clock and of an entry, at both centres; the GCSE and A level
# entries give the 2021 grades their candidates.
S = Entry.Status
DEMO_ENTRIES = [
    ("12345", "05840", range(1, 9), S.ACCEPTED, 24 * 40, [], ""),
    ("12345", "05834", range(9, 13), S.ACCEPTED, 24 * 30, ["1", "2"], ""),
    ("12345", "05834", [13], S.SUBMITTED, 3, [], ""),
    ("12345", "05834", [14], S.SUBMITTED, 30, [], ""),
    ("12345", "05834", [15], S.SUBMITTED, 50, [], ""),
    ("12345", "J817", [16], S.REJECTED, 24 * 10, [], "REJECTED"),
    ("12345", "J817", [17], S.NEEDS_REVIEW, 20, [], "REVIEW"),
    ("12345", "J817", [18], S.WITHDRAWN, 24 * 12, [], ""),
    ("12345", "J560", range(1, 26), S.ACCEPTED, 24 * 60, [], ""),
    ("12345", "H446", range(1, 11), S.ACCEPTED, 24 * 60, [], ""),
    ("12345", "J277", range(11, 21), S.ACCEPTED, 24 * 60, [], ""),
    ("12345", "H240", range(1, 13), S.ACCEPTED, 24 * 60, [], ""),
    ("12345", "J351", range(13, 26), S.ACCEPTED, 24 * 60, [], ""),
    ("23456", "05826", range(1, 7), S.ACCEPTED, 24 * 35, [], ""),
    ("23456", "05826", [7], S.SUBMITTED, 5, [], ""),
    ("23456", "J813", [8], S.REJECTED, 24 * 8, [], "REJECTED"),
    ("23456", "J813", [9], S.WITHDRAWN, 24 * 9, [], ""),
    ("23456", "J560", range(1, 16), S.ACCEPTED, 24 * 60, [], ""),
    ("23456", "H420", range(1, 9), S.ACCEPTED, 24 * 60, [], ""),
    ("23456", "H432", range(9, 16), S.ACCEPTED, 24 * 60, [], ""),
]
# (centre, entry code, quantity, status, hours since submitted)
DEMO_UNNAMED = [
    ("12345", "J817", 12, S.SUBMITTED, 6),
    ("23456", "05841", 8, S.ACCEPTED, 24 * 20),
]
DEMO_ALLOCATIONS = [
    ("12345", "05840", "moderator@ocradmin.example"),
    ("12345", "05834", "moderator@ocradmin.example"),
    ("23456", "05826", "moderator2@ocradmin.example"),
    ("23456", "05841", "moderator2@ocradmin.example"),
]
REASONS = {
    "REJECTED": "UCI already entered for this qualification at centre 34567.",
    "REVIEW": "UCI is also entered for this qualification at centre 45678.",
}


def _approved(centre, entry_code):
    return Qualification.objects.filter(
        entry_code=entry_code,
        approvals__centre=centre,
        approvals__status=QualificationApproval.Status.APPROVED,
    ).first()


def _entry(centre, qualification, *, status, hours, reason, **identity):
    submitted = timezone.now() - timedelta(hours=hours)
    decided = status not in (S.SUBMITTED, S.WITHDRAWN)
    return Entry(
        centre=centre,
        qualification=qualification,
        status=status,
        submitted_at=submitted,
        process_by=submitted + timedelta(hours=48),
        processed_at=submitted + timedelta(hours=20) if decided else None,
        rejection_reason=REASONS[reason] if status == S.REJECTED else "",
        review_reason=REASONS[reason] if status == S.NEEDS_REVIEW else "",
        withdrawn_at=submitted + timedelta(days=2) if status == S.WITHDRAWN else None,
        **identity,
    )


def seed_entries(*, log) -> None:
    """Only for a centre with no entries yet, so a second run (or the user's own entries)
    is left alone."""
    made = 0
    for number in ("12345", "23456"):
        centre = Centre.objects.filter(number=number).first()
        if centre is None or centre.entries.exists():
            continue
        candidates = {c.candidate_number: c for c in centre.candidates.all()}
        rows = []
        for _, code, numbers, status, hours, units, reason in (
            row for row in DEMO_ENTRIES if row[0] == number
        ):
            qualification = _approved(centre, code)
            if qualification is None:
                continue
            unit_rows = [qualification.units.filter(number=u).first() for u in units] or [None]
            for n in numbers:
                candidate = candidates.get(f"{n:04d}")
                for unit in unit_rows if candidate else []:
                    rows.append(
                        _entry(
                            centre,
                            qualification,
                            status=status,
                            hours=hours,
                            reason=reason,
                            kind=Entry.Kind.NAMED,
                            candidate=candidate,
                            unit=unit,
                        )
                    )
        for _, code, quantity, status, hours in (r for r in DEMO_UNNAMED if r[0] == number):
            qualification = _approved(centre, code)
            if qualification is not None:
                rows.append(
                    _entry(
                        centre,
                        qualification,
                        status=status,
                        hours=hours,
                        reason="",
                        kind=Entry.Kind.UNNAMED,
                        quantity=quantity,
                    )
                )
        made += len(Entry.objects.bulk_create(rows))
        for _, code, email in (a for a in DEMO_ALLOCATIONS if a[0] == number):
            qualification = _approved(centre, code)
            moderator = User.objects.filter(email=email).first()
            if qualification and moderator:
                ModeratorAllocation.objects.get_or_create(
                    centre=centre, qualification=qualification, defaults={"moderator": moderator}
                )
    log(f"entries: {made} demo entries in every state, and allocated moderators")
