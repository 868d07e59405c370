"""The centre's Claims tab, the dashboard's claims to do and the claims on a candidate's page."""

from django.urls import reverse

from centres.models import Role
from centres.navigation import register_section
from centres.selectors import centres_where
from entries.pages import candidate_page
from ocradmin.pages import Task, dashboard_tasks, staff_board

from .models import Claim
from .selectors import candidate_claim_lines, claims_to_do, work_clock

register_section(
    key="claims", label="Claims", url_name="claims:list", permission="claims.view_claims"
)


@dashboard_tasks.register("claims_to_do")
def claim_tasks(request) -> list[Task]:
    """Drafts to submit, and submitted claims whose work is due, where the user builds claims
    (no query for anyone who builds none)."""
    centres = {c.pk: c for c in centres_where(request.user, Role.CENTRE_ADMIN, Role.TEACHER)}
    tasks = []
    for claim in claims_to_do(list(centres)):
        centre = centres[claim["centre_id"]]
        url = reverse("claims:claim", args=[centre.number, claim["pk"]])
        code, n = claim["entry_code"], claim["line_count"]
        lines = f"{n} line{'s' if n != 1 else ''}"
        if claim["status"] == Claim.Status.DRAFT:
            tasks.append(
                Task(
                    title=f"Finish and submit the draft {code} claim",
                    url=url,
                    detail=f"{lines} so far.",
                    centre=str(centre),
                )
            )
        else:
            tasks.append(
                Task(
                    title=f"Send the work for claim {claim['number']} ({code})",
                    url=url,
                    due=claim["work_due_at"],
                    detail=f"{lines}: upload the evidence or record the postal dispatch.",
                    centre=str(centre),
                )
            )
    return tasks


@staff_board.register("claims_work_clock", "claims/panels/staff_work_clock.html")
def work_clock_panel(request):
    return {"clock": work_clock()}


@candidate_page.register("claim_lines", "claims/panels/candidate_lines.html")
def candidate_lines_panel(request, candidate):
    if not request.user.has_perm("claims.view_claims", candidate.centre):
        return None
    return {"lines": candidate_claim_lines(candidate), "centre": candidate.centre}
