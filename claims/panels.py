"""The centre's Claims tab, the dashboard's claims to do and the claims on a candidate's page."""

from django.utils import timezone

from centres.navigation import register_section
from entries.pages import candidate_page
from ocradmin.pages import dashboard, staff_board

from .selectors import candidate_claim_lines, claims_to_do, work_clock

register_section(
    key="claims", label="Claims", url_name="claims:list", permission="claims.view_claims"
)


@dashboard.register("claims_to_do", "claims/panels/to_do.html")
def claims_to_do_panel(request):
    claims = claims_to_do(request.user)
    return {"claims": claims, "now": timezone.now()} if claims else None


@staff_board.register("claims_work_clock", "claims/panels/staff_work_clock.html")
def work_clock_panel(request):
    return {"clock": work_clock()}


@candidate_page.register("claim_lines", "claims/panels/candidate_lines.html")
def candidate_lines_panel(request, candidate):
    if not request.user.has_perm("claims.view_claims", candidate.centre):
        return None
    return {"lines": candidate_claim_lines(candidate), "centre": candidate.centre}
