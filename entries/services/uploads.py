"""Bulk upload files of named entries: every state change of an ``EntryUpload``.

::

    start_upload ──▶ CHECKING ──check_upload_file──▶ INVALID (row errors; nothing written)
                                                 └─▶ READY ──confirm_upload──▶ IMPORTING
    IMPORTING ──import_upload_file──▶ IMPORTED (entries made)  or  FAILED (errors; nothing written)

``start_upload`` refuses a bad file (size, type, encoding, header, too many rows) before
anything is stored. The check and the import run as Celery tasks (``entries.tasks``) and claim
the upload with a compare-and-swap on its status, so a redelivered task does nothing.

Progress. The check reads the file outside any transaction and writes ``rows_done`` after every
few hundred rows, each write committed at once, so the status page shows a real count while
checking. The import is one transaction (``make_named_entries`` writes everything or nothing);
anything written inside it — ``rows_done`` included — is invisible to the status page until
it commits, on PostgreSQL as on SQLite. Rather than fake a progress bar (or write progress
through a second database connection), the page says "Creating N entries…" with a spinner
while the upload is IMPORTING, and ``rows_done`` is set with the result.
"""

import logging
import os
from datetime import timedelta
from uuid import uuid4

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from ocradmin import audit

from ..models import Candidate, EntryUpload
from ..uploads import UploadFileError, inspect_upload, merge_errors, parse_upload
from . import EntryError
from .entries import check_named_entry_rows, make_named_entries, normalise_candidate_number
from .rows import RowError

logger = logging.getLogger(__name__)

# The errors kept (and shown) for one upload; ``summary["error_count"]`` has the total.
ERRORS_KEPT = 200
PROGRESS_EVERY = 250
OUR_FAULT = (
    "The file could not be {verb} because of a problem on our side; nothing was written. "
    "Upload it again, and contact us if it happens again."
)

Status = EntryUpload.Status


def _error_dicts(errors: list[RowError]) -> list[dict]:
    return [
        {"row": e.row_number or None, "column": e.column, "message": e.message}
        for e in errors[:ERRORS_KEPT]
    ]


def _file_error(message: str) -> list[RowError]:
    return [RowError(row_number=0, column="", message=message)]


def start_upload(*, centre, file, by) -> EntryUpload:
    """Check the file as a whole, store it, and queue the row-by-row check.

    Raises ``EntryError`` (nothing stored) when the file is too big, not a CSV or an Excel
    workbook, not readable text, has the wrong columns or too many rows.
    """
    try:
        kind, row_count = inspect_upload(file)
    except UploadFileError as error:
        raise EntryError(str(error)) from error
    original_name = os.path.basename(file.name or "")[:200] or f"entries.{kind}"
    upload = EntryUpload(
        centre=centre,
        uploaded_by=by,
        original_name=original_name,
        status=Status.CHECKING,
        row_count=row_count,
    )
    # The stored name is ours; the user's file name is kept only as text.
    upload.file.save(f"{centre.number}-{uuid4().hex}.{kind}", file, save=False)
    from ..tasks import check_upload

    with transaction.atomic():
        upload.save()
        audit.record(
            actor=by,
            action="entry_upload.started",
            centre=centre,
            target=upload,
            data={"file": original_name, "rows": row_count},
        )
        check_upload.delay_on_commit(upload.pk)
    return upload


def _read(upload, progress=None):
    with upload.file.open("rb") as stored:
        data = stored.read()
    return parse_upload(
        data, name=upload.file.name, progress=progress, progress_every=PROGRESS_EVERY
    )


def _finish(upload, *, old: str, new: str, errors=(), summary=None, actor=None) -> bool:
    """Move ``upload`` from ``old`` to ``new`` (compare-and-swap) with its outcome."""
    errors = list(errors)
    fields = {"status": new, "errors": _error_dicts(errors)}
    if summary is not None:
        fields["summary"] = summary
    if new in (Status.INVALID, Status.IMPORTED, Status.FAILED):
        fields["finished_at"] = timezone.now()
    with transaction.atomic():
        moved = EntryUpload.objects.filter(pk=upload.pk, status=old).update(**fields)
        if moved:
            for name, value in fields.items():
                setattr(upload, name, value)
            audit.record(
                actor=actor,
                action=f"entry_upload.{new}",
                centre=upload.centre,
                target=upload,
                data={"errors": len(errors), **(summary or {})},
            )
    return bool(moved)


def check_upload_file(*, upload_id: int) -> str:
    """The Celery task's work: read every row and check them; INVALID or READY."""
    upload = EntryUpload.objects.select_related("centre").filter(pk=upload_id).first()
    if upload is None or upload.status != Status.CHECKING:
        return "skipped"

    def progress(done: int) -> None:
        # Autocommit, no transaction open: the status page sees each count at once.
        EntryUpload.objects.filter(pk=upload.pk, status=Status.CHECKING).update(rows_done=done)

    try:
        parsed = _read(upload, progress)
        progress(parsed.row_count)
        errors = merge_errors(
            parsed.errors, check_named_entry_rows(centre=upload.centre, rows=parsed.rows)
        )
    except UploadFileError as error:
        _finish(upload, old=Status.CHECKING, new=Status.INVALID, errors=_file_error(str(error)))
        return "invalid"
    except Exception:
        logger.exception("Checking entry upload %s failed", upload.pk)
        _finish(
            upload,
            old=Status.CHECKING,
            new=Status.FAILED,
            errors=_file_error(OUR_FAULT.format(verb="checked")),
        )
        return "failed"

    if errors:
        summary = {
            "error_count": len(errors),
            "rows_with_errors": len({e.row_number for e in errors}),
        }
        _finish(upload, old=Status.CHECKING, new=Status.INVALID, errors=errors, summary=summary)
        return "invalid"
    existing = set(
        Candidate.objects.filter(centre=upload.centre)
        .order_by()
        .values_list("candidate_number", flat=True)
    )
    numbers = {normalise_candidate_number(r.candidate_number) for r in parsed.rows}
    summary = {"entries": parsed.row_count, "new_candidates": len(numbers - existing - {None})}
    _finish(upload, old=Status.CHECKING, new=Status.READY, summary=summary)
    return "ready"


