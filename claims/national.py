"""The claims part of the national dataset: claims in every state with their lines, the work
sent (uploaded or posted), the clock's notices already sent, and their audit events.

For each national centre and each remotely moderated qualification it has accepted named
entries and an examiner-moderator for, 85% of the pairs have claims: one to three, the
candidates shared between them, each candidate claimed for one to three units (all of them in
one claim in four), so no candidate and unit is in two claims. Of the claims (``STATES``):

=================  =====  ==========================================================
moderated           55%   submitted 3 to 20 weeks ago, work received, results due
with the moderator  14%   work received 1 to 3 weeks ago
work sent            9%   sent in the last 1 to 14 days (half uploaded, half posted)
submitted, due       6%   submitted 1 to 17 hours ago: the work is due within 24 hours
due in < 6 hours     3%   submitted 18 to 23 hours ago: amber, the reminder sent
overdue              2%   submitted 1 to 5 days ago: the reminder and overdue notices sent
withdrawn            3%   withdrawn after the work was sent
draft                8%   being built (at most one per centre and qualification)
=================  =====  ==========================================================

About a fifth of the centres' candidates have a vocational entry. Measured at ``--centres
200``: 577 claims, 13,131 lines (about 23 a claim), 5,169 evidence rows (an uploaded claim has
a file per line, all naming one small stored PDF), 221 dispatches, 38 sent notices and 1,959
audit events; so at 1,000 centres about 2,900 claims, 66,000 lines, 26,000 evidence rows,
1,100 dispatches and 9,800 audit events, and five times as many at 5,000. Written by
``plan.add`` in batches (``plan.batch_size``), a chunk of centres to a transaction.
"""

from datetime import timedelta
from functools import cache

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from centres.models import Membership, Role, Unit
from entries.models import Entry, ModeratorAllocation
from ocradmin.clocks import reminder_key
from ocradmin.models import SentNotice
from ocradmin.national import Plan
from ocradmin.workdays import add_working_days, business_date

from .demo import DEMO_PDF
from .models import Claim, ClaimLine, Dispatch, Evidence, ModerationOutcome
from .selectors import WORK_CLOCK, WORK_REMINDER

S = Claim.Status
HOUR, DAY = timedelta(hours=1), timedelta(days=1)
CLAIMED_SHARE = 0.85
# (share, status, hours since submitted: low, high). "Overdue" and "amber" are submitted
# claims whose 24 hours are past or nearly so; a draft has no submission.
STATES = [
    (0.55, S.MODERATED, 21 * 24, 140 * 24),
    (0.14, S.WITH_MODERATOR, 8 * 24, 22 * 24),
    (0.09, S.WORK_SENT, 1 * 24, 14 * 24),
    (0.06, S.SUBMITTED, 1, 17),
    (0.03, S.SUBMITTED, 18, 23),
    (0.02, S.SUBMITTED, 25, 5 * 24),
    (0.03, S.WITHDRAWN, 30 * 24, 120 * 24),
    (0.08, S.DRAFT, 0, 0),
]
CARRIERS = ["Royal Mail Special Delivery", "Parcelforce", "DPD"]
EVIDENCE_NAME = "claims/national/sample-work.pdf"


def seed(plan: Plan) -> None:
    if not plan.centre_sizes:
        return
    units = {}
    for unit in Unit.objects.filter(qualification__is_remotely_moderated=True).order_by(
        "qualification_id", "number"
    ):
        units.setdefault(unit.qualification_id, []).append(unit)
    if not units:
        plan.log("  claims: no remotely moderated qualification with units, no claims added")
        return
    if not default_storage.exists(EVIDENCE_NAME):
        default_storage.save(EVIDENCE_NAME, ContentFile(DEMO_PDF))
    # The results are due 21 working days after the work came in; a few hundred days recur.
    results_due = cache(lambda received: add_working_days(received, 21))
    done = 0
    with plan.bulk_load(ClaimLine, Evidence):
        for chunk in plan.chunks():
            with plan.transaction():
                _claim_centres(plan, units, chunk, results_due)
            done += len(chunk)
            plan.progress("claims", done, len(plan.centre_sizes))


def _state(plan, index: int):
    """The state of the build's ``index``-th claim: the first few take every state in turn (so
    even a tiny build has each), the rest are drawn at the shares above."""
    if index < len(STATES):
        _, status, low, high = STATES[index]
        return status, plan.rng.uniform(low, high)
    share = plan.rng.random()
    for weight, status, low, high in STATES:  # noqa: B007 (the last is the default)
        if share < weight:
            break
        share -= weight
    return status, plan.rng.uniform(low, high)


