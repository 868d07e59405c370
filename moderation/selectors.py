"""Reads of the moderation app that views, services and tasks share (scoped, free of N+1)."""

from collections import Counter, defaultdict
from dataclasses import dataclass

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


# The queue's columns: a row of each claim's own values, its centre's and qualification's.
QUEUE_COLUMNS = [
    "pk",
    "number",
    "status",
    "results_due_on",
    "work_due_at",
    "work_sent_at",
    "moderated_at",
    "withdrawn_at",
    "moderation_outcome",
    "centre__number",
    "centre__name",
    "qualification__entry_code",
    "qualification__title",
]


def queue_claims(claims):
    """The claims of the queue (already scoped to the user) as rows (dicts of ``QUEUE_COLUMNS``)
    with its stage and its line and decision counts, grouped by stage and oldest deadline
    first, in one query. The counts are subqueries and only what the page shows is joined:
    grouping the joined lines by every selected column took PostgreSQL longer to plan than to
    run. Decisions are counted by the claim's review (an index on the decisions' review), not
    line by line: every decision is of a line of its review's claim (``decide_line``,
    ``withdraw_units``). Rows, not models: building three models a claim, the qualification's
    JSON decoded, took longer than the query (4.4 -> 1.9 ms for 50 claims)."""
    S = Claim.Status
    return (
        claims.filter(status__in=QUEUE_STATES)
        .select_related(None)
        .annotate(
            stage=Case(
                When(status__in=[S.SUBMITTED, S.WORK_SENT], then=Value(Stage.AWAITING_WORK)),
                When(review__status=Review.Status.COMPLETED, then=Value(Stage.DONE)),
                When(status=S.MODERATED, then=Value(Stage.DONE)),
                When(review__isnull=False, then=Value(Stage.IN_PROGRESS)),
                default=Value(Stage.READY),
                output_field=IntegerField(),
            ),
            line_count=count_subquery(ClaimLine.objects.filter(claim=OuterRef("pk")), "claim"),
            decided_count=count_subquery(
                LineDecision.objects.filter(review__claim=OuterRef("pk")), "review__claim"
            ),
        )
        .order_by("stage", "results_due_on", "work_due_at", "pk")
        .values(*QUEUE_COLUMNS, "stage", "line_count", "decided_count")
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


# The review page's size: whole groups (a candidate's lines, or a unit's) up to this many
# lines, and a group larger than a page split across pages.
LINES_PER_PAGE = 50


@dataclass(frozen=True)
class OutlineLine:
    pk: int
    candidate_id: int
    unit_id: int
    decided: bool


class ReviewOutline:
    """Every line of a claim, light (its ids and whether it is decided), in the review's order
    (by candidate, or by unit): the whole claim's figures, its pages and where its undecided
    lines are, from one query whatever the claim's size."""

    def __init__(self, lines: list[OutlineLine], *, by_unit: bool, per_page: int = LINES_PER_PAGE):
        self.lines = lines
        self.by_unit = by_unit
        self.total = len(lines)
        self.decided = sum(1 for line in lines if line.decided)
        self.undecided = self.total - self.decided
        self.group_size = Counter(map(self.group_of, lines))
        self.group_undecided = Counter(self.group_of(line) for line in lines if not line.decided)
        self.pages = self._paginate(per_page)  # [(start, end)] indexes into ``lines``

    def group_of(self, line: OutlineLine) -> int:
        return line.unit_id if self.by_unit else line.candidate_id

    def _paginate(self, per_page: int) -> list[tuple[int, int]]:
        """Pages of whole groups, a group that would overflow the page starting the next one;
        a group larger than a page runs on from where the last one ended, split as it must."""
        pages, start, n = [], 0, len(self.lines)
        for first, last in self._groups():
            if first > start and last - start > per_page and last - first <= per_page:
                pages.append((start, first))
                start = first
            while last - start > per_page:
                pages.append((start, start + per_page))
                start += per_page
        if n > start or not pages:
            pages.append((start, n))
        return pages

    def _groups(self):
        """``(first, end)`` index ranges of each group, in order."""
        first = 0
        for i in range(1, len(self.lines) + 1):
            if i == len(self.lines) or self.group_of(self.lines[i]) != self.group_of(
                self.lines[first]
            ):
                yield first, i
                first = i

    @property
    def num_pages(self) -> int:
        return len(self.pages)

    def same_group(self, i: int, j: int) -> bool:
        """Whether lines ``i`` and ``j`` (indexes) are both in the claim and in one group."""
        n = self.total
        return (
            0 <= i < n
            and 0 <= j < n
            and self.group_of(self.lines[i]) == self.group_of(self.lines[j])
        )

    def page_of(self, line_pk: int) -> int:
        """The page number (from 1) showing the line, 1 if it is not in the claim."""
        for index, line in enumerate(self.lines):
            if line.pk == line_pk:
                return self.page_of_index(index)
        return 1

    def next_undecided(self, number: int) -> tuple[int, int] | None:
        """``(page number, line id)`` of the first undecided line after page ``number``, going
        round to the start; None when every line is decided."""
        after = self.pages[number - 1][1] if 0 < number <= len(self.pages) else 0
        for index in [*range(after, self.total), *range(0, after)]:
            if not self.lines[index].decided:
                return self.page_of_index(index), self.lines[index].pk
        return None

    def page_of_index(self, index: int) -> int:
        return next(n for n, (a, b) in enumerate(self.pages, 1) if a <= index < b)


def review_outline(claim, *, by_unit: bool = False) -> ReviewOutline:
    if by_unit:
        order = ("unit__number", "unit_id", "candidate__candidate_number", "candidate_id")
    else:
        order = ("candidate__candidate_number", "candidate_id", "unit__number", "unit_id")
    rows = (
        ClaimLine.objects.filter(claim=claim)
        .order_by(*order, "pk")
        .values_list("pk", "candidate_id", "unit_id", "decision__id")
    )
    return ReviewOutline(
        [
            OutlineLine(pk, candidate, unit, decision is not None)
            for pk, candidate, unit, decision in rows
        ],
        by_unit=by_unit,
    )


@dataclass
class ReviewPage:
    """One page of a claim's review: its lines in full, grouped by candidate or by unit, with
    the whole claim's figures (``outline``)."""

    outline: ReviewOutline
    number: int
    lines: list
    rows: list
    has_evidence: bool

    @property
    def decided(self) -> int:
        return self.outline.decided

    @property
    def undecided(self) -> int:
        return self.outline.undecided

    @property
    def total(self) -> int:
        return self.outline.total

    @property
    def num_pages(self) -> int:
        return self.outline.num_pages

    @property
    def has_other_pages(self) -> bool:
        return self.num_pages > 1

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def start_index(self) -> int:
        return self.outline.pages[self.number - 1][0] + 1

    @property
    def end_index(self) -> int:
        return self.outline.pages[self.number - 1][1]

    @property
    def next_undecided(self) -> tuple[int, int] | None:
        return self.outline.next_undecided(self.number)


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


def review_page(claim, *, by_unit: bool = False, number=1) -> ReviewPage:
    """Page ``number`` of the claim's review (out of range: the nearest page): the outline of
    the whole claim, then the page's lines with their decisions, their evidence and (by
    candidate) the candidates' access arrangements: six queries however many lines."""
    outline = review_outline(claim, by_unit=by_unit)
    try:
        number = min(max(int(number), 1), outline.num_pages)
    except (TypeError, ValueError):
        number = 1
    start, end = outline.pages[number - 1]
    chosen = outline.lines[start:end]
    position = {line.pk: index for index, line in enumerate(chosen)}
    lines = sorted(
        ClaimLine.objects.filter(claim=claim, pk__in=position)
        .select_related("candidate", "unit", "decision")
        .order_by(),  # put in order here (the model's own order joins the claim to sort)
        key=lambda line: position[line.pk],
    )
    candidate_ids = {line.candidate_id for line in lines}
    evidence = defaultdict(list)
    if lines:
        files = Evidence.objects.filter(claim=claim, candidate_id__in=candidate_ids)
        for item in files.filter(unit_id__in={line.unit_id for line in lines}).order_by(
            "uploaded_at", "pk"
        ):
            evidence[(item.candidate_id, item.unit_id)].append(item)
    for line in lines:
        prepare_line(line)
        line.files = evidence.get((line.candidate_id, line.unit_id), [])
    arrangements = {} if by_unit else arrangements_for(claim, candidate_ids)
    rows: list[dict] = []
    for index, line in enumerate(lines, start):
        group = outline.group_of(line)
        if not rows or rows[-1]["group"] != group:
            rows.append(
                {
                    "group": group,
                    "candidate": line.candidate,
                    "unit": line.unit,
                    "arrangements": arrangements.get(line.candidate_id, []),
                    "lines": [],
                    # The whole claim's figures for the group, whichever page shows it.
                    "undecided": outline.group_undecided[group],
                    "size": outline.group_size[group],
                    # A group split across pages: begun on an earlier page, or going on.
                    "continued": outline.same_group(index - 1, index),
                }
            )
        rows[-1]["lines"].append(line)
        rows[-1]["continues"] = outline.same_group(index, index + 1)
    for row in rows:
        row["released"] = all(line.released_at for line in row["lines"])
    return ReviewPage(
        outline=outline,
        number=number,
        lines=lines,
        rows=rows,
        # A page showing files answers for the claim; else the claim's other lines are asked.
        has_evidence=bool(evidence) or Evidence.objects.filter(claim=claim).exists(),
    )


def completion_summary(claim) -> dict:
    """What the completion page says of the claim's lines: how many are undecided, the
    adjusted ones, the units withdrawn; one light query."""
    rows = list(
        ClaimLine.objects.filter(claim=claim).values_list(
            "released_at", "decision__outcome", "unit__number"
        )
    )
    live = [outcome for released, outcome, _ in rows if released is None]
    return {
        "undecided": sum(1 for outcome in live if outcome is None),
        "adjusted": [outcome for outcome in live if outcome == LineDecision.Outcome.ADJUSTED],
        "withdrawn_units": sorted({number for released, _, number in rows if released}),
    }


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
