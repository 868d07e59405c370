"""Celery tasks for moderation: thin wrappers over the services."""

from celery import shared_task

from .services import clock


@shared_task
def scan_results_clock():
    """Beat, hourly: claims whose results are at risk (5 working days or fewer left) and
    claims past their results date, each told once."""
    at_risk = clock.flag_results_at_risk()
    breached = clock.flag_results_breached()
    return f"{at_risk} at risk, {breached} breached"
