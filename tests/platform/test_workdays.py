"""The working-day calendar: England-and-Wales bank holidays, closure days, business dates.

The expected holidays are written out by hand from the published England-and-Wales lists, so
a wrong ``holidays`` call (no ``subdiv``, the wrong country) or a package regression fails here.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocradmin.models import ClosureDay
from ocradmin.workdays import (
    add_working_days,
    business_date,
    is_working_day,
    working_days_between,
    working_days_since,
)

pytestmark = pytest.mark.django_db

# Every England-and-Wales bank holiday that falls on a weekday, 2019–2027.
BANK_HOLIDAYS = {
    2019: ["01-01", "04-19", "04-22", "05-06", "05-27", "08-26", "12-25", "12-26"],
    # Early May moved to Friday 8 May for VE day; Boxing Day (a Saturday) substituted Monday 28.
    2020: ["01-01", "04-10", "04-13", "05-08", "05-25", "08-31", "12-25", "12-28"],
    # Christmas and Boxing Day on the weekend: substitutes Monday 27 and Tuesday 28.
    2021: ["01-01", "04-02", "04-05", "05-03", "05-31", "08-30", "12-27", "12-28"],
    # New Year substitute 3 Jan; spring holiday moved to Thursday 2 June, jubilee Friday 3 June;
    # the Queen's state funeral 19 Sept; Christmas (a Sunday) substituted Tuesday 27.
    2022: [
        "01-03",
        "04-15",
        "04-18",
        "05-02",
        "06-02",
        "06-03",
        "08-29",
        "09-19",
        "12-26",
        "12-27",
    ],
    # New Year substitute 2 Jan; the coronation Monday 8 May.
    2023: ["01-02", "04-07", "04-10", "05-01", "05-08", "05-29", "08-28", "12-25", "12-26"],
    2024: ["01-01", "03-29", "04-01", "05-06", "05-27", "08-26", "12-25", "12-26"],
    2025: ["01-01", "04-18", "04-21", "05-05", "05-26", "08-25", "12-25", "12-26"],
    2026: ["01-01", "04-03", "04-06", "05-04", "05-25", "08-31", "12-25", "12-28"],
    2027: ["01-01", "03-26", "03-29", "05-03", "05-31", "08-30", "12-27", "12-28"],
}


def d(text: str) -> date:
    return date.fromisoformat(text)


def weekdays_of(year: int):
    day = date(year, 1, 1)
    while day.year == year:
        if day.weekday() < 5:
            yield day
        day += timedelta(days=1)


@pytest.mark.parametrize("year", sorted(BANK_HOLIDAYS))
def test_the_weekdays_that_are_not_working_days_are_exactly_the_bank_holidays(year):
    expected = {date.fromisoformat(f"{year}-{md}") for md in BANK_HOLIDAYS[year]}
    closed = {day for day in weekdays_of(year) if not is_working_day(day)}
    assert closed == expected


@pytest.mark.parametrize(
    "day",
    [
        # Days that are bank holidays in other years or other nations, but working days here.
        "2020-05-04",  # the first Monday in May 2020: moved to Friday 8 May
        "2022-05-30",  # the last Monday in May 2022: moved to 2 June
        "2021-08-02",  # Scotland's summer holiday, not England's
        "2023-01-03",  # Scotland's 2 January (substitute), not England's
        "2024-03-18",  # St Patrick's Day substitute in Northern Ireland
        "2022-12-28",  # after the 2022 Christmas substitutes
    ],
)
def test_holidays_of_other_years_and_nations_are_working_days(day):
    assert is_working_day(d(day))


def test_weekends_are_not_working_days():
    assert not is_working_day(d("2024-06-08"))  # Saturday
    assert not is_working_day(d("2024-06-09"))  # Sunday
    assert is_working_day(d("2024-06-10"))  # Monday


def test_a_closure_day_is_not_a_working_day():
    assert is_working_day(d("2024-12-24"))
    ClosureDay.objects.create(day=d("2024-12-24"), reason="Christmas Eve closure")
    assert not is_working_day(d("2024-12-24"))


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2024-06-10", 0, "2024-06-10"),  # Monday + 0: the day itself
        ("2024-06-10", 1, "2024-06-11"),  # the start day is not counted
        ("2024-06-14", 1, "2024-06-17"),  # Friday + 1 = Monday
        ("2024-06-15", 0, "2024-06-17"),  # Saturday + 0 = the next working day
        ("2024-06-15", 1, "2024-06-18"),  # Saturday + 1 = Tuesday (counted from Monday)
        ("2024-06-16", 1, "2024-06-18"),  # Sunday + 1 = Tuesday
        ("2024-06-10", 5, "2024-06-17"),  # a working week
        # Easter 2024: Thursday 28 March + 1 skips Good Friday and Easter Monday.
        ("2024-03-28", 1, "2024-04-02"),
        # Good Friday itself counts from Tuesday after Easter Monday.
        ("2024-03-29", 1, "2024-04-03"),
        # 2022's moved spring holiday and jubilee: Wednesday 1 June + 1 = Monday 6 June.
        ("2022-06-01", 1, "2022-06-06"),
        # 2020's VE day: Thursday 7 May + 1 = Monday 11 May; Monday 4 May was a working day.
        ("2020-05-07", 1, "2020-05-11"),
        ("2020-05-01", 1, "2020-05-04"),
        # Christmas 2021: Friday 24 Dec + 1 skips the substitutes 27 and 28 Dec.
        ("2021-12-24", 1, "2021-12-29"),
        # Into the New Year substitutes: Friday 30 Dec 2022 + 1 skips Monday 2 Jan 2023.
        ("2022-12-30", 1, "2023-01-03"),
        ("2021-12-31", 1, "2022-01-04"),
        # The state funeral and the coronation.
        ("2022-09-16", 1, "2022-09-20"),
        ("2023-05-05", 1, "2023-05-09"),
        # The results clock: 21 working days from Monday 3 June 2024 (no holidays in between).
        ("2024-06-03", 21, "2024-07-02"),
        # Across Christmas 2026 (Boxing Day substitute 28 Dec) and New Year 2027.
        ("2026-12-21", 5, "2026-12-30"),
        ("2026-12-21", 7, "2027-01-04"),
    ],
)
def test_add_working_days(start, n, expected):
    assert add_working_days(d(start), n) == d(expected)


def test_add_working_days_skips_closure_days():
    ClosureDay.objects.create(day=d("2024-06-11"), reason="Staff training")
    assert add_working_days(d("2024-06-10"), 1) == d("2024-06-12")
    # A closure day as the start behaves like a weekend day.
    assert add_working_days(d("2024-06-11"), 1) == d("2024-06-13")


def test_add_working_days_refuses_a_negative_count():
    with pytest.raises(ValueError):
        add_working_days(d("2024-06-10"), -1)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2024-06-10", "2024-06-10", 0),
        ("2024-06-10", "2024-06-11", 1),
        ("2024-06-14", "2024-06-17", 1),  # Friday to Monday
        ("2024-06-15", "2024-06-17", 0),  # Saturday counts from Monday
        ("2024-06-15", "2024-06-18", 1),
        ("2024-06-10", "2024-06-16", 4),  # to Sunday: Tue–Fri
        ("2024-03-28", "2024-04-02", 1),  # over Easter
        ("2022-05-31", "2022-06-06", 2),  # Wed 1 June and Mon 6 June
        ("2024-06-12", "2024-06-10", -2),  # earlier end: overdue shows negative
    ],
)
def test_working_days_between(start, end, expected):
    assert working_days_between(d(start), d(end)) == expected


def test_a_computation_across_years_costs_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        add_working_days(d("2024-12-20"), 10)


def test_business_date_is_the_london_date():
    # 23:30 UTC on a summer evening is 00:30 the next day in London (BST).
    assert business_date(datetime(2024, 6, 10, 23, 30, tzinfo=UTC)) == d("2024-06-11")
    assert business_date(datetime(2024, 6, 10, 22, 59, tzinfo=UTC)) == d("2024-06-10")
    # In winter London is on UTC.
    assert business_date(datetime(2024, 12, 10, 23, 30, tzinfo=UTC)) == d("2024-12-10")
    # The clocks go forward at 01:00 UTC on 31 March 2024.
    assert business_date(datetime(2024, 3, 30, 23, 30, tzinfo=UTC)) == d("2024-03-30")
    assert business_date(datetime(2024, 3, 31, 23, 30, tzinfo=UTC)) == d("2024-04-01")


def test_business_date_refuses_a_naive_datetime():
    with pytest.raises(ValueError):
        business_date(datetime(2024, 6, 10, 12, 0))


def test_working_days_since_counts_to_today_in_london():
    # Submitted Friday 24 May 2024 at 17:00 BST; Monday 27 May is the spring bank holiday.
    submitted = datetime(2024, 5, 24, 16, 0, tzinfo=UTC)
    with time_machine.travel(datetime(2024, 5, 27, 9, 0, tzinfo=UTC), tick=False):
        assert working_days_since(submitted) == 0
    with time_machine.travel(datetime(2024, 5, 28, 8, 0, tzinfo=UTC), tick=False):
        assert working_days_since(submitted) == 1
    # 23:30 UTC on Tuesday is already Wednesday in London.
    with time_machine.travel(datetime(2024, 5, 28, 23, 30, tzinfo=UTC), tick=False):
        assert working_days_since(submitted) == 2


def test_working_days_since_an_event_late_on_a_friday_evening():
    # 23:30 UTC on Friday 24 May is 00:30 on Saturday in London: it counts from Tuesday 28 May.
    late = datetime(2024, 5, 24, 23, 30, tzinfo=UTC)
    with time_machine.travel(datetime(2024, 5, 28, 12, 0, tzinfo=UTC), tick=False):
        assert working_days_since(late) == 0
    with time_machine.travel(datetime(2024, 5, 29, 12, 0, tzinfo=UTC), tick=False):
        assert working_days_since(late) == 1


@pytest.fixture
def closure_days(db):
    ClosureDay.objects.create(day=d("2024-12-24"), reason="Christmas Eve")
    ClosureDay.objects.create(day=d("2025-12-24"), reason="Christmas Eve")
    ClosureDay.objects.create(day=d("2023-07-14"), reason="Office move")


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    start=st.dates(min_value=date(2019, 1, 1), max_value=date(2027, 9, 30)),
    n=st.integers(min_value=0, max_value=60),
)
def test_between_undoes_add(closure_days, start, n):
    end = add_working_days(start, n)
    assert is_working_day(end)
    assert end > start or (n == 0 and end >= start)
    assert working_days_between(start, end) == n
    if is_working_day(start):
        assert working_days_between(end, start) == -n


def test_closure_days_are_read_once_and_a_change_is_seen_at_once(django_assert_num_queries):
    add_working_days(d("2024-12-20"), 3)
    with django_assert_num_queries(0):
        assert add_working_days(d("2024-12-20"), 3) == d("2024-12-27")
        assert working_days_between(d("2024-12-20"), d("2025-01-02")) == 6
    day = ClosureDay.objects.create(day=d("2024-12-24"), reason="Christmas Eve closure")
    assert add_working_days(d("2024-12-20"), 3) == d("2024-12-30")
    day.delete()
    assert add_working_days(d("2024-12-20"), 3) == d("2024-12-27")
