"""The Celery app. Tasks default to Celery's Django task class, which adds ``delay_on_commit``.

Every periodic job is listed here, in UTC, so one place shows every clock the product runs.
Scan tasks select due rows and move them on with guarded updates; nothing uses per-object
ETA or countdown tasks.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ocradmin.settings")

app = Celery("ocradmin", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _beat_schedule() -> dict:
    from django.conf import settings

    return {
        "heartbeat": {
            "task": "ocradmin.tasks.heartbeat",
            "schedule": settings.HEARTBEAT_INTERVAL_SECONDS,
        },
        "process-entries": {
            "task": "entries.tasks.process_entries",
            "schedule": settings.ENTRY_PROCESSING_INTERVAL_MINUTES * 60,
        },
        "flag-overdue-entries": {
            "task": "entries.tasks.flag_overdue_entries",
            "schedule": 5 * 60,
        },
        "fail-interrupted-imports": {
            "task": "ocradmin.tasks.fail_interrupted_imports",
            "schedule": 15 * 60,
        },
        "claims-work-clock": {
            "task": "claims.tasks.scan_work_clock",
            "schedule": 5 * 60,
        },
        "moderation-results-clock": {
            "task": "moderation.tasks.scan_results_clock",
            "schedule": 60 * 60,
        },
        "grade-closing-reminders": {
            "task": "grades.tasks.send_closing_reminders",
            "schedule": 60 * 60,
        },
        "keep-grades-progress": {
            "task": "grades.tasks.keep_progress",
            "schedule": 5 * 60,
        },
        "remove-old-grade-exports": {
            "task": "grades.tasks.remove_old_grade_exports",
            "schedule": 60 * 60,
        },
    }


app.conf.beat_schedule = _beat_schedule()
