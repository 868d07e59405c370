"""Demo data for the 2021 grades: the series moved so its submission window is open today."""

from .selectors import current_series
from .services import window
from .services.series import shift_into_submission_window


def seed(*, password: str, log) -> None:
    series = current_series()
    if series is not None and not window(series, "submission").is_open():
        shift_into_submission_window(series=series)
    log("grades: the current series' submission window is open today")
