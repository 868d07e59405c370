"""Tell a person something: an in-app notification, and an email sent by a task on commit.

Every notice's text lives in ``templates/<app>/notices/<name>.txt``: the first line is the
subject, the rest the body, both rendered with the notice's context (no HTML escaping;
``site_url`` is always there). A notice is named ``"<app>/<name>"``, e.g.
``notify(user=…, notice="grades/closing_reminder", context={…})``. Recipients at a centre
come from ``centres.selectors.centre_people``.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.db.models import Count, Window
from django.template import Context, Template, engines
from django.template.loader import get_template
from django.utils import timezone

from .models import Notification

SUBJECT_MAX = Notification._meta.get_field("subject").max_length


@cache
def _compiled(notice: str) -> tuple[Template, Template]:
    app, _, name = notice.partition("/")
    if not app or not name or "/" in name:
        raise ValueError(f"A notice is named '<app>/<name>', not {notice!r}.")
    source = get_template(f"{app}/notices/{name}.txt").template.source
    subject, _, body = source.partition("\n")
    engine = engines["django"].engine
    return Template(subject, engine=engine), Template(body.strip("\n"), engine=engine)


def render_notice(notice: str, context: dict | None = None) -> tuple[str, str]:
    """The notice's subject (one line, whatever the context holds) and body."""
    subject_template, body_template = _compiled(notice)
    context = Context({"site_url": settings.SITE_URL, **(context or {})}, autoescape=False)
    subject = " ".join(subject_template.render(context).split())[:SUBJECT_MAX]
    return subject, body_template.render(context).strip()


@dataclass
class Delivery:
    """One notice to one person: whom, with which context, linking where."""

    user: object
    context: dict = field(default_factory=dict)
    url: str = ""


def notify(
    *, user, notice: str, context: dict | None = None, url: str = "", email: bool = True
) -> Notification:
    subject, body = render_notice(notice, context)
    notification = Notification.objects.create(user=user, subject=subject, body=body, url=url)
    if email:
        _email_on_commit([notification.pk])
    return notification


def notify_many(*, users: Iterable, notice: str, context: dict | None = None, url: str = ""):
    """The same notice to each person once (a person listed twice is told once)."""
    people = {u.pk: u for u in users}.values()
    return notify_each(
        notice=notice, deliveries=[Delivery(user, context or {}, url) for user in people]
    )


def notify_each(*, notice: str, deliveries: Iterable[Delivery]) -> list[Notification]:
    """One notice, a context per person, in one insert whatever the number of people."""
    rows = []
    for delivery in deliveries:
        subject, body = render_notice(notice, delivery.context)
        rows.append(Notification(user=delivery.user, subject=subject, body=body, url=delivery.url))
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    _email_on_commit([n.pk for n in created])
    return created


def email_notice(*, to: list[str], notice: str, context: dict | None = None) -> None:
    """A notice emailed to addresses that are not (yet) users: the staff mailbox, applicants,
    invited people. Sent by a task when the transaction commits."""
    from .tasks import send_plain_email

    subject, body = render_notice(notice, context)
    send_plain_email.delay_on_commit(to=list(to), subject=subject, body=body)


def _email_on_commit(notification_ids: list[int]) -> None:
    from .tasks import send_notification_email

    for pk in notification_ids:
        send_notification_email.delay_on_commit(pk)


def unread_count(user) -> int:
    return _unread(user).count()


def first_unread(user, n: int) -> tuple[list[Notification], int]:
    """``user``'s first ``n`` unread notifications and how many are unread in all, in one
    query (the count rides on each row as a window over all of them)."""
    rows = list(_unread(user).annotate(unread_total=Window(Count("pk")))[:n])
    return rows, rows[0].unread_total if rows else 0


def _unread(user):
    return Notification.objects.filter(user=user, read_at__isnull=True)


def mark_all_read(user) -> int:
    """Mark every unread notification of ``user`` read; how many were."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
