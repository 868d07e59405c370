"""The 2021 series' windows: each boundary to the second, the messages, the demo shift."""

from datetime import UTC, datetime, timedelta
from io import StringIO
from itertools import pairwise

import pytest
import time_machine
from django.core.management import call_command

from grades import demo
from grades.models import GradeSeries
from grades.services import WindowClosed, require_window, window
from grades.services.series import WINDOW_FIELDS
from ocradmin.models import AuditEvent

ONE_SECOND = timedelta(seconds=1)

# The 2021 dates as seeded (Europe/London; BST is UTC+1).
OPENINGS = {
    "users": datetime(2021, 3, 22, 0, 0, tzinfo=UTC),  # still GMT on 22 March
    "materials": datetime(2021, 3, 30, 23, 0, tzinfo=UTC),  # 31 March 00:00 BST
    "head_details": datetime(2021, 4, 29, 23, 0, tzinfo=UTC),
    "submission": datetime(2021, 5, 25, 23, 0, tzinfo=UTC),
}
CLOSES = datetime(2021, 6, 18, 23, 0, tzinfo=UTC)  # the end of 18 June, London


def test_the_seeded_series_has_the_2021_dates(series):
    assert series.code == "summer-2021"
    for key, opens in OPENINGS.items():
        assert window(series, key).opens_at == opens
    assert series.submission_closes_at == CLOSES


@pytest.mark.parametrize("key", list(OPENINGS))
def test_each_window_opens_to_the_second(series, key):
    opens = OPENINGS[key]
    with time_machine.travel(opens - ONE_SECOND, tick=False):
        with pytest.raises(WindowClosed) as refused:
            require_window(series, key)
        assert refused.value.not_yet
        assert "opens on" in str(refused.value)
    with time_machine.travel(opens, tick=False):
        require_window(series, key)


@pytest.mark.parametrize("key", ["users", "head_details", "submission"])
def test_every_changing_window_closes_with_submission(series, key):
    with time_machine.travel(CLOSES - ONE_SECOND, tick=False):
        require_window(series, key)
    with time_machine.travel(CLOSES, tick=False):
        with pytest.raises(WindowClosed) as refused:
            require_window(series, key)
        assert not refused.value.not_yet
        assert str(refused.value).endswith("closed on 19 June 2021, 00:00.")


def test_materials_stay_downloadable_after_the_close(series):
    with time_machine.travel(CLOSES + timedelta(days=400), tick=False):
        require_window(series, "materials")


def test_the_opens_on_message_names_the_london_date(series):
    with (
        time_machine.travel(datetime(2021, 5, 1, tzinfo=UTC), tick=False),
        pytest.raises(WindowClosed, match="Entering and submitting grades opens on 26 May 2021"),
    ):
        require_window(series, "submission")


def test_the_demo_shift_opens_submission_today_and_keeps_the_gaps(series):
    def gaps_of(row):
        return [getattr(row, b) - getattr(row, a) for a, b in pairwise(WINDOW_FIELDS)]

    gaps = gaps_of(series)
    with time_machine.travel(datetime(2026, 11, 23, 10, tzinfo=UTC), tick=False):
        call_command("open_grade_window", stdout=StringIO())
        shifted = GradeSeries.objects.get(pk=series.pk)
        assert window(shifted, "submission").is_open()
        assert shifted.submission_opens_at == datetime(2026, 11, 16, 10, tzinfo=UTC)
        assert gaps_of(shifted) == gaps
        assert AuditEvent.objects.filter(action="grade_series.shifted").count() == 1

        # The demo seed shifts only when the window is not already open.
        demo.seed(password="x", log=lambda message: None)
        assert GradeSeries.objects.get(pk=series.pk).submission_opens_at == (
            shifted.submission_opens_at
        )


HEAD_DETAILS_OPEN = datetime(2021, 4, 29, 23, 0, tzinfo=UTC)


def update_head(centre, by):
    from centres.services.people import update_head_of_centre

    return update_head_of_centre(
        centre=centre,
        name="Hana Head",
        job_title="Principal",
        email="head@northfield.example",
        by=by,
    )


def test_head_of_centre_details_open_on_30_april_while_the_series_runs(centre, people, series):
    from centres.models import HeadOfCentre
    from centres.services import CentreError

    with (
        time_machine.travel(HEAD_DETAILS_OPEN - ONE_SECOND, tick=False),
        pytest.raises(CentreError, match="head of centre's details opens on 30 April 2021"),
    ):
        update_head(centre, people["centre_admin"])
    assert not HeadOfCentre.objects.filter(centre=centre).exists()

    with time_machine.travel(HEAD_DETAILS_OPEN, tick=False):
        assert update_head(centre, people["centre_admin"]).job_title == "Principal"


@pytest.mark.parametrize("moment", [OPENINGS["users"] - ONE_SECOND, CLOSES + timedelta(days=30)])
def test_outside_the_series_the_head_details_are_not_gated(centre, people, series, moment):
    with time_machine.travel(moment, tick=False):
        update_head(centre, people["centre_admin"])
