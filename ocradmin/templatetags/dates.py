"""One way to write a date or a time everywhere: ``{{ value|when }}``.

A date reads "18 June 2021"; a datetime reads "18 June 2021, 14:05" in UK time (the site's
``TIME_ZONE``), with its date part alone through ``{{ value|day }}``. ``{{ value|iso }}`` is
the machine-readable form for a ``<time datetime="…">`` attribute (what ``|date:'c'`` gives).

Written out directly rather than through ``django.utils.dateformat``: a list page formats a
few hundred dates, and the general formatter costs several times as much per date. A view that
writes its rows itself writes a moment as ``time_element(value)`` (or, for a page of them,
``Times().element``): the element the templates write, ``<time datetime="{{ v|iso }}">{{ v|when
}}</time>``.
"""

from datetime import date, datetime
from functools import lru_cache

from django import template
from django.utils import timezone, translation
from django.utils.dates import MONTHS

register = template.Library()


def _local(value):
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


@lru_cache(maxsize=8)
def _month_names(language: str) -> dict[int, str]:
    """The months' names in ``language``, translated once rather than for every date."""
    return {number: str(name) for number, name in MONTHS.items()}


def _day(value: date) -> str:
    return f"{value.day} {_month_names(translation.get_language())[value.month]} {value.year}"


@register.filter
def when(value):
    if not isinstance(value, date):
        return ""
    value = _local(value)
    if isinstance(value, datetime):
        return f"{_day(value)}, {value.hour:02d}:{value.minute:02d}"
    return _day(value)


@register.filter
def day(value):
    if not isinstance(value, date):
        return ""
    return _day(_local(value))


@register.filter
def iso(value):
    if not isinstance(value, date):
        return ""
    return _local(value).isoformat()


class Times:
    """Writes a page's ``<time>`` elements, as the templates write them: ``<time
    datetime="{{ v|iso }}">{{ v|when }}</time>`` (``|day`` without the time). The time zone and
    the month names are looked up once, for the page (each lookup costs about as much as the
    rest of a date, and a list writes hundreds)."""

    def __init__(self):
        self.zone = timezone.get_current_timezone()
        self.months = _month_names(translation.get_language())

    def element(self, value, *, with_time: bool = True) -> str:
        """ "" for no value."""
        if not isinstance(value, date):
            return ""
        if isinstance(value, datetime) and timezone.is_aware(value):
            value = value.astimezone(self.zone)
        text = f"{value.day} {self.months[value.month]} {value.year}"
        if with_time and isinstance(value, datetime):
            text += f", {value.hour:02d}:{value.minute:02d}"
        return f'<time datetime="{value.isoformat()}">{text}</time>'


def time_element(value, *, with_time: bool = True) -> str:
    """One ``<time>`` element (``Times``), for a row that writes a date or two."""
    return Times().element(value, with_time=with_time)
