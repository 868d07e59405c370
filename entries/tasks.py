"""Celery tasks for entries: thin wrappers over the services, taking primary keys."""

from celery import shared_task

from .services import processing


@shared_task
def process_entries():
    """Beat, every ENTRY_PROCESSING_INTERVAL_MINUTES: accept, reject or refer submitted entries."""
    return str(processing.process_pending_entries())


@shared_task
def flag_overdue_entries():
    """Beat: entries past their 48-hour deadline are flagged and staff emailed, once each."""
    return processing.flag_overdue_entries()
