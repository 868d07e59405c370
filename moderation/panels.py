"""The moderator's dashboard tasks, the staff board's moderation panels and the moderation
sections of the centre's claim page."""

# --- Staff board: the results clock and the moderators' load ---------------------------------
from ocradmin.pages import staff_board

from .services.clock import results_clock


@staff_board.register("moderation_results_clock", "moderation/panels/staff_results_clock.html")
def results_clock_panel(request):
    return {"clock": results_clock()}
