import logging
from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.core.mail import BadHeaderError, send_mail
from django.db import transaction
from django.utils import timezone

from .models import Heartbeat, Notification

logger = logging.getLogger(__name__)

# A mail server that is down or refuses for a while: retried with a growing wait (30 s, 1 min,
# 2 min … up to an hour), then given up and logged; the notification stays unsent.
EMAIL_RETRY = {
    "autoretry_for": (SMTPException, OSError),
    "retry_backoff": 30,
    "retry_backoff_max": 60 * 60,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task
def heartbeat():
    """Records that beat scheduled and a worker ran a task; the staff board shows its age."""
    Heartbeat.objects.update_or_create(name="beat", defaults={"last_run_at": timezone.now()})


@shared_task(**EMAIL_RETRY)
def send_notification_email(notification_id: int):
    # The row stays locked while the mail goes, and ``emailed_at`` is set only once the mail
    # server took it: a redelivered message waits, then finds it sent; a failure leaves it unsent
    # for the retry.
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(pk=notification_id, emailed_at__isnull=True)
            .first()
        )
        if notification is None:
            return
        body = notification.body
        if notification.url:
            body = f"{body}\n\n{settings.SITE_URL}{notification.url}".strip()
        try:
            send_mail(
                subject=f"[ocradmin] {notification.subject}",
                message=body,
                from_email=None,
                recipient_list=[notification.user.email],
            )
        except BadHeaderError:
            # Sending again cannot help; the notice stays unsent (and in the app) and is logged.
            logger.error("Notification %s not emailed: bad header", notification_id)
            return
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])


@shared_task(**EMAIL_RETRY)
def send_plain_email(*, to: list[str], subject: str, body: str):
    """For addresses that are not (yet) users, e.g. staff mailboxes and applicants."""
    try:
        send_mail(subject=f"[ocradmin] {subject}", message=body, from_email=None, recipient_list=to)
    except BadHeaderError:
        logger.error("Email %r to %s not sent: bad header", subject, to)
