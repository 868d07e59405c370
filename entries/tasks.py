"""Celery tasks for entries: thin wrappers over the services, taking primary keys."""

from celery import shared_task

from .services import processing, uploads


@shared_task
def process_entries():
    """Beat, every ENTRY_PROCESSING_INTERVAL_MINUTES: accept, reject or refer submitted entries."""
    return str(processing.process_pending_entries())


@shared_task
def flag_overdue_entries():
    """Beat: entries past their 48-hour deadline are flagged and staff emailed, once each."""
    return processing.flag_overdue_entries()


@shared_task
def check_upload(upload_id: int):
    """Queued by ``start_upload``: read and check every row of an uploaded file."""
    return uploads.check_upload_file(upload_id=upload_id)


@shared_task
def import_upload(upload_id: int, by_id: int | None = None):
    """Queued by ``confirm_upload``: make the upload's entries, all or none."""
    return uploads.import_upload_file(upload_id=upload_id, by_id=by_id)


@shared_task
def fail_interrupted_uploads():
    """Beat: uploads whose worker died are marked failed, so the centre can upload again."""
    return uploads.fail_interrupted_uploads()
