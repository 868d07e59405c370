"""One upload pipeline for every spreadsheet a centre sends in (entries, grades, …).

::

    start_import ──▶ CHECKING ──check_import──▶ FAILED (row errors; nothing written)
                                            └─▶ READY (preview) ──confirm_import──▶ IMPORTING
    IMPORTING ──run_import──▶ DONE (everything written)  or  FAILED (errors; nothing written)

An app supplies an ``Importer`` (its columns, how to parse a row, how to check every row
against the database, how to write them all in one transaction) and a concrete model of
``ImportBase``; it registers the importer with ``register``. ``start_import`` refuses a bad
file (``ocradmin.spreadsheets``: size, type, encoding, header, row cap) before anything is
stored. The check and the import run as Celery tasks (``ocradmin.tasks``) and claim the
upload with a compare-and-swap on its status, so a redelivered task does nothing. The check
stores the rows that will be written (``preview``), which the one status page
(``imports/status.html``) lists, paginated, or the errors by row and column.

Progress. The check reads the file outside any transaction and writes ``rows_done`` every few
hundred rows, each write committed at once, so the status page shows a real count. The import
is one transaction: anything written inside it is invisible to the status page until it
commits, so the page shows a spinner while IMPORTING and ``rows_done`` is set with the result.
"""

import logging
import os
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import ClassVar, Protocol
from uuid import uuid4

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db import models, transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views import View
from django.views.generic import DetailView

from . import audit
from .spreadsheets import (
    RowError,
    SheetRow,
    SpreadsheetError,
    describe_size,
    inspect,
    max_bytes,
    read,
    size_problem,
)

logger = logging.getLogger(__name__)

# The errors kept (and shown) for one upload; ``summary["error_count"]`` has the total.
ERRORS_KEPT = 200
PROGRESS_EVERY = 250
PREVIEW_PAGE_SIZE = 100
INTERRUPTED_AFTER = timedelta(hours=1)
INTERRUPTED = (
    "This upload was interrupted before it finished; nothing was written. Upload the file again."
)
OUR_FAULT = (
    "The file could not be {verb} because of a problem on our side; nothing was written. "
    "Upload it again, and contact us if it happens again."
)


class ImportStatus(models.TextChoices):
    CHECKING = "checking", "Checking"
    READY = "ready", "Ready to confirm"
    IMPORTING = "importing", "Saving"
    DONE = "done", "Saved"
    FAILED = "failed", "Has errors"


IN_PROGRESS = (ImportStatus.CHECKING, ImportStatus.IMPORTING)


def upload_path(instance, filename: str) -> str:
    return f"{instance.UPLOAD_DIR}/{timezone.now():%Y/%m}/{filename}"


class ImportBase(models.Model):
    """An uploaded spreadsheet: checked first, then written all or nothing."""

    UPLOAD_DIR: ClassVar[str] = "uploads"
    Status = ImportStatus

    centre = models.ForeignKey("centres.Centre", on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.FileField(upload_to=upload_path)
    original_name = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=ImportStatus, default=ImportStatus.CHECKING)
    row_count = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    # The rows that will be written, as the status page lists them (``Importer.preview_columns``).
    preview = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ImportStatus.values),
                name="%(app_label)s_%(class)s_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def in_progress(self) -> bool:
        return self.status in IN_PROGRESS


class ImportRefused(Exception):
    """The upload cannot move on (or its rows cannot be written); the message is for the user.
    ``errors`` lists the problems row by row when there are some."""

    def __init__(self, message: str, errors: Sequence[RowError] = ()):
        self.errors = list(errors)
        super().__init__(message)


class Importer(Protocol):
    """What an app supplies for one kind of upload."""

    key: str  # the registry key, also the audit prefix: "<key>_upload.started", …
    model: type[ImportBase]
    columns: tuple[str, ...]
    noun: str  # what a row makes, plural: "entries", "grades"
    # (key in a preview row, heading) for the status page's table of rows to be written.
    preview_columns: tuple[tuple[str, str], ...]
    preview_blank: str  # what the table shows for a blank value: "—", "no grade"

    def parse(self, row: SheetRow) -> tuple[object, list[RowError]]:
        """One data row as the app's row object, and the problems with its cells."""

    def check(self, upload, rows: list) -> tuple[list[RowError], list[dict], dict]:
        """(errors, preview rows, summary) for all the rows, against the database, in a
        fixed number of queries."""

    def write(self, upload, by) -> int:
        """Write every row of a READY-checked upload inside the caller's transaction, or
        raise ``ImportRefused`` (with row errors) so nothing is written. Returns the count."""

    def describe(self, upload) -> str:
        """What a READY upload will write, or what a DONE one wrote, in a sentence."""


