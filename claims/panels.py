"""The centre's Claims tab, the dashboard's claims to do and the claims on a candidate's page."""

from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from centres.navigation import register_section
from entries.models import Entry, ModeratorAllocation
from entries.pages import candidate_page
from ocradmin.pages import Task, dashboard, dashboard_tasks, staff_board

from .selectors import candidate_claim_lines, claims_for_moderator, claims_to_do, work_clock

register_section(
    key="claims", label="Claims", url_name="claims:list", permission="claims.view_claims"
)


@dashboard_tasks.register("claims_to_do")
def claim_tasks(request) -> list[Task]:
    """Drafts to submit, and submitted claims whose work is due, where the user builds claims."""
    tasks = []
    for claim in claims_to_do(request.user):
        centre = claim.centre
        url = reverse("claims:claim", args=[centre.number, claim.pk])
        code = claim.qualification.entry_code
        lines = f"{claim.line_count} line{'s' if claim.line_count != 1 else ''}"
        if claim.status == claim.Status.DRAFT:
            tasks.append(
                Task(
                    title=f"Finish and submit the draft {code} claim",
                    url=url,
                    detail=f"{lines} so far.",
                    centre=f"{centre.number} {centre.name}",
                )
            )
        else:
            tasks.append(
                Task(
                    title=f"Send the work for claim {claim.number} ({code})",
                    url=url,
                    due=claim.work_due_at,
                    detail=f"{lines}: upload the evidence or record the postal dispatch.",
                    centre=f"{centre.number} {centre.name}",
                )
            )
    return tasks


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
        .select_related("centre", "qualification")
        .annotate(
            named=Coalesce(Subquery(named, output_field=IntegerField()), 0),
            unnamed=Coalesce(Subquery(unnamed, output_field=IntegerField()), 0),
        )
        .order_by("centre__number", "qualification__entry_code")
    )
    url = reverse("claims:moderator-list")
    return [
        Task(
            title=f"Moderate {a.qualification.entry_code} {a.qualification.title}",
            url=url,
            detail=f"{_candidates(a.named, a.unnamed)} entered; "
            f"allocated {date_format(timezone.localtime(a.allocated_at), 'j F Y')}. "
            "The centre's claims come to you here.",
            centre=f"{a.centre.number} {a.centre.name}",
        )
        for a in allocations
    ]


def _candidates(named: int, unnamed: int) -> str:
    total = named + unnamed
    words = f"{total} candidate{'s' if total != 1 else ''}"
    return f"{words} ({unnamed} unnamed)" if unnamed else words


@dashboard.register("claims_for_moderator", "claims/panels/for_moderator.html")
def claims_for_moderator_panel(request):
    figures = claims_for_moderator(request.user)
    return {"figures": figures} if figures["total"] else None


@staff_board.register("claims_work_clock", "claims/panels/staff_work_clock.html")
def work_clock_panel(request):
    return {"clock": work_clock()}


@candidate_page.register("claim_lines", "claims/panels/candidate_lines.html")
def candidate_lines_panel(request, candidate):
    if not request.user.has_perm("claims.view_claims", candidate.centre):
        return None
    return {"lines": candidate_claim_lines(candidate), "centre": candidate.centre}
