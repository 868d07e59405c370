"""Celery tasks for the grades: thin wrappers over the services, taking primary keys."""

from celery import shared_task

from .services import reminders, submission


@shared_task(autoretry_for=(OSError,), retry_backoff=10, max_retries=5)
def store_receipt(submission_id: int):
    """Queued when the centre submits: render the PDF receipt once and keep it (a storage
    that is briefly unavailable is retried)."""
    submission.store_receipt(submission_id=submission_id)


@shared_task
def send_closing_reminders():
    """Beat, hourly: remind heads of centre with grades not submitted, 7, 3 and 1 days before
    submission closes (each once)."""
    return reminders.send_closing_reminders()
