"""The moderation part of the national dataset: for the claims the claims part made at the
national centres, the reviews, line decisions and centre feedback reports their states imply,
at national proportions.

- A claim *moderated*: a completed review; every line decided (confirmed, or about 1 line in 8
  adjusted by one grade on an *adjusted* claim), the lines' ``moderated_grade`` set; a feedback
  report with a section per unit; an audit event.
- A claim *withdrawn* (by the moderator): a completed review with the reason; a report.
- A claim *with the moderator*: three in five have an open review with about 40% of the lines
  decided.

Claims already reviewed are left alone, so a second run adds nothing twice. With no claims at
the national centres (the claims part not run) it says so and does nothing.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from centres.models import Unit
from claims.models import Claim, ClaimLine
from ocradmin.national import Plan

from .models import FeedbackReport, LineDecision, Review, UnitFeedback

S = Claim.Status
OPEN_REVIEW_SHARE = 0.6
DECIDED_SHARE = 0.4
ADJUSTED_LINE_SHARE = 0.125
DEFAULT_SCALE = ["D", "M", "P", "U"]
WITHDRAWAL_REASON = (
    "The centre's assessment decisions were not consistent across the sample; re-assess the "
    "units against the grading criteria and claim them again."
)
COMMENTS = [
    "Assessment decisions were accurate and well annotated.",
    "Clear tracking of evidence against the criteria; internal standardisation evident.",
    "Some Merit decisions were generous; see the unit sections.",
]


def seed(plan: Plan) -> None:
    centres = sorted(plan.centre_sizes)
    reviewed = Review.objects.filter(claim=OuterRef("pk"))
    pending = Claim.objects.filter(
        centre_id__in=centres, status__in=[S.MODERATED, S.WITHDRAWN, S.WITH_MODERATOR]
    ).filter(~Exists(reviewed))
    if not centres or not pending.exists():
        plan.log("  moderation: no claims to review at the national centres; nothing added")
        return
    scales = dict(Unit.objects.values_list("pk", "grade_scale"))
    claim_type = ContentType.objects.get_for_model(Claim).pk
    done = 0
    with plan.bulk_load(LineDecision, UnitFeedback):
        for chunk in plan.chunks():
            with plan.transaction():
                _seed_chunk(plan, pending.filter(centre_id__in=chunk), scales, claim_type)
            done += len(chunk)
            plan.progress("reviews and reports", done, len(centres))


def _seed_chunk(plan: Plan, claims_qs, scales, claim_type) -> None:
    rng = plan.rng
    claims = list(
        claims_qs.order_by("pk").values(
            "pk",
            "centre_id",
            "moderator_id",
            "status",
            "moderation_outcome",
            "work_received_at",
            "moderated_at",
            "withdrawn_at",
            "number",
        )
    )
    if not claims:
        return
    lines_by_claim: dict[int, list[dict]] = {}
    for line in ClaimLine.objects.filter(claim_id__in=[c["pk"] for c in claims]).values(
        "pk", "claim_id", "unit_id", "grade"
    ):
        lines_by_claim.setdefault(line["claim_id"], []).append(line)

    now = timezone.now()
    reviews, plans = [], []
    for claim in claims:
        if claim["moderator_id"] is None:
            continue
        status = claim["status"]
        if status == S.WITH_MODERATOR and rng.random() >= OPEN_REVIEW_SHARE:
            continue
        review = {
            "claim_id": claim["pk"],
            "moderator_id": claim["moderator_id"],
            "started_at": claim["work_received_at"] or now,
            "completed_at": None,
            "outcome": "",
        }
        if status == S.MODERATED:
            review.update(
                status=Review.Status.COMPLETED,
                completed_at=claim["moderated_at"] or now,
                outcome=claim["moderation_outcome"] or Review.Outcome.CONFIRMED_UNCHANGED,
            )
        elif status == S.WITHDRAWN:
            review.update(
                status=Review.Status.COMPLETED,
                completed_at=claim["withdrawn_at"] or now,
                outcome=Review.Outcome.WITHDRAWN,
                withdrawal_reason=WITHDRAWAL_REASON,
                withdrawn_at=claim["withdrawn_at"] or now,
            )
        reviews.append(review)
        plans.append(claim)
    reviews = plan.add(Review, reviews)

    decisions, reports, adjusted_grades, events = [], [], {}, []
    for review, claim in zip(reviews, plans, strict=True):
        lines = lines_by_claim.get(claim["pk"], [])
        if claim["status"] == S.WITHDRAWN:
            reports.append((review, claim, lines))
            continue
        if claim["status"] == S.WITH_MODERATOR:
            lines = [line for line in lines if rng.random() < DECIDED_SHARE]
        adjusting = review["outcome"] == Review.Outcome.ADJUSTED
        for index, line in enumerate(lines):
            grade, outcome, reason = line["grade"], LineDecision.Outcome.CONFIRMED, ""
            # An adjusted claim has at least one adjusted line.
            if adjusting and (index == 0 or rng.random() < ADJUSTED_LINE_SHARE):
                grade = _next_grade(scales.get(line["unit_id"]) or DEFAULT_SCALE, grade)
                if grade != line["grade"]:
                    outcome = LineDecision.Outcome.ADJUSTED
                    reason = "Evidence does not meet all the criteria for the grade claimed."
                    adjusted_grades[line["pk"]] = grade
            decisions.append(
                {
                    "line_id": line["pk"],
                    "review_id": review["id"],
                    "outcome": outcome,
                    "grade": grade,
                    "reason": reason,
                    "decided_by_id": claim["moderator_id"],
                    "decided_at": review["completed_at"] or review["started_at"],
                }
            )
        if claim["status"] == S.MODERATED:
            reports.append((review, claim, lines))
    plan.add(LineDecision, decisions)

    saved = plan.add(
        FeedbackReport,
        (
            {
                "review_id": review["id"],
                "overall_comments": rng.choice(COMMENTS),
                "submitted_by_id": claim["moderator_id"],
                "submitted_at": review["completed_at"],
                "emailed_at": review["completed_at"] if claim["status"] == S.WITHDRAWN else None,
            }
            for review, claim, _ in reports
        ),
    )
    plan.add(
        UnitFeedback,
        (
            {
                "report_id": report["id"],
                "unit_id": unit_id,
                "did_well": "Well-organised portfolios with clear assessor annotation.",
                "needs_attention": "" if rng.random() < 0.6 else "Cross-reference the criteria.",
                "consistent": claim["status"] != S.WITHDRAWN,
            }
            for report, (_, claim, lines) in zip(saved, reports, strict=True)
            for unit_id in sorted({line["unit_id"] for line in lines})
        ),
    )

    moderated_ids = [c["pk"] for c in plans if c["status"] == S.MODERATED]
    if moderated_ids:
        ClaimLine.objects.filter(claim_id__in=moderated_ids, moderated_grade="").update(
            moderated_grade=F("grade")
        )
        changed = [ClaimLine(pk=pk, moderated_grade=grade) for pk, grade in adjusted_grades.items()]
        ClaimLine.objects.bulk_update(changed, ["moderated_grade"], batch_size=plan.batch_size)

    for review, claim in zip(reviews, plans, strict=True):
        if review.get("status") != Review.Status.COMPLETED:
            continue
        action = "claim.withdrawn" if claim["status"] == S.WITHDRAWN else "claim.moderated"
        events.append(
            {
                "actor_id": claim["moderator_id"],
                "action": action,
                "centre_id": claim["centre_id"],
                "target_type_id": claim_type,
                "target_id": str(claim["pk"]),
                "target_repr": f"Claim {claim['number']}",
                "data": {"outcome": review["outcome"]},
                "at": review["completed_at"],
            }
        )
    plan.audit(events)


def _next_grade(scale: list[str], grade: str) -> str:
    """One grade lower on the scale (best first), or the same when there is none lower."""
    if grade in scale and scale.index(grade) + 1 < len(scale):
        return scale[scale.index(grade) + 1]
    return grade
