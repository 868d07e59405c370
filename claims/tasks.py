"""Celery tasks for claims: thin wrappers over the services."""

from celery import shared_task

from .services import clock


@shared_task
def scan_work_clock():
    """Beat, every 5 minutes: the reminder 6 hours before the work is due, and the overdue
    notices at the deadline, each once per claim."""
    reminded = clock.send_work_reminders()
    overdue = clock.flag_overdue_work()
    return f"{reminded} reminded, {overdue} overdue"
