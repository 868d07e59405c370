"""Reads of the moderation app that views, services and tasks share (scoped, free of N+1)."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, Count, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from claims.models import Claim, ClaimLine, Evidence
from claims.selectors import arrangements_for
from ocradmin.workdays import business_date, working_days_between

from .models import FeedbackReport, LineDecision, Review, UnitFeedback


class Stage:
    """Where a claim stands in the moderator's queue."""

    AWAITING_WORK = 1
    READY = 2
    IN_PROGRESS = 3
    DONE = 4

    LABELS = {
        AWAITING_WORK: "Awaiting the work",
        READY: "Ready to moderate",
        IN_PROGRESS: "In progress",
        DONE: "Done",
    }


QUEUE_STATES = [*Claim.SUBMITTED_STATES, Claim.Status.WITHDRAWN]


def queue_claims(claims):
    """The claims of the queue (already scoped to the user), each with its stage, its line and
    decision counts, grouped by stage and oldest deadline first, in one query. The counts are
    subqueries and only what the page shows is joined: grouping the joined lines by every
    selected column took PostgreSQL longer to plan than to run."""
    S = Claim.Status
    lines = ClaimLine.objects.filter(claim=OuterRef("pk"))
    return (
        claims.filter(status__in=QUEUE_STATES)
        .select_related(None)
        .select_related("centre", "qualification")
        .annotate(
            stage=Case(
                When(status__in=[S.SUBMITTED, S.WORK_SENT], then=Value(Stage.AWAITING_WORK)),
                When(review__status=Review.Status.COMPLETED, then=Value(Stage.DONE)),
                When(status=S.MODERATED, then=Value(Stage.DONE)),
                When(review__isnull=False, then=Value(Stage.IN_PROGRESS)),
                default=Value(Stage.READY),
                output_field=IntegerField(),
            ),
            line_count=count_subquery(lines, "claim"),
            decided_count=count_subquery(lines.filter(decision__isnull=False), "claim"),
        )
        .order_by("stage", "results_due_on", "work_due_at", "pk")
    )


def count_subquery(queryset, field="pk"):
    """A correlated COUNT subquery (each aggregate its own, so no join multiplies another);
    ``field`` is the column the rows are grouped by (the outer row's key)."""
    return Coalesce(
        Subquery(
            queryset.order_by().values(field).annotate(n=Count("pk")).values("n")[:1],
        ),
        Value(0),
    )


def working_days_left(claim, today=None) -> int | None:
    if claim.results_due_on is None:
        return None
    today = today or business_date(timezone.now())
    return working_days_between(today, claim.results_due_on)


def review_of(claim) -> Review | None:
    return Review.objects.filter(claim=claim).first()


@dataclass
class ReviewPage:
    """Everything the review page shows, read in a fixed number of queries."""

    lines: list
    evidence: dict = field(default_factory=dict)  # {(candidate id, unit id): [Evidence]}
    arrangements: dict = field(default_factory=dict)  # {candidate id: [labels]}
    units: list = field(default_factory=list)

    @property
    def decided(self) -> int:
        return sum(1 for line in self.lines if line.decision_or_none is not None)

    @property
    def undecided(self) -> int:
        return len(self.lines) - self.decided

    def by_candidate(self) -> list[dict]:
        rows: dict[int, dict] = {}
        for line in self.lines:
            row = rows.setdefault(
                line.candidate_id,
                {
                    "candidate": line.candidate,
                    "arrangements": self.arrangements.get(line.candidate_id, []),
                    "lines": [],
                    "files": [],
                },
            )
            row["lines"].append(line)
            row["files"] += self.evidence.get((line.candidate_id, line.unit_id), [])
        for row in rows.values():
            row["undecided"] = sum(1 for line in row["lines"] if line.decision_or_none is None)
        return list(rows.values())

    def by_unit(self) -> list[dict]:
        rows: dict[int, dict] = {}
        for line in sorted(self.lines, key=lambda line: (line.unit.number, line.candidate_id)):
            row = rows.setdefault(line.unit_id, {"unit": line.unit, "lines": []})
            row["lines"].append(line)
        for row in rows.values():
            row["undecided"] = sum(1 for line in row["lines"] if line.decision_or_none is None)
            row["released"] = all(line.released_at for line in row["lines"])
        return sorted(rows.values(), key=lambda row: row["unit"].number)


