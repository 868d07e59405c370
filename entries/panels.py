"""Centre tabs, dashboard panels and staff board sections of the entries app."""

from django.utils import timezone

from centres.navigation import register_section
from ocradmin.pages import dashboard, staff_board
from ocradmin.workdays import working_days_since

from .selectors import (
    correction_summary,
    entries_awaiting_processing,
    entry_clock,
    referral_summary,
)

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
register_section(
    key="entries", label="Entries", url_name="entries:list", permission="entries.view_entries"
)


@dashboard.register("entries_awaiting_processing", "entries/panels/awaiting_processing.html")
def awaiting_processing_panel(request):
    centres = entries_awaiting_processing(request.user)
    return {"centres": centres, "now": timezone.now()} if centres else None


@staff_board.register("entry_clock", "entries/panels/staff_entry_clock.html")
def entry_clock_panel(request):
    return {"clock": entry_clock()}


@staff_board.register("referred_arrangements", "entries/panels/referred_arrangements.html")
def referred_arrangements_panel(request):
    summary = referral_summary()
    oldest = summary["oldest"]
    return {
        "count": summary["count"],
        "oldest_age": working_days_since(oldest) if oldest else None,
    }


@staff_board.register("candidate_corrections", "entries/panels/candidate_corrections.html")
def candidate_corrections_panel(request):
    summary = correction_summary()
    oldest = summary["oldest"]
    return {
        "count": summary["count"],
        "oldest_age": working_days_since(oldest) if oldest else None,
    }
