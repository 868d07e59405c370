"""Celery tasks of moderation: thin wrappers over the services, taking primary keys."""

from smtplib import SMTPException

from celery import shared_task

from .services import clock, report


@shared_task(autoretry_for=(OSError, SMTPException), retry_backoff=10, max_retries=5)
def store_report(report_id: int):
    """Queued when the review is completed: render the feedback report's PDF once and keep it;
    for a claim withdrawn whole, email it to the centre admins."""
    report.store_report(report_id=report_id)
    report.email_withdrawn_report(report_id=report_id)


@shared_task
def scan_results_clock():
    """Beat, hourly: claims whose results are at risk (5 working days or fewer left) and
    claims past their results date, each told once."""
    at_risk = clock.flag_results_at_risk()
    breached = clock.flag_results_breached()
    return f"{at_risk} at risk, {breached} breached"
