"""One way to write a date or a time everywhere: ``{{ value|when }}``.

A date reads "18 June 2021"; a datetime reads "18 June 2021, 14:05" in UK time (the site's
``TIME_ZONE``), with its date part alone through ``{{ value|day }}``. ``{{ value|iso }}`` is
the machine-readable form for a ``<time datetime="…">`` attribute (what ``|date:'c'`` gives).

Written out directly rather than through ``django.utils.dateformat``: a list page formats a
few hundred dates, and the general formatter costs several times as much per date.
"""

from datetime import date, datetime

from django import template
from django.utils import timezone
from django.utils.dates import MONTHS

register = template.Library()


def _local(value):
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def _day(value: date) -> str:
    return f"{value.day} {MONTHS[value.month]} {value.year}"


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
