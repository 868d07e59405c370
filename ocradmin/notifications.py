"""Tell a person something: an in-app notification, and an email sent by a task on commit."""

from collections.abc import Iterable

from django.utils import timezone

from .models import Notification


def notify(
    *, user, subject: str, body: str = "", url: str = "", email: bool = True
) -> Notification:
    notification = Notification.objects.create(user=user, subject=subject, body=body, url=url)
    if email:
        from .tasks import send_notification_email

        send_notification_email.delay_on_commit(notification.pk)
    return notification


def notify_many(*, users: Iterable, subject: str, body: str = "", url: str = "") -> None:
    for user in {u.pk: u for u in users}.values():
        notify(user=user, subject=subject, body=body, url=url)


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_all_read(user) -> int:
    """Mark every unread notification of ``user`` read; how many were."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
