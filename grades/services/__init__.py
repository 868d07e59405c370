"""Every state change in the grades app, one module per area: ``assignments`` (teachers to
qualifications), ``materials`` (assessment materials), ``grading`` (entering and uploading
grades), ``approval`` (sending, returning, approving), ``submission`` (the declaration, the
submission and its receipt), ``reminders`` (before the window closes).

Every service checks its window here first, so a closed window refuses the change whatever
page it came from.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.utils import timezone
from django.utils.formats import date_format


class GradeError(Exception):
    """A refused grades action; the message is shown to the user as it is."""


class WindowClosed(GradeError):
    """The series' window for this action is not open (not yet, or no longer)."""

    def __init__(self, window: "Window", now: datetime):
        self.window = window
        self.not_yet = now < window.opens_at
        when = date_format(
            timezone.localtime(window.opens_at if self.not_yet else window.closes_at), "j F Y, H:i"
        )
        message = (
            f"{window.label} opens on {when}."
            if self.not_yet
            else f"{window.label} closed on {when}."
        )
        super().__init__(message)


@dataclass(frozen=True)
class Window:
    key: str
    label: str
    opens_at: datetime
    closes_at: datetime

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at


WINDOW_LABELS = {
    "users": ("users_open_at", "Managing teachers for the grades"),
    "materials": ("materials_open_at", "Downloading assessment materials"),
    "head_details": ("head_details_open_at", "Updating the head of centre's details"),
    "submission": ("submission_opens_at", "Entering and submitting grades"),
}


def window(series, key: str) -> Window:
    """Every window that changes something closes when submission closes; materials stay
    downloadable."""
    field, label = WINDOW_LABELS[key]
    closes_at = (
        datetime.max.replace(tzinfo=UTC) if key == "materials" else series.submission_closes_at
    )
    return Window(key, label, getattr(series, field), closes_at)


def require_window(series, key: str) -> None:
    now = timezone.now()
    current = window(series, key)
    if not current.is_open(now):
        raise WindowClosed(current, now)