def confirm_upload(*, upload, by) -> EntryUpload:
    """The centre admin confirms a checked upload: READY → IMPORTING, and queue the import."""
    from ..tasks import import_upload

    with transaction.atomic():
        moved = EntryUpload.objects.filter(
            pk=upload.pk, centre_id=upload.centre_id, status=Status.READY
        ).update(status=Status.IMPORTING, rows_done=0)
        if not moved:
            current = EntryUpload.objects.filter(pk=upload.pk).values_list("status", flat=True)
            raise EntryError(_not_ready_message(current.first()))
        upload.refresh_from_db()
        audit.record(
            actor=by,
            action="entry_upload.confirmed",
            centre=upload.centre,
            target=upload,
            data={"entries": upload.summary.get("entries")},
        )
        import_upload.delay_on_commit(upload.pk, by.pk)
    return upload


def _not_ready_message(status) -> str:
    return {
        Status.CHECKING: "This file is still being checked; confirm it once the check is done.",
        Status.INVALID: "This file has errors, so it cannot be confirmed. Correct the file and "
        "upload it again.",
        Status.IMPORTING: "This upload has already been confirmed; its entries are being made.",
        Status.IMPORTED: "This upload has already been confirmed; its entries have been made.",
        Status.FAILED: "This upload failed, so it cannot be confirmed. Upload the file again.",
    }.get(status, "This upload cannot be confirmed.")


def import_upload_file(*, upload_id: int, by_id: int | None = None) -> str:
    """The Celery task's work: make every entry of a confirmed upload, or none (FAILED)."""
    upload = (
        EntryUpload.objects.select_related("centre", "uploaded_by").filter(pk=upload_id).first()
    )
    if upload is None or upload.status != Status.IMPORTING:
        return "skipped"
    by = get_user_model().objects.filter(pk=by_id).first() if by_id else upload.uploaded_by
    try:
        parsed = _read(upload)
        if parsed.errors:  # the stored file was checked already; this should not happen
            raise _RowsError(parsed.errors)
        with transaction.atomic():
            locked = EntryUpload.objects.select_for_update().get(pk=upload.pk)
            if locked.status != Status.IMPORTING:  # a second delivery of the task
                return "skipped"
            locked.centre = upload.centre
            # No progress callback: see the module docstring.
            entries = make_named_entries(
                centre=upload.centre, rows=parsed.rows, by=by, upload=locked
            )
            locked.status = Status.IMPORTED
            locked.rows_done = len(entries)
            locked.errors = []
            locked.finished_at = timezone.now()
            locked.summary = {**locked.summary, "created": len(entries)}
            locked.save(update_fields=["status", "rows_done", "errors", "finished_at", "summary"])
            audit.record(
                actor=by,
                action="entry_upload.imported",
                centre=upload.centre,
                target=locked,
                data={"entries": len(entries)},
            )
    except (EntryError, UploadFileError) as error:
        errors = getattr(error, "errors", None) or _file_error(str(error))
        summary = {**upload.summary, "error_count": len(errors)}
        _finish(
            upload,
            old=Status.IMPORTING,
            new=Status.FAILED,
            errors=errors,
            summary=summary,
            actor=by,
        )
        return "failed"
    except Exception:
        logger.exception("Importing entry upload %s failed", upload.pk)
        _finish(
            upload,
            old=Status.IMPORTING,
            new=Status.FAILED,
            errors=_file_error(OUR_FAULT.format(verb="imported")),
            actor=by,
        )
        return "failed"
    return "imported"


class _RowsError(EntryError):
    def __init__(self, errors):
        self.errors = errors
        super().__init__(str(errors[0]))


INTERRUPTED_AFTER = timedelta(hours=1)
INTERRUPTED = (
    "This upload was interrupted before it finished; nothing was written. Upload the file again."
)


def fail_interrupted_uploads() -> int:
    """Beat: an upload still checking or importing an hour after it started lost its worker.
    A running import holds its row lock, so ``skip_locked`` leaves it alone; a crashed one
    rolled back, so marking it FAILED is true."""
    cutoff = timezone.now() - INTERRUPTED_AFTER
    failed = 0
    with transaction.atomic():
        stuck = list(
            EntryUpload.objects.select_for_update(skip_locked=True)
            .filter(status__in=[Status.CHECKING, Status.IMPORTING], created_at__lt=cutoff)
            .select_related("centre")
        )
    for upload in stuck:
        failed += _finish(
            upload, old=upload.status, new=Status.FAILED, errors=_file_error(INTERRUPTED)
        )
    return failed
