"""Benchmark: the claims work-clock scan (``claims.tasks.scan_work_clock``) with 1,000, 10,000 and
100,000 claims in the table, against a bare indexed count of the claims past their deadline.

At each size the claims are in national proportions (``claims.national.STATES``): most sent or
moderated long ago, 11% on the clock (6% due, 3% within 6 hours, 2% overdue and already told),
and the same 20 newly within 6 hours and 20 newly overdue. The scan should cost what telling
those 40 costs, whatever the number of claims: flat from 1,000 to 100,000.

Runs only with ``make benchmarks``, on the configured database (PostgreSQL when DATABASE_URL is
set). Prints seconds, query counts and the ratio to the baseline; it asserts only that each
claim is told once.
"""

import time
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from centres.models import Centre, Membership, Role
from claims import tasks
from claims.models import Claim
from claims.selectors import WORK_CLOCK, WORK_REMINDER
from ocradmin.clocks import reminder_key
from ocradmin.models import Notification, SentNotice, User

from ..entries.factories import QualificationFactory

SIZES = (1_000, 10_000, 100_000)
CENTRES = 1_000
NEW_EACH = 20  # claims newly within 6 hours, and newly overdue, at each size
SEEDED = "00000000-0000-0000-0000-000000000000"  # the claim of the notices sent before the run
S = Claim.Status
# (share, status, hours since submitted); a submitted claim is on the clock.
MIX = [
    (0.55, S.MODERATED, 24 * 60),
    (0.14, S.WITH_MODERATOR, 24 * 14),
    (0.09, S.WORK_SENT, 24 * 5),
    (0.06, S.SUBMITTED, 8),  # due in 16 hours
    (0.03, S.SUBMITTED, 20),  # due within 6 hours, reminded
    (0.02, S.SUBMITTED, 24 * 3),  # overdue, reminded and told
    (0.03, S.WITHDRAWN, 24 * 90),
    (0.08, S.DRAFT, None),
]


class Builder:
    def __init__(self):
        # A draft is one per centre and qualification: drafts go round the qualifications.
        self.qualifications = [QualificationFactory(entry_code=f"0584{n}") for n in range(10)]
        self.drafts = 0
        self.moderator = User.objects.create(
            email="moderator@clock.example", full_name="Moderator", is_examiner_moderator=True
        )
        self.centres = Centre.objects.bulk_create(
            [Centre(number=f"{50000 + i:05d}", name=f"Clock Centre {i}") for i in range(CENTRES)]
        )
        admins = User.objects.bulk_create(
            [
                User(email=f"officer{i}@clock.example", full_name=f"Officer {i}")
                for i in range(CENTRES)
            ]
        )
        Membership.objects.bulk_create(
            [
                Membership(user=admin, centre=centre, role=Role.CENTRE_ADMIN)
                for admin, centre in zip(admins, self.centres, strict=True)
            ]
        )
        self.admins = {c.pk: a.pk for c, a in zip(self.centres, admins, strict=True)}
        self.made = 0
        self.claim_type = ContentType.objects.get_for_model(Claim)

    def claim(self, status, hours, now) -> Claim:
        self.made += 1
        centre = self.centres[self.made % CENTRES]
        qualification = self.qualifications[0]
        if status == S.DRAFT:
            centre = self.centres[self.drafts % CENTRES]
            qualification = self.qualifications[self.drafts // CENTRES]
            self.drafts += 1
        claim = Claim(
            centre=centre,
            qualification=qualification,
            status=status,
            built_by_id=self.admins[centre.pk],
            created_at=now - timedelta(days=30),
        )
        if status != S.DRAFT:
            submitted = now - timedelta(hours=hours)
            claim.number = f"{centre.number}-{self.made:06d}"
            claim.moderator = self.moderator
            claim.submitted_at = submitted
            claim.work_due_at = submitted + timedelta(hours=24)
        if status == S.MODERATED:  # moderation's check constraint: a date and an outcome
            claim.moderated_at = now - timedelta(days=1)
            claim.moderation_outcome = "confirmed_unchanged"
        return claim

    def grow_to(self, total: int, now) -> None:
        """Claims in the mix up to ``total``, plus NEW_EACH newly amber and NEW_EACH newly
        overdue (not told yet); the notices the clock sent already for the older ones."""
        count = total - self.made - 2 * NEW_EACH
        claims = []
        for share, status, hours in MIX:
            claims += [self.claim(status, hours, now) for _ in range(round(count * share))]
        claims += [self.claim(S.SUBMITTED, 19, now) for _ in range(NEW_EACH)]  # due in 5 h
        claims += [self.claim(S.SUBMITTED, 25, now) for _ in range(NEW_EACH)]  # 1 h overdue
        saved = Claim.objects.bulk_create(claims, batch_size=5_000)
        told = []
        for claim in saved[: len(saved) - 2 * NEW_EACH]:
            if claim.status != S.SUBMITTED or claim.work_due_at - now > WORK_REMINDER:
                continue
            told.append((reminder_key(WORK_CLOCK.key, WORK_REMINDER), claim.pk))
            if claim.work_due_at <= now:
                told.append((f"{WORK_CLOCK.key}:breach", claim.pk))
        SentNotice.objects.bulk_create(
            [
                SentNotice(key=key, target_type=self.claim_type, target_id=pk, claim=SEEDED)
                for key, pk in told
            ],
            batch_size=5_000,
        )


def timed(func):
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        result = func()
    return time.perf_counter() - started, len(queries), result


@pytest.mark.django_db
def test_the_work_clock_scan_is_flat_from_1000_to_100000_claims():
    now = timezone.now()
    builder = Builder()
    print(f"\nThe work-clock scan ({connection.vendor}), {2 * NEW_EACH} claims to tell each time")
    print(
        f"  {'claims':>8}  {'baseline count':>14}  {'scan':>18}  {'ratio':>7}  "
        f"{'rerun (nothing new)':>24}"
    )
    builder.grow_to(2 * NEW_EACH + 60, now)  # a first scan, not counted: templates, caches
    tasks.scan_work_clock()
    for size in SIZES:
        started = time.perf_counter()
        builder.grow_to(size, now)
        built = time.perf_counter() - started
        assert Claim.objects.count() == size
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        Notification.objects.all().delete()

        WORK_CLOCK.rows_in("breach", now).count()  # warm
        base, _, overdue = timed(lambda: WORK_CLOCK.rows_in("breach", now).count())
        scan, scan_queries, outcome = timed(tasks.scan_work_clock)
        assert outcome == f"{NEW_EACH} reminded, {NEW_EACH} overdue", outcome
        rerun, rerun_queries, again = timed(tasks.scan_work_clock)
        assert again == "0 reminded, 0 overdue"
        print(
            f"  {size:>8,}  {base:8.4f} s ({overdue:,})  {scan:8.4f} s {scan_queries:3d} q"
            f"  ×{scan / base:6.1f}  {rerun:8.4f} s {rerun_queries:3d} q ×{rerun / base:6.1f}"
            f"   (built in {built:.0f} s)"
        )