def prepare_line(line, *, grade=None, reason=None) -> None:
    """What a line's row shows, worked out once here rather than in the template (500 rows):
    its decision, labels, the grades it can be adjusted to (``grade`` selected: what was posted,
    or the adjusted grade) and the reason's value."""
    decision = getattr(line, "decision", None)
    line.decision_or_none = decision
    candidate = line.candidate
    line.who = f"{candidate.candidate_number} {candidate.last_name}, {candidate.first_name}"
    line.tag = f"{candidate.candidate_number}, unit {line.unit.number}"
    adjusted = decision is not None and decision.outcome == LineDecision.Outcome.ADJUSTED
    if grade is None:
        grade = decision.grade if adjusted else ""
    if reason is None:
        reason = decision.reason if adjusted else ""
    line.options = [(g, g == grade) for g in line.unit.grade_scale if g != line.grade]
    line.reason_value = reason


def review_page(claim) -> ReviewPage:
    """The claim's lines with their decisions, the evidence by line and the candidates' access
    arrangements: four queries however many lines."""
    lines = list(
        ClaimLine.objects.filter(claim=claim)
        .select_related("candidate", "unit", "decision")
        .order_by("candidate__candidate_number", "unit__number")
    )
    for line in lines:
        prepare_line(line)
    evidence = defaultdict(list)
    for item in Evidence.objects.filter(claim=claim).order_by("uploaded_at", "pk"):
        evidence[(item.candidate_id, item.unit_id)].append(item)
    for line in lines:
        line.files = evidence.get((line.candidate_id, line.unit_id), [])
    candidate_ids = {line.candidate_id for line in lines}
    units = {line.unit_id: line.unit for line in lines}
    return ReviewPage(
        lines=lines,
        evidence=evidence,
        arrangements=arrangements_for(claim, candidate_ids),
        units=sorted(units.values(), key=lambda unit: unit.number),
    )


def line_with_decision(claim, line_pk) -> ClaimLine | None:
    line = (
        ClaimLine.objects.filter(claim=claim, pk=line_pk)
        .select_related("candidate", "unit", "decision")
        .first()
    )
    if line is not None:
        prepare_line(line)
        line.files = list(
            Evidence.objects.filter(
                claim=claim, candidate_id=line.candidate_id, unit_id=line.unit_id
            ).order_by("uploaded_at", "pk")
        )
    return line


def claim_units_in_review(claim) -> list:
    """The units of the claim's lines still in it (not withdrawn), in number order: the report
    has a section for each."""
    from centres.models import Unit

    return list(
        Unit.objects.filter(
            pk__in=ClaimLine.objects.filter(claim=claim, released_at__isnull=True).values("unit_id")
        ).order_by("number")
    )


def report_for_claim(claim) -> FeedbackReport | None:
    return (
        FeedbackReport.objects.filter(review__claim=claim)
        .select_related("review__claim__centre", "review__claim__qualification")
        .first()
    )


def report_context(report: FeedbackReport) -> dict:
    """What the report's PDF shows: the claim, the moderator's decisions that changed
    something (adjustments and withdrawals), the comments per unit."""
    review = report.review
    claim = review.claim
    decisions = list(
        LineDecision.objects.filter(review=review)
        .exclude(outcome=LineDecision.Outcome.CONFIRMED)
        .select_related("line__candidate", "line__unit")
        .order_by("line__unit__number", "line__candidate__candidate_number")
    )
    counts = dict(
        LineDecision.objects.filter(review=review)
        .values_list("outcome")
        .annotate(n=Count("pk"))
        .values_list("outcome", "n")
    )
    return {
        "report": report,
        "review": review,
        "claim": claim,
        "centre": claim.centre,
        "qualification": claim.qualification,
        "adjusted": [d for d in decisions if d.outcome == LineDecision.Outcome.ADJUSTED],
        "withdrawn": [d for d in decisions if d.outcome == LineDecision.Outcome.WITHDRAWN],
        "confirmed_count": counts.get(LineDecision.Outcome.CONFIRMED, 0),
        "line_count": ClaimLine.objects.filter(claim=claim).count(),
        "units": list(
            UnitFeedback.objects.filter(report=report)
            .select_related("unit")
            .order_by("unit__number")
        ),
    }


def centre_reports(centre):
    """The feedback reports of the centre's claims, newest first."""
    return (
        FeedbackReport.objects.filter(review__claim__centre=centre)
        .select_related("review__claim__qualification", "review__moderator")
        .order_by("-submitted_at", "-pk")
    )
