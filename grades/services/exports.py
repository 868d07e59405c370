"""The staff's file of every submitted grade of a series: hundreds of thousands of rows at
national scale, so a task writes it to storage and staff download it from there, never waiting
on a request that builds it.

::

    request_export ──▶ QUEUED ──build_export──▶ BUILDING ──▶ READY (the file)  or  FAILED (why)
    READY, an hour after it was made ──remove_old_exports (hourly)──▶ REMOVED (the file deleted)

A prepared file is reused while it is *current*: no more centres have submitted than when its
rows were read (submitted grades change only by a centre's submission, which is counted), and
it is less than ``EXPORT_MAX_AGE`` old — which bounds how long a fix made outside the services
(Django admin) takes to show, and how long the candidates' names lie in storage.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from ocradmin import audit
from ocradmin.exports import store_csv

from ..models import CentreSubmission, GradeExport, GradeSeries
from ..selectors import submitted_grades

logger = logging.getLogger(__name__)

EXPORT_COLUMNS = [
    "centre_number",
    "centre_name",
    "entry_code",
    "qualification",
    "candidate_number",
    "uci",
    "last_name",
    "first_name",
    "grade",
]
EXPORT_MAX_AGE = timedelta(hours=1)
# A request still waiting or building after this was lost (a worker stopped): given up by the
# next request or the hourly clean-up.
INTERRUPTED_AFTER = timedelta(minutes=30)
PROGRESS_EVERY = 50_000
OUR_FAULT = (
    "The file could not be prepared because of a problem on our side ({error}). Prepare it "
    "again, and report it if it happens again."
)
INTERRUPTED = (
    "The file was not prepared within 30 minutes (the background worker may have stopped). "
    "Prepare it again."
)


def latest_export(series) -> GradeExport | None:
    return GradeExport.objects.filter(series=series).select_related("requested_by").first()


def submission_count(series) -> int:
    return CentreSubmission.objects.filter(series=series).count()


def is_current(export: GradeExport, *, submissions: int, now=None) -> bool:
    """Whether the prepared file still holds every submitted grade (see the module)."""
    now = now or timezone.now()
    return (
        export.status == GradeExport.Status.READY
        and export.submissions_read == submissions
        and export.finished_at > now - EXPORT_MAX_AGE
    )


def request_export(*, series, by) -> tuple[GradeExport, bool]:
    """The file staff asked for, and whether it is a new request: the one being prepared, or a
    current prepared one, or else a new one queued for ``build_export``. Requests made at once
    queue on the series row, so they make one file between them."""
    with transaction.atomic():
        GradeSeries.objects.select_for_update().get(pk=series.pk)
        give_up_lost_requests(GradeExport.objects.filter(series=series))
        latest = latest_export(series)
        if latest is not None and (
            latest.in_progress or is_current(latest, submissions=submission_count(series))
        ):
            return latest, False
        export = GradeExport.objects.create(series=series, requested_by=by)
        audit.record(
            actor=by, action="grades.export_requested", target=export, data={"series": series.code}
        )
        from ..tasks import build_grade_export  # here: grades.tasks imports this module

        build_grade_export.delay_on_commit(export.pk)
    return export, True


def is_lost(export: GradeExport, now=None) -> bool:
    """A request still waiting or building ``INTERRUPTED_AFTER`` after it was made."""
    return export.in_progress and export.requested_at < (now or timezone.now()) - INTERRUPTED_AFTER


def give_up_lost_requests(requests, now=None) -> int:
    """Fail the ``requests`` still waiting or building ``INTERRUPTED_AFTER`` after they were
    made: a worker stopped with them (a task delivered late then finds nothing to build)."""
    now = now or timezone.now()
    return requests.filter(
        status__in=GradeExport.IN_PROGRESS, requested_at__lt=now - INTERRUPTED_AFTER
    ).update(status=GradeExport.Status.FAILED, error=INTERRUPTED, finished_at=now)


def build_export(*, export_id: int) -> None:
    """Write the file of a queued request. Claimed with a compare-and-swap, so a task delivered
    twice builds once. A failure is kept on the row with its reason (and logged in full)."""
    claimed = GradeExport.objects.filter(pk=export_id, status=GradeExport.Status.QUEUED).update(
        status=GradeExport.Status.BUILDING, started_at=timezone.now()
    )
    if not claimed:
        return
    export = GradeExport.objects.select_related("series").get(pk=export_id)
    building = GradeExport.objects.filter(pk=export_id, status=GradeExport.Status.BUILDING)
    try:
        # Counted before the rows are read: a centre submitting in between makes the file out
        # of date (rebuilt on the next request), never wrongly current.
        submissions = submission_count(export.series)
        rows, size = store_csv(
            export.file,
            filename=f"{export.series.code}-submitted-grades-{export.pk}.csv",
            columns=EXPORT_COLUMNS,
            rows=submitted_grades(export.series).iterator(chunk_size=5000),
            progress=lambda written: building.update(row_count=written),
            progress_every=PROGRESS_EVERY,
        )
    except Exception as error:  # kept on the row for staff; the trace goes to the log
        logger.exception("Grade export %s failed", export_id)
        building.update(
            status=GradeExport.Status.FAILED,
            error=OUR_FAULT.format(error=type(error).__name__),
            finished_at=timezone.now(),
        )
        return
    finished = building.update(
        status=GradeExport.Status.READY,
        file=export.file.name,
        row_count=rows,
        size=size,
        submissions_read=submissions,
        finished_at=timezone.now(),
    )
    if not finished:  # given up as interrupted while it was being written
        export.file.delete(save=False)


def record_download(*, export: GradeExport, by) -> None:
    with transaction.atomic():
        audit.record(
            actor=by,
            action="grades.export_downloaded",
            target=export,
            data={"series": export.series.code, "rows": export.row_count},
        )


def remove_old_exports(now=None) -> int:
    """Hourly: give up requests lost on the way and delete the files
    made more than ``EXPORT_MAX_AGE`` ago (no longer current, so never offered again); the rows
    stay as the record of who asked when. Returns how many files were deleted."""
    now = now or timezone.now()
    give_up_lost_requests(GradeExport.objects.all(), now)
    removed = 0
    for export in GradeExport.objects.filter(
        status=GradeExport.Status.READY, finished_at__lt=now - EXPORT_MAX_AGE
    ):
        export.file.delete(save=False)
        removed += GradeExport.objects.filter(pk=export.pk, status=GradeExport.Status.READY).update(
            status=GradeExport.Status.REMOVED, file=""
        )
    return removed
