"""Celery tasks for the grades: thin wrappers over the services, taking primary keys."""

from celery import shared_task

from . import selectors
from .services import exports, reminders, submission


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


@shared_task
def build_grade_export(export_id: int):
    """Queued when staff ask for the submitted grades: write the CSV file to storage."""
    exports.build_export(export_id=export_id)


@shared_task
def remove_old_grade_exports():
    """Beat, hourly: delete the grade export files made more than an hour ago; give up the
    requests a stopped worker lost."""
    return exports.remove_old_exports()


@shared_task
def keep_progress():
    """Beat, every five minutes: work out how far every centre's grades have gone, for the
    staff board and progress page (they read it kept; it reads every centre's grades)."""
    series = selectors.current_series()
    if series is not None:
        selectors.keep_progress(series)
