"""The moderator's dashboard tasks, the moderation section of the centre's claim page and (in
the staff part) the staff board's moderation panels."""

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from claims.models import Claim
from claims.pages import claim_page
from entries.models import Entry, ModeratorAllocation
from ocradmin.pages import Task, dashboard_tasks

from .models import LineDecision, Review

# --- The examiner-moderator's dashboard ------------------------------------------------------


@dashboard_tasks.register("moderator_allocations")
def allocation_tasks(request) -> list[Task]:
    """For an examiner-moderator: each centre and qualification allocated to them, with the
    candidates entered (one query)."""
    user = request.user
    if not user.is_examiner_moderator:
        return []
    entries = Entry.objects.filter(
        centre_id=OuterRef("centre_id"),
        qualification_id=OuterRef("qualification_id"),
        status__in=Entry.LIVE,
    ).order_by()
    # Named candidates once each, however many unit entries; unnamed entries by their quantity.
    named = (
        entries.filter(kind=Entry.Kind.NAMED)
        .values("centre_id")
        .annotate(n=Count("candidate_id", distinct=True))
        .values("n")
    )
    unnamed = (
        entries.filter(kind=Entry.Kind.UNNAMED)
        .values("centre_id")
        .annotate(n=Sum("quantity"))
        .values("n")
    )
    allocations = (
        ModeratorAllocation.objects.filter(moderator=user)
        .values(
            "allocated_at",
            "centre__number",
            "centre__name",
            "qualification__entry_code",
            "qualification__title",
        )
        .annotate(
            named=Coalesce(Subquery(named, output_field=IntegerField()), 0),
            unnamed=Coalesce(Subquery(unnamed, output_field=IntegerField()), 0),
        )
        .order_by("centre__number", "qualification__entry_code")
    )
    url = reverse("moderation:queue")
    days: dict = {}  # allocations made on the same day share the words for it
    tasks = []
    for a in allocations:
        local = timezone.localtime(a["allocated_at"])
        if local.date() not in days:
            days[local.date()] = date_format(local, "j F Y")
        day = days[local.date()]
        tasks.append(
            Task(
                title=f"Moderate {a['qualification__entry_code']} {a['qualification__title']}",
                url=url,
                detail=f"{_candidates(a['named'], a['unnamed'])} entered; allocated {day}. "
                "The centre's claims come to you in your queue.",
                centre=f"{a['centre__number']} {a['centre__name']}",
            )
        )
    return tasks


def _candidates(named: int, unnamed: int) -> str:
    total = named + unnamed
    words = f"{total} candidate{'s' if total != 1 else ''}"
    return f"{words} ({unnamed} unnamed)" if unnamed else words


@dashboard_tasks.register("moderation")
def moderator_tasks(request) -> list[Task]:
    """A task per claim waiting for the moderator: confirm the work arrived, moderate it (with
    how many lines are decided), or write the report of a claim withdrawn whole. One query."""
    user = request.user
    if not user.is_authenticated or not user.is_examiner_moderator:
        return []
    S = Claim.Status
    claims = (
        Claim.objects.filter(moderator=user)
        .filter(
            Q(status__in=[S.WORK_SENT, S.WITH_MODERATOR])
            | Q(status=S.WITHDRAWN, review__status=Review.Status.IN_PROGRESS)
        )
        .values("pk", "number", "status", "results_due_on", "centre__number", "centre__name")
        # A claim has one review and a line one decision: the joins repeat no line.
        .annotate(
            entry_code=F("qualification__entry_code"),
            line_count=Count("lines"),
            decided_count=Count("lines", filter=Q(lines__decision__isnull=False)),
        )
        .order_by("results_due_on", "pk")
    )
    tasks = []
    for claim in claims:
        pk, number, due_on = claim["pk"], claim["number"], claim["results_due_on"]
        url = reverse("moderation:claim", args=[pk])
        due = f"results due {due_on:%-d %B}" if due_on else ""
        what = f"{claim['entry_code']} at {claim['centre__number']}"
        if claim["status"] == S.WORK_SENT:
            n = claim["line_count"]
            title = f"Confirm you have the work of claim {number}"
            detail = f"{what} — {n} line{'s' if n != 1 else ''}"
        elif claim["status"] == S.WITHDRAWN:
            title = f"Write the feedback report on withdrawn claim {number}"
            url = reverse("moderation:complete", args=[pk])
            detail = what
        else:
            title = f"Moderate claim {number}"
            detail = f"{what} — {claim['decided_count']} of {claim['line_count']} lines decided"
        tasks.append(
            Task(
                title=title,
                url=url,
                due=due_on,
                detail=f"{detail} — {due}" if due else detail,
                centre=f"{claim['centre__number']} {claim['centre__name']}",
            )
        )
    return tasks


# --- The centre's claim page ------------------------------------------------------------------


@claim_page.register("moderation", "moderation/panels/claim.html")
def claim_moderation_panel(request, claim):
    """What the moderator decided that the centre sees: withdrawn units at once; the outcome,
    the adjustments and the report once the review is complete."""
    review = Review.objects.filter(claim=claim).select_related("report").first()
    if review is None:
        return None
    withdrawn = (
        LineDecision.objects.filter(review=review, outcome=LineDecision.Outcome.WITHDRAWN)
        .values("line__unit__number", "reason")
        .annotate(lines=Count("pk"))
        .order_by("line__unit__number")
    )
    adjusted = []
    if review.status == Review.Status.COMPLETED:
        adjusted = list(
            LineDecision.objects.filter(review=review, outcome=LineDecision.Outcome.ADJUSTED)
            .select_related("line__candidate", "line__unit")
            .order_by("line__unit__number", "line__candidate__candidate_number")
        )
    if not withdrawn and review.status != Review.Status.COMPLETED and claim.status != "withdrawn":
        return None
    return {
        "claim": claim,
        "review": review,
        "report": getattr(review, "report", None),
        "adjusted": adjusted,
        "withdrawn_units": [
            {"unit": row["line__unit__number"], "reason": row["reason"], "lines": row["lines"]}
            for row in withdrawn
        ],
    }


# --- Staff board: the results clock and the moderators' load ---------------------------------
from ocradmin.pages import staff_board  # noqa: E402

from .services.clock import results_clock  # noqa: E402
from .services.staff import separation_conflicts  # noqa: E402


@staff_board.register("moderation_results_clock", "moderation/panels/staff_results_clock.html")
def results_clock_panel(request):
    return {"clock": results_clock()}


@staff_board.register("moderation_conflicts", "moderation/panels/staff_conflicts.html")
def separation_conflicts_panel(request):
    allocations, claims = separation_conflicts()
    if not allocations and not claims:
        return None
    return {"allocations": allocations, "claims": claims}
