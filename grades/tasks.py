"""Celery tasks for the grades: thin wrappers over the services, taking primary keys."""

from celery import shared_task

from .services import reminders, submission


@shared_task
def store_receipt(submission_id: int):
    submission.store_receipt(submission_id=submission_id)


@shared_task
def send_closing_reminders():
    """Beat, hourly: remind heads of centre with grades not submitted, 7, 3 and 1 days before
    submission closes (each once)."""
    return reminders.send_closing_reminders()