def _claimable(centre_ids, units):
    """``{(centre_id, qualification_id): (moderator_id, [(candidate_id, entry_id), …])}``."""
    moderators = {
        (centre_id, qualification_id): moderator_id
        for centre_id, qualification_id, moderator_id in ModeratorAllocation.objects.filter(
            centre_id__in=centre_ids, qualification_id__in=list(units)
        ).values_list("centre_id", "qualification_id", "moderator_id")
    }
    pairs: dict[tuple, tuple] = {}
    for centre_id, qualification_id, candidate_id, entry_id in (
        Entry.objects.filter(
            centre_id__in=centre_ids,
            qualification_id__in=list(units),
            kind=Entry.Kind.NAMED,
            status=Entry.Status.ACCEPTED,
            unit__isnull=True,
        )
        .order_by("candidate_id")
        .values_list("centre_id", "qualification_id", "candidate_id", "id")
    ):
        key = (centre_id, qualification_id)
        if key in moderators:
            pairs.setdefault(key, (moderators[key], []))[1].append((candidate_id, entry_id))
    return pairs


def _claim_centres(plan, units, centre_ids, results_due) -> None:
    rng, now = plan.rng, timezone.now()
    builders = dict(
        Membership.objects.filter(centre_id__in=centre_ids, role=Role.TEACHER).values_list(
            "centre_id", "user_id"
        )
    )
    claims, lines_of, numbered = [], [], {}
    for (centre_id, qualification_id), (moderator_id, candidates) in sorted(
        _claimable(centre_ids, units).items()
    ):
        first = plan.counts.get("claims.Claim", 0) + len(claims) < len(STATES)
        if rng.random() >= CLAIMED_SHARE and not first:
            continue
        number, _ = plan.centre_sizes[centre_id]
        count = min(len(candidates), 3 if first else rng.choice([1, 1, 2, 2, 3]))
        rng.shuffle(candidates)
        has_draft = False
        for index in range(count):
            status, hours = _state(plan, plan.counts.get("claims.Claim", 0) + len(claims))
            if status == S.DRAFT:
                if has_draft:
                    status, hours = S.MODERATED, rng.uniform(21 * 24, 140 * 24)
                has_draft = True
            claim = {
                "centre_id": centre_id,
                "qualification_id": qualification_id,
                "moderator_id": moderator_id,
                "built_by_id": builders.get(centre_id),
                "number": None,
            }
            if status != S.DRAFT:  # numbered 1, 2, … at each centre, as submission does
                numbered[centre_id] = numbered.get(centre_id, 0) + 1
                claim["number"] = f"{number}-{numbered[centre_id]:04d}"
            _set_state(plan, claim, status, hours, now, results_due)
            claims.append(claim)
            share = candidates[index::count]
            lines_of.append(_lines(plan, claim, share, units[qualification_id]))
    saved = plan.add(Claim, claims)
    for claim, lines in zip(saved, lines_of, strict=True):
        for line in lines:
            line["claim_id"] = claim["id"]
    lines = plan.add(ClaimLine, (line for claim_lines in lines_of for line in claim_lines))
    _work(plan, saved, lines)
    _notices(plan, saved, now)
    _audit(plan, saved)


# What a claim has not reached yet stays empty.
UNSET = dict.fromkeys(
    [
        "submitted_by_id",
        "submitted_at",
        "work_due_at",
        "work_sent_at",
        "work_received_at",
        "work_received_by_id",
        "results_due_on",
        "moderated_at",
        "withdrawn_at",
    ]
)


def _set_state(plan, claim, status, hours, now, results_due) -> None:
    claim.update(UNSET, status=status)
    if status == S.DRAFT:
        claim["moderator_id"] = None
        claim["created_at"] = now - timedelta(days=plan.rng.randint(0, 10))
        return
    submitted = now - timedelta(hours=hours)
    claim["created_at"] = submitted - timedelta(days=plan.rng.randint(1, 14))
    claim["submitted_by_id"] = claim["built_by_id"]
    claim["submitted_at"] = submitted
    claim["work_due_at"] = submitted + timedelta(hours=24)
    if status == S.SUBMITTED:
        return
    sent = claim["work_sent_at"] = submitted + timedelta(hours=plan.rng.uniform(1, 22))
    if status in (S.WITH_MODERATOR, S.MODERATED, S.WITHDRAWN):
        received = claim["work_received_at"] = sent + timedelta(days=plan.rng.randint(1, 4))
        claim["work_received_by_id"] = claim["moderator_id"]
        claim["results_due_on"] = results_due(business_date(received))
    if status not in (S.MODERATED, S.WITHDRAWN):
        return
    decided = claim["work_received_at"] + timedelta(days=plan.rng.randint(3, 25))
    if status == S.MODERATED:
        claim["moderated_at"] = decided
        claim["moderation_outcome"] = (
            ModerationOutcome.ADJUSTED
            if plan.rng.random() < 0.2
            else ModerationOutcome.CONFIRMED_UNCHANGED
        )
    elif status == S.WITHDRAWN:
        claim["withdrawn_at"] = decided
        claim["withdrawal_reason"] = "The centre's assessment was not consistent with the standard."


