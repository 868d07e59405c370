from datetime import UTC, date, datetime

from django.template import engines
from django.utils import dateformat, timezone


def render(source, **context):
    return engines["django"].from_string(source).render(context)


def test_a_date_reads_day_month_year():
    assert render("{{ d|when }}", d=date(2021, 6, 18)) == "18 June 2021"


def test_a_datetime_reads_in_uk_time():
    # 13:05 UTC in June is 14:05 in London (BST).
    at = datetime(2021, 6, 18, 13, 5, tzinfo=UTC)
    assert render("{{ t|when }}", t=at) == "18 June 2021, 14:05"
    assert render("{{ t|day }}", t=at) == "18 June 2021"


def test_the_uk_date_is_used_near_midnight():
    at = datetime(2021, 6, 18, 23, 30, tzinfo=UTC)
    assert render("{{ t|day }}", t=at) == "19 June 2021"


def test_nothing_is_blank():
    assert render("{{ x|when }}|{{ x|day }}", x=None) == "|"


def test_iso_is_the_machine_readable_form_in_uk_time():
    at = datetime(2021, 6, 18, 13, 5, tzinfo=UTC)
    assert render("{{ t|iso }}", t=at) == render("{{ t|date:'c' }}", t=at)
    assert render("{{ t|iso }}", t=at) == "2021-06-18T14:05:00+01:00"
    assert render("{{ d|iso }}|{{ x|iso }}", d=date(2021, 6, 18), x=None) == "2021-06-18|"


def test_every_month_reads_as_django_formats_it():
    for month in range(1, 13):
        at = datetime(2021, month, 3, 7, 9, tzinfo=UTC)
        expected = dateformat.format(timezone.localtime(at), "j F Y, H:i")
        assert render("{{ t|when }}", t=at) == expected
