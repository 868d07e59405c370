"""Centre tabs, dashboard panels and staff board sections of the entries app."""

from centres.navigation import register_section
from ocradmin.pages import staff_board
from ocradmin.workdays import working_days_since

from .selectors import identity_changes_after_results, referral_summary

register_section(
    key="candidates",
    label="Candidates",
    url_name="entries:candidates",
    permission="entries.view_candidates",
)
register_section(
    key="arrangements",
    label="Access arrangements",
    url_name="entries:arrangements",
    permission="entries.view_arrangements",
)


@staff_board.register("referred_arrangements", "entries/panels/referred_arrangements.html")
def referred_arrangements_panel(request):
    summary = referral_summary()
    oldest = summary["oldest"]
    return {
        "count": summary["count"],
        "oldest_age": working_days_since(oldest) if oldest else None,
    }


@staff_board.register("identity_changes", "entries/panels/identity_changes.html")
def identity_changes_panel(request):
    events = list(identity_changes_after_results())
    return {"events": events} if events else None