def _lines(plan, claim, candidates, units) -> list[dict]:
    rng = plan.rng
    lines = []
    for candidate_id, entry_id in candidates:
        chosen = (
            units if rng.random() < 0.25 else rng.sample(units, min(len(units), rng.randint(1, 3)))
        )
        lines += [
            {
                "candidate_id": candidate_id,
                "unit_id": unit.pk,
                "entry_id": entry_id,
                "grade": rng.choice(unit.grade_scale[:-1] or unit.grade_scale or ["P"]),
                "added_by_id": claim["built_by_id"],
                "added_at": claim["created_at"],
            }
            for unit in sorted(chosen, key=lambda u: u.number)
        ]
    if claim["status"] == S.MODERATED:
        # Moderated as claimed, as moderation leaves them (its part adjusts a few): set here,
        # not by updating every line afterwards.
        for line in lines:
            line["moderated_grade"] = line["grade"]
    return lines


def _work(plan, claims, lines) -> None:
    """The work of every claim past submission: half uploaded (a file per line, all naming
    the one sample PDF), half posted."""
    by_claim: dict[int, list] = {}
    for line in lines:
        by_claim.setdefault(line["claim_id"], []).append(line)
    evidence, dispatches = [], []
    for claim in claims:
        if claim["work_sent_at"] is None:
            continue
        if plan.rng.random() < 0.5:
            evidence += [
                {
                    "claim_id": claim["id"],
                    "candidate_id": line["candidate_id"],
                    "unit_id": line["unit_id"],
                    "file": EVIDENCE_NAME,
                    "original_name": f"candidate {line['candidate_id']} unit {line['unit_id']}.pdf",
                    "kind": Evidence.Kind.PDF,
                    "content_type": "application/pdf",
                    "size": len(DEMO_PDF),
                    "uploaded_by_id": claim["built_by_id"],
                    "uploaded_at": claim["work_sent_at"],
                }
                for line in by_claim.get(claim["id"], [])
            ]
        else:
            dispatches.append(
                {
                    "claim_id": claim["id"],
                    "posted_on": business_date(claim["work_sent_at"]),
                    "carrier": plan.rng.choice(CARRIERS),
                    "tracking_reference": f"NA{claim['id']:08d}GB",
                    "recorded_by_id": claim["built_by_id"],
                    "recorded_at": claim["work_sent_at"],
                }
            )
    plan.add(Evidence, evidence)
    plan.add(Dispatch, dispatches)


def _notices(plan, claims, now) -> None:
    """What the clock has already sent: the reminder for claims within 6 hours of their
    deadline or past it, the overdue notice for claims past it (so the first scan after the
    build sends nothing for them)."""
    target_type = ContentType.objects.get_for_model(Claim).pk
    reminder = reminder_key(WORK_CLOCK.key, WORK_REMINDER)
    breach = f"{WORK_CLOCK.key}:breach"
    rows = []
    for claim in claims:
        due = claim["work_due_at"]
        if claim["status"] != S.SUBMITTED or due - now > WORK_REMINDER:
            continue
        keys = [(reminder, due - WORK_REMINDER)]
        if due <= now:
            keys.append((breach, due))
        rows += [
            {
                "key": key,
                "target_type_id": target_type,
                "target_id": claim["id"],
                "claim": "00000000-0000-0000-0000-000000000000",
                "sent_at": at,
            }
            for key, at in keys
        ]
    plan.add(SentNotice, rows)


def _audit(plan, claims) -> None:
    plan.audit(
        {
            "actor_id": claim["built_by_id"],
            "action": action,
            "centre_id": claim["centre_id"],
            "target_id": str(claim["id"]),
            "target_repr": f"claim {claim['number'] or claim['id']}",
            "at": at,
        }
        for claim in claims
        for action, at in (
            ("claim.started", claim["created_at"]),
            ("claim.submitted", claim["submitted_at"]),
            ("claim.work_sent", claim["work_sent_at"]),
            ("claim.work_received", claim["work_received_at"]),
        )
        if at is not None
    )
