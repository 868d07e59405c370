from datetime import UTC, date, datetime

from django.template import engines


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
