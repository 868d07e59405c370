"""The working-day calendar every deadline is computed with.

A working day is Monday to Friday, not an England-and-Wales bank holiday and not one of the
awarding body's closure days (``ClosureDay``). "N working days after day D" does not count D;
when D is not itself a working day the count starts from the next working day, so a Saturday
behaves like the Monday after it. Business dates are Europe/London dates.
"""

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


CLOSURE_DAYS_KEY = "workdays:closure-days"


def closure_days() -> frozenset[date]:
    """Every closure day, read once and kept in the cache (a page may work out several
    deadlines; the table holds a few days a year). Saving or deleting a ``ClosureDay`` empties
    the cache (``forget_closure_days``)."""
    from django.core.cache import cache

    from .models import ClosureDay

    return cache.get_or_set(
        CLOSURE_DAYS_KEY,
        lambda: frozenset(ClosureDay.objects.values_list("day", flat=True)),
        timeout=3600,
    )


def forget_closure_days(**kwargs) -> None:
    from django.core.cache import cache

    cache.delete(CLOSURE_DAYS_KEY)


class _Calendar:
    def __init__(self):
        self._closed = closure_days()

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in _bank_holidays(day.year) and day not in self._closed

    def start_of_count(self, day: date) -> date:
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day


def is_working_day(day: date) -> bool:
    return _Calendar().is_working_day(day)


def add_working_days(day: date, n: int) -> date:
    """The date N working days after ``day`` (N >= 0); day itself is not counted."""
    if n < 0:
        raise ValueError("add_working_days counts forwards; n must be 0 or more")
    calendar = _Calendar()
    current = calendar.start_of_count(day)
    remaining = n
    while remaining:
        current += timedelta(days=1)
        if calendar.is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """How many working days lie after ``start`` up to and including ``end``.

    ``working_days_between(d, add_working_days(d, n)) == n``; negative when ``end`` is earlier,
    which is how "3 working days overdue" is shown.
    """
    return _between(_Calendar(), start, end)


def _between(calendar: _Calendar, start: date, end: date) -> int:
    if end < start:
        return -_between(calendar, end, start)
    current = calendar.start_of_count(start)
    count = 0
    while current < end:
        current += timedelta(days=1)
        if calendar.is_working_day(current):
            count += 1
    return count


def business_date(moment: datetime) -> date:
    """The Europe/London date of an aware datetime: the day an event counts as happening on."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("business_date needs an aware datetime")
    return moment.astimezone(LONDON).date()


def working_days_since(moment: datetime) -> int:
    """How many working days old something is that happened at ``moment`` (queues show this)."""
    from django.utils import timezone

    return working_days_between(business_date(moment), business_date(timezone.now()))


def working_days_ages(moments) -> list[int | None]:
    """``working_days_since`` for each moment of a list (``None`` stays ``None``), on one shared
    calendar, however long the list."""
    from django.utils import timezone

    calendar = _Calendar()
    today = business_date(timezone.now())
    ages: dict[date, int] = {}
    result = []
    for moment in moments:
        if moment is None:
            result.append(None)
            continue
        day = business_date(moment)
        if day not in ages:
            ages[day] = _between(calendar, day, today)
        result.append(ages[day])
    return result


def working_days_left(days) -> list[int | None]:
    """For each deadline day of a list (``None`` stays ``None``), the working days from today
    until it (negative once passed), on one shared calendar."""
    from django.utils import timezone

    calendar = _Calendar()
    today = business_date(timezone.now())
    left: dict[date, int] = {}
    result = []
    for day in days:
        if day is None:
            result.append(None)
            continue
        if day not in left:
            left[day] = _between(calendar, today, day)
        result.append(left[day])
    return result
