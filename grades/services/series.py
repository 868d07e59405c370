"""The series itself: moving its windows so a demo can be tried today."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from ocradmin import audit

from ..models import GradeSeries
from ..selectors import current_series
from . import WindowClosed, window

WINDOW_FIELDS = [
    "users_open_at",
    "materials_open_at",
    "head_details_open_at",
    "submission_opens_at",
    "submission_closes_at",
]


def shift_into_submission_window(*, series, opened_days_ago: int = 7, by=None) -> GradeSeries:
    """Move every window by the same amount so that submission opened ``opened_days_ago``
    days ago. The gaps between the windows stay as they are (three weeks and a bit for
    submission in 2021)."""
    with transaction.atomic():
        series = GradeSeries.objects.select_for_update().get(pk=series.pk)
        delta = timezone.now() - timedelta(days=opened_days_ago) - series.submission_opens_at
        before = {f: getattr(series, f).isoformat() for f in WINDOW_FIELDS}
        for field in WINDOW_FIELDS:
            setattr(series, field, getattr(series, field) + delta)
        series.save(update_fields=WINDOW_FIELDS)
        audit.record(
            actor=by,
            action="grade_series.shifted",
            target=series,
            data={"before": before, "days": round(delta.total_seconds() / 86400, 2)},
        )
    return series


def head_details_gate(centre) -> str | None:
    """While a series runs, the head of centre's details open on their own date (30 April in
    2021); before the series starts and after it closes the series has no say. Registered on
    ``centres.hooks.head_details_gates``."""
    series = current_series()
    if series is None:
        return None
    now = timezone.now()
    head_window = window(series, "head_details")
    if series.users_open_at <= now < head_window.opens_at:
        return str(WindowClosed(head_window, now))
    return None