IMPORTERS: dict[str, Importer] = {}


def register(importer: Importer) -> Importer:
    if importer.key in IMPORTERS:
        raise ValueError(f"An importer named {importer.key!r} is registered already.")
    IMPORTERS[importer.key] = importer
    return importer


def merge_errors(columns: Sequence[str], *groups: Sequence[RowError]) -> list[RowError]:
    """The errors of every group, one per row and column (the first wins), in row order."""
    seen = set()
    merged = []
    for group in groups:
        for error in group:
            key = (error.row_number, error.column)
            if key not in seen:
                seen.add(key)
                merged.append(error)
    order = {column: index for index, column in enumerate(columns)}
    merged.sort(key=lambda e: (e.row_number, order.get(e.column, -1)))
    return merged


def parse_rows(
    importer: Importer,
    data: bytes,
    *,
    name: str = "",
    progress: Callable[[int], None] | None = None,
) -> tuple[list, list[RowError]]:
    """Every data row of the file as the importer's rows, and the errors of their cells.
    File-level problems raise ``SpreadsheetError``."""
    rows, errors = [], []
    for sheet_row in read(data, columns=importer.columns, name=name, noun=importer.noun):
        row, problems = importer.parse(sheet_row)
        rows.append(row)
        if sheet_row.errors:
            errors.extend(sheet_row.errors)
        if problems:
            errors.extend(problems)
        if progress is not None and len(rows) % PROGRESS_EVERY == 0:
            progress(len(rows))
    return rows, merge_errors(importer.columns, errors)


def read_stored(importer: Importer, upload, progress=None) -> tuple[list, list[RowError]]:
    with upload.file.open("rb") as stored:
        data = stored.read()
    return parse_rows(importer, data, name=upload.file.name, progress=progress)


def _error_dicts(errors: Sequence[RowError]) -> list[dict]:
    return [
        {"row": e.row_number or None, "column": e.column, "message": e.message}
        for e in errors[:ERRORS_KEPT]
    ]


def _file_error(message: str) -> list[RowError]:
    return [RowError(row_number=0, column="", message=message)]


def importer_of(upload) -> Importer:
    return next(i for i in IMPORTERS.values() if isinstance(upload, i.model))


# --- Services ---------------------------------------------------------------------------------


def start_import(importer: Importer, *, centre, file, by, **fields) -> ImportBase:
    """Check the file as a whole, store it, and queue the row-by-row check. ``fields`` are
    the concrete model's own (a grades upload's series and qualification).

    Raises ``ImportRefused`` (nothing stored) when the file is too big, not a CSV or an Excel
    workbook, not readable text, has the wrong columns or too many rows.
    """
    from .tasks import check_import

    try:
        kind, row_count = inspect(file, columns=importer.columns, noun=importer.noun)
    except SpreadsheetError as error:
        raise ImportRefused(str(error)) from error
    original_name = os.path.basename(file.name or "")[:200] or f"{importer.noun}.{kind}"
    upload = importer.model(
        centre=centre,
        uploaded_by=by,
        original_name=original_name,
        status=ImportStatus.CHECKING,
        row_count=row_count,
        **fields,
    )
    # The stored name is ours; the user's file name is kept only as text.
    upload.file.save(f"{centre.number}-{uuid4().hex}.{kind}", file, save=False)
    with transaction.atomic():
        upload.save()
        audit.record(
            actor=by,
            action=f"{importer.key}_upload.started",
            centre=centre,
            target=upload,
            data={"file": original_name, "rows": row_count},
        )
        check_import.delay_on_commit(importer.key, upload.pk)
    return upload


def _finish(importer, upload, *, old, new, errors=(), summary=None, preview=None, actor=None):
    """Move ``upload`` from ``old`` to ``new`` (compare-and-swap) with its outcome."""
    errors = list(errors)
    fields = {"status": new, "errors": _error_dicts(errors)}
    if summary is not None:
        fields["summary"] = summary
    if preview is not None:
        fields["preview"] = preview
    if new in (ImportStatus.DONE, ImportStatus.FAILED):
        fields["finished_at"] = timezone.now()
    with transaction.atomic():
        moved = importer.model.objects.filter(pk=upload.pk, status=old).update(**fields)
        if moved:
            for name, value in fields.items():
                setattr(upload, name, value)
            audit.record(
                actor=actor,
                action=f"{importer.key}_upload.{new}",
                centre=upload.centre,
                target=upload,
                data={"errors": len(errors), **(summary or {})},
            )
    return bool(moved)


