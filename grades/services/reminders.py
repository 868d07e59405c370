"""Reminders to heads of centre whose grades are not submitted, before submission closes: the
grade window's deadline clock (``ocradmin.clocks``)."""

from datetime import timedelta

from django.db.models import DateTimeField, Exists, OuterRef, Value
from django.urls import reverse
from django.utils import timezone

from centres.models import Centre, Role
from centres.selectors import people_by_centre
from entries.models import Entry
from ocradmin.clocks import Clock
from ocradmin.notifications import Delivery, notify_each

from ..models import CentreSubmission
from ..selectors import current_series

REMINDERS = (timedelta(days=7), timedelta(days=3), timedelta(days=1))


def grade_window_clock(series) -> Clock:
    """The centres with grades still waiting (live named entries for a TAG qualification, not
    submitted), each with the series' close as its deadline."""

    def waiting_centres():
        return Centre.objects.filter(
            Exists(
                Entry.objects.filter(
                    centre=OuterRef("pk"),
                    kind=Entry.Kind.NAMED,
                    status__in=Entry.LIVE,
                    qualification__available_for_tags=True,
                )
            ),
            ~Exists(CentreSubmission.objects.filter(series=series, centre=OuterRef("pk"))),
        ).annotate(
            closes_at=Value(series.submission_closes_at, output_field=DateTimeField()),
        )

    return Clock(
        key=f"grades.closing.{series.code}",
        rows=waiting_centres,
        deadline="closes_at",
        amber=max(REMINDERS),
        reminders=REMINDERS,
    )


def send_closing_reminders(now=None) -> int:
    """Remind the heads of every centre with grades waiting, 7, 3 and 1 days before submission
    closes, once each; how many centres were reminded. A few queries whatever the number of
    centres."""
    now = now or timezone.now()
    series = current_series()
    if series is None or not series.submission_opens_at <= now < series.submission_closes_at:
        return 0
    closes = timezone.localtime(series.submission_closes_at)

    def tell(centres, before: timedelta):
        heads = people_by_centre(centres.values("pk"), Role.HEAD_OF_CENTRE)
        numbers = dict(centres.values_list("pk", "number"))
        notify_each(
            notice="grades/closing_reminder",
            deliveries=[
                Delivery(
                    head,
                    {"series": series, "days": before.days, "number": number, "closes": closes},
                    reverse("grades:review", args=[number]),
                )
                for centre_id, number in numbers.items()
                for head in heads.get(centre_id, [])
            ],
        )

    return grade_window_clock(series).send_reminders(tell=tell, now=now)
