from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from . import imports
from .models import Heartbeat, Notification


@shared_task
def heartbeat():
    """Records that beat scheduled and a worker ran a task; the staff board shows its age."""
    Heartbeat.objects.update_or_create(name="beat", defaults={"last_run_at": timezone.now()})


@shared_task
def send_notification_email(notification_id: int):
    # The guarded update claims the row, so a redelivered message never sends twice.
    claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return
    notification = Notification.objects.select_related("user").get(pk=notification_id)
    body = notification.body
    if notification.url:
        body = f"{body}\n\n{settings.SITE_URL}{notification.url}".strip()
    send_mail(
        subject=f"[ocradmin] {notification.subject}",
        message=body,
        from_email=None,
        recipient_list=[notification.user.email],
    )


@shared_task
def send_plain_email(*, to: list[str], subject: str, body: str):
    """For addresses that are not (yet) users, e.g. staff mailboxes and applicants."""
    send_mail(subject=f"[ocradmin] {subject}", message=body, from_email=None, recipient_list=to)


@shared_task
def check_import(key: str, upload_id: int):
    """Queued by ``start_import``: read and check every row of an uploaded file."""
    return imports.check_import(imports.IMPORTERS[key], upload_id)


@shared_task
def run_import(key: str, upload_id: int, by_id: int | None = None):
    """Queued by ``confirm_import``: write the upload's rows, all or none."""
    return imports.run_import(imports.IMPORTERS[key], upload_id, by_id)


@shared_task
def fail_interrupted_imports():
    """Beat: uploads whose worker died are marked failed, so the centre can upload again."""
    return imports.fail_interrupted_imports()