def check_import(importer: Importer, upload_id: int) -> str:
    """The Celery task's work: read every row and check them; FAILED or READY."""
    model = importer.model
    upload = model.objects.select_related("centre").filter(pk=upload_id).first()
    if upload is None or upload.status != ImportStatus.CHECKING:
        return "skipped"

    def progress(done: int) -> None:
        # Autocommit, no transaction open: the status page sees each count at once.
        model.objects.filter(pk=upload.pk, status=ImportStatus.CHECKING).update(rows_done=done)

    try:
        rows, errors = read_stored(importer, upload, progress)
        progress(len(rows))
        problems, preview, summary = importer.check(upload, rows)
        errors = merge_errors(importer.columns, errors, problems)
    except SpreadsheetError as error:
        _finish(
            importer,
            upload,
            old=ImportStatus.CHECKING,
            new=ImportStatus.FAILED,
            errors=_file_error(str(error)),
        )
        return "failed"
    except Exception:
        logger.exception("Checking %s upload %s failed", importer.key, upload.pk)
        _finish(
            importer,
            upload,
            old=ImportStatus.CHECKING,
            new=ImportStatus.FAILED,
            errors=_file_error(OUR_FAULT.format(verb="checked")),
        )
        return "failed"
    if errors:
        summary = {
            "error_count": len(errors),
            "rows_with_errors": len({e.row_number for e in errors}),
        }
        _finish(
            importer,
            upload,
            old=ImportStatus.CHECKING,
            new=ImportStatus.FAILED,
            errors=errors,
            summary=summary,
        )
        return "failed"
    _finish(
        importer,
        upload,
        old=ImportStatus.CHECKING,
        new=ImportStatus.READY,
        summary=summary,
        preview=preview,
    )
    return "ready"


def _not_ready_message(importer: Importer, status) -> str:
    return {
        ImportStatus.CHECKING: "This file is still being checked; confirm it once the check "
        "is done.",
        ImportStatus.IMPORTING: f"This upload has already been confirmed; its {importer.noun} "
        "are being saved.",
        ImportStatus.DONE: f"This upload has already been confirmed; its {importer.noun} have "
        "been saved.",
        ImportStatus.FAILED: "This file has errors, so it cannot be confirmed. Correct the file "
        "and upload it again.",
    }.get(status, "This upload cannot be confirmed.")


def confirm_import(upload, *, by) -> ImportBase:
    """The user confirms a checked upload: READY → IMPORTING, and queue the import."""
    from .tasks import run_import

    importer = importer_of(upload)
    if upload.status == ImportStatus.READY and not upload.preview:
        raise ImportRefused(f"This file changes nothing, so there are no {importer.noun} to save.")
    with transaction.atomic():
        moved = importer.model.objects.filter(
            pk=upload.pk, centre_id=upload.centre_id, status=ImportStatus.READY
        ).update(status=ImportStatus.IMPORTING, rows_done=0)
        if not moved:
            current = importer.model.objects.filter(pk=upload.pk).values_list("status", flat=True)
            raise ImportRefused(_not_ready_message(importer, current.first()))
        upload.refresh_from_db()
        audit.record(
            actor=by,
            action=f"{importer.key}_upload.confirmed",
            centre=upload.centre,
            target=upload,
            data={"rows": len(upload.preview)},
        )
        run_import.delay_on_commit(importer.key, upload.pk, by.pk)
    return upload


def run_import(importer: Importer, upload_id: int, by_id: int | None = None) -> str:
    """The Celery task's work: write every row of a confirmed upload, or none (FAILED)."""
    model = importer.model
    upload = model.objects.select_related("centre", "uploaded_by").filter(pk=upload_id).first()
    if upload is None or upload.status != ImportStatus.IMPORTING:
        return "skipped"
    by = get_user_model().objects.filter(pk=by_id).first() if by_id else upload.uploaded_by
    try:
        with transaction.atomic():
            locked = model.objects.select_for_update(of=("self",)).get(pk=upload.pk)
            if locked.status != ImportStatus.IMPORTING:  # a second delivery of the task
                return "skipped"
            locked.centre = upload.centre
            written = importer.write(locked, by)
            locked.status = ImportStatus.DONE
            locked.rows_done = written
            locked.errors = []
            locked.finished_at = timezone.now()
            locked.summary = {**locked.summary, "written": written}
            locked.save(update_fields=["status", "rows_done", "errors", "finished_at", "summary"])
            audit.record(
                actor=by,
                action=f"{importer.key}_upload.{ImportStatus.DONE}",
                centre=upload.centre,
                target=locked,
                data={"written": written},
            )
    except (ImportRefused, SpreadsheetError) as error:
        # The refusal itself first, then its problems row by row.
        errors = _file_error(str(error)) + getattr(error, "errors", [])
        _finish(
            importer,
            upload,
            old=ImportStatus.IMPORTING,
            new=ImportStatus.FAILED,
            errors=errors,
            summary={**upload.summary, "error_count": len(errors)},
            actor=by,
        )
        return "failed"
    except Exception:
        logger.exception("Importing %s upload %s failed", importer.key, upload.pk)
        _finish(
            importer,
            upload,
            old=ImportStatus.IMPORTING,
            new=ImportStatus.FAILED,
            errors=_file_error(OUR_FAULT.format(verb="saved")),
            actor=by,
        )
        return "failed"
    return "done"


