"""Reminders to heads of centre whose grades are not submitted, before submission closes."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from centres.models import Membership, Role
from entries.models import Entry
from ocradmin.notifications import notify_many

from ..models import CentreSubmission, WindowReminder
from ..selectors import current_series

REMINDER_DAYS = (7, 3, 1)


def due_reminder(series, now) -> int | None:
    """The reminder due now: the nearest of 7, 3 and 1 days before the close that has passed.
    After an outage only the nearest is sent, not a burst of all the missed ones."""
    if now >= series.submission_closes_at or now < series.submission_opens_at:
        return None
    passed = [d for d in REMINDER_DAYS if now >= series.submission_closes_at - timedelta(days=d)]
    return min(passed) if passed else None


def send_closing_reminders() -> int:
    series = current_series()
    now = timezone.now()
    days = due_reminder(series, now) if series else None
    if days is None:
        return 0
    waiting = (
        Entry.objects.filter(
            kind=Entry.Kind.NAMED,
            status__in=Entry.LIVE,
            qualification__available_for_tags=True,
        )
        .exclude(centre_id__in=CentreSubmission.objects.filter(series=series).values("centre_id"))
        .exclude(
            centre_id__in=WindowReminder.objects.filter(series=series, days_before=days).values(
                "centre_id"
            )
        )
        .order_by()
        .values_list("centre_id", flat=True)
        .distinct()
    )
    sent = 0
    closes = timezone.localtime(series.submission_closes_at)
    for centre_id in list(waiting):
        try:
            with transaction.atomic():
                # The unique row is the claim: a second worker or a rerun sends nothing.
                reminder = WindowReminder.objects.create(
                    series=series, centre_id=centre_id, days_before=days
                )
                heads = [
                    m.user
                    for m in Membership.objects.filter(
                        centre_id=centre_id, role=Role.HEAD_OF_CENTRE
                    ).select_related("user", "centre")
                ]
                number = reminder.centre.number
                notify_many(
                    users=heads,
                    subject=f"{series} grades close in {days} day{'s' if days != 1 else ''}",
                    body=f"Centre {number} has not submitted its grades. Submission closes "
                    f"{closes:%d %B %Y at %H:%M}; nothing can be changed after that.",
                    url=reverse("grades:review", args=[number]),
                )
        except IntegrityError:
            continue
        sent += 1
    return sent
