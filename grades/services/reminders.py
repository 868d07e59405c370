"""Reminders to heads of centre whose grades are not submitted, before submission closes: the
grade window's deadline clock (``ocradmin.clocks``)."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import DateTimeField, Exists, OuterRef, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from centres.models import Centre, Role
from centres.selectors import centre_people, people_by_centre
from entries.models import Entry
from ocradmin import audit
from ocradmin.clocks import Clock
from ocradmin.notifications import Delivery, notify_each, notify_many

from ..models import CentreSubmission, HeadReminder
from ..selectors import current_series
from . import GradeError, require_window

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


def remind_head_of_centre(*, series, centre, by) -> HeadReminder:
    """Staff remind a centre's head of centre, by email and in the app, that its grades are not
    submitted: at most once a day (UK time) per centre, whoever asks; refused once the centre
    has submitted, when it has no graded qualification entered, or has no head of centre yet.
    Takes the Centre row lock (as the submission does), so a reminder never crosses a
    submission."""
    require_window(series, "submission")
    now = timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        centre = Centre.objects.select_for_update().get(pk=centre.pk)
        if CentreSubmission.objects.filter(series=series, centre=centre).exists():
            raise GradeError(f"Centre {centre.number} has already submitted its grades.")
        if not grade_window_clock(series).rows().filter(pk=centre.pk).exists():
            raise GradeError(
                f"Centre {centre.number} has no candidates entered for a graded qualification."
            )
        earlier = (
            HeadReminder.objects.filter(series=series, centre=centre, sent_on=today)
            .select_related("sent_by")
            .first()
        )
        if earlier is not None:
            raise GradeError(
                f"The head of centre of {centre.number} {centre.name} was already reminded "
                "today, at "
                f"{date_format(timezone.localtime(earlier.sent_at), 'H:i')}"
                f"{f' by {earlier.sent_by.email}' if earlier.sent_by else ''}. "
                "A centre is reminded at most once a day: you can send another tomorrow."
            )
        heads = list(centre_people(centre, Role.HEAD_OF_CENTRE))
        if not heads:
            raise GradeError(
                f"Centre {centre.number} has no head of centre who has accepted the role, so "
                "there is nobody to remind. Ask the centre to name one."
            )
        try:
            with transaction.atomic():
                reminder = HeadReminder.objects.create(
                    series=series, centre=centre, sent_on=today, sent_at=now, sent_by=by
                )
        except IntegrityError as error:  # the unique day: another request got there first
            raise GradeError(
                f"The head of centre of {centre.number} was already reminded today. "
                "A centre is reminded at most once a day: you can send another tomorrow."
            ) from error
        audit.record(
            actor=by,
            action="grades.head_reminded",
            centre=centre,
            target=reminder,
            data={"series": series.code, "to": [head.email for head in heads]},
        )
        notify_many(
            users=heads,
            notice="grades/head_reminder",
            context={
                "series": series,
                "number": centre.number,
                "closes": timezone.localtime(series.submission_closes_at),
            },
            url=reverse("grades:review", args=[centre.number]),
        )
    return reminder
