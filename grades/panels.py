"""Centre tabs, dashboard panels and staff board sections of the grades app."""

from django.utils import timezone

from centres.models import Membership
from centres.navigation import register_section
from ocradmin.pages import dashboard, staff_board

from .selectors import current_series, series_progress_summary
from .services import WINDOW_LABELS, window

register_section(
    key="grades", label="Grades", url_name="grades:index", permission="grades.view_grades"
)
register_section(
    key="grade_teachers",
    label="Grade teachers",
    url_name="grades:assignments",
    permission="grades.manage_assignments",
)
register_section(
    key="materials",
    label="Materials",
    url_name="grades:materials",
    permission="grades.view_materials",
)


@dashboard.register("grade_windows", "grades/panels/windows.html")
def grade_windows_panel(request):
    """The 2021 series' windows with the time left, for anyone with a centre role."""
    series = current_series()
    if series is None or not Membership.objects.filter(user=request.user).exists():
        return None
    now = timezone.now()
    windows = []
    for key in WINDOW_LABELS:
        current = window(series, key)
        state = "open" if current.is_open(now) else ("soon" if now < current.opens_at else "closed")
        windows.append({"window": current, "state": state})
    return {"series": series, "windows": windows, "closes_at": series.submission_closes_at}


@staff_board.register("grades_progress", "grades/panels/staff_progress.html")
def grades_progress_panel(request):
    series = current_series()
    return {"series": series, **series_progress_summary(series)} if series else None
