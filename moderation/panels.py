"""The moderator's dashboard tasks, the moderation section of the centre's claim page and (in
the staff part) the staff board's moderation panels."""

from django.db.models import Count, Q
from django.urls import reverse

from claims.models import Claim
from claims.pages import claim_page
from ocradmin.pages import Task, dashboard_tasks

from .models import LineDecision, Review

# --- The examiner-moderator's dashboard ------------------------------------------------------


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
        .select_related("centre", "qualification", "review")
        .annotate(
            line_count=Count("lines", distinct=True),
            decided_count=Count("lines", filter=Q(lines__decision__isnull=False), distinct=True),
        )
        .order_by("results_due_on", "pk")
    )
    tasks = []
    for claim in claims:
        url = reverse("moderation:claim", args=[claim.pk])
        due = f"results due {claim.results_due_on:%-d %B}" if claim.results_due_on else ""
        what = f"{claim.qualification.entry_code} at {claim.centre.number}"
        if claim.status == S.WORK_SENT:
            title = f"Confirm you have the work of claim {claim.number}"
            detail = f"{what} — {claim.line_count} line{'s' if claim.line_count != 1 else ''}"
        elif claim.status == S.WITHDRAWN:
            title = f"Write the feedback report on withdrawn claim {claim.number}"
            url = reverse("moderation:complete", args=[claim.pk])
            detail = what
        else:
            title = f"Moderate claim {claim.number}"
            detail = f"{what} — {claim.decided_count} of {claim.line_count} lines decided"
        tasks.append(
            Task(
                title=title,
                url=url,
                due=claim.results_due_on,
                detail=f"{detail} — {due}" if due else detail,
                centre=claim.centre.name,
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