def fail_interrupted_imports() -> int:
    """Beat: an upload of any kind still checking or importing an hour after it started lost
    its worker. A running import holds its row lock, so ``skip_locked`` leaves it alone; a
    crashed one rolled back, so marking it FAILED is true."""
    cutoff = timezone.now() - INTERRUPTED_AFTER
    failed = 0
    for importer in IMPORTERS.values():
        with transaction.atomic():
            stuck = list(
                importer.model.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(status__in=IN_PROGRESS, created_at__lt=cutoff)
                .select_related("centre")
            )
        for upload in stuck:
            failed += _finish(
                importer,
                upload,
                old=upload.status,
                new=ImportStatus.FAILED,
                errors=_file_error(INTERRUPTED),
            )
    return failed


# --- Forms and views --------------------------------------------------------------------------

ACCEPT = ",".join(
    [
        ".csv",
        ".xlsx",
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ]
)


class SpreadsheetField(forms.FileField):
    """A CSV or XLSX file of at most ``SPREADSHEET_MAX_BYTES``, refused by its size alone
    (``size`` comes from the upload handler: nothing of the file is read to know it).
    Everything else about the file is checked by ``start_import``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault(
            "help_text", f"Up to {describe_size(max_bytes())}, with the template's header row."
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        file = super().clean(data, initial)
        problem = None if file is None else size_problem(file.size)
        if problem:
            raise forms.ValidationError(problem)
        return file


class ImportPageMixin:
    """For an app's upload views, beside its tenancy mixin: ``get_upload()`` returns the
    upload (through the centre, so another centre's is 404) and ``links(upload)`` the
    ``back``, ``status``, ``progress``, ``confirm`` and ``done`` URLs of the status page;
    ``may_confirm()`` says whether the user may confirm it."""

    importer: Importer


class ImportStatusView(ImportPageMixin, DetailView):
    """One upload: progress while checking or importing, then its errors or the rows that will
    be written, paginated."""

    template_name = "imports/status.html"
    context_object_name = "upload"

    def get_object(self, queryset=None):
        return self.get_upload()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        upload = self.object
        error_count = upload.summary.get("error_count", len(upload.errors))
        page = Paginator(upload.preview, PREVIEW_PAGE_SIZE).get_page(self.request.GET.get("page"))
        context.update(
            importer=self.importer,
            links=self.links(upload),
            can_confirm=upload.status == ImportStatus.READY
            and bool(upload.preview)
            and self.may_confirm(),
            in_progress=upload.in_progress,
            error_count=error_count,
            description=self.importer.describe(upload)
            if upload.status in (ImportStatus.READY, ImportStatus.DONE)
            else "",
            errors_cut=error_count > len(upload.errors),
            page_obj=page,
            preview_rows=[
                [row.get(key, "") for key, _ in self.importer.preview_columns]
                for row in page.object_list
            ],
        )
        return context


class ImportProgressView(ImportPageMixin, DetailView):
    """The fragment the status page polls (htmx, every second) while the upload is busy.
    Once the upload has settled the answer asks htmx to reload the whole page."""

    template_name = "imports/_progress.html"
    context_object_name = "upload"

    def get_object(self, queryset=None):
        return self.get_upload()

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        links = self.links(self.object)
        if not self.object.in_progress:
            if not request.htmx:
                return redirect(links["status"])
            response = HttpResponse()
            response["HX-Refresh"] = "true"
            return response
        context = self.get_context_data(
            object=self.object, in_progress=True, links=links, importer=self.importer
        )
        return self.render_to_response(context)


class ImportConfirmView(ImportPageMixin, View):
    """POST: write the rows of a checked upload."""

    def post(self, request, *args, **kwargs):
        upload = self.get_upload()
        try:
            upload = confirm_import(upload, by=request.user)
        except ImportRefused as error:
            messages.error(request, str(error))
        else:
            count = len(upload.preview)
            messages.info(
                request, f"Saving {count} {self.importer.noun} from {upload.original_name}."
            )
        return redirect(self.links(upload)["status"])
