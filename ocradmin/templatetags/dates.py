"""One way to write a date or a time everywhere: ``{{ value|when }}``.

A date reads "18 June 2021"; a datetime reads "18 June 2021, 14:05" in UK time (the site's
``TIME_ZONE``), with its date part alone through ``{{ value|day }}``.
"""

from datetime import date, datetime

from django import template
from django.utils import timezone
from django.utils.dateformat import format as format_date

register = template.Library()

DAY = "j F Y"
DAY_AND_TIME = "j F Y, H:i"


def _local(value):
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


@register.filter
def when(value):
    if not isinstance(value, date):
        return ""
    value = _local(value)
    return format_date(value, DAY_AND_TIME if isinstance(value, datetime) else DAY)


@register.filter
def day(value):
    if not isinstance(value, date):
        return ""
    return format_date(_local(value), DAY)
