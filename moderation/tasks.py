"""Celery tasks of moderation: thin wrappers over the services, taking primary keys."""

from smtplib import SMTPException

from celery import shared_task

from .services import report


@shared_task(autoretry_for=(OSError, SMTPException), retry_backoff=10, max_retries=5)
def store_report(report_id: int):
    """Queued when the review is completed: render the feedback report's PDF once and keep it;
    for a claim withdrawn whole, email it to the centre admins."""
    report.store_report(report_id=report_id)
    report.email_withdrawn_report(report_id=report_id)
