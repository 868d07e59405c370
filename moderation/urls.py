"""The moderation app's addresses: ``/moderation/…`` (the examiner-moderator), the centre's
feedback reports under ``/centres/<number>/claims/``, and the staff pages. Each path is
written out in full, so the app is included at the root."""

from django.urls import path

from .views import centre, review

app_name = "moderation"

CLAIM = "moderation/claims/<int:pk>/"

urlpatterns = [
    path("moderation/", review.QueueView.as_view(), name="queue"),
    path(CLAIM, review.ReviewView.as_view(), name="claim"),
    path(f"{CLAIM}receipt/", review.ReceiptView.as_view(), name="receipt"),
    path(f"{CLAIM}files/<int:evidence_pk>/", review.EvidenceView.as_view(), name="file"),
    path(f"{CLAIM}files.zip", review.DownloadAllView.as_view(), name="files-zip"),
    path(f"{CLAIM}lines/<int:line_pk>/", review.DecideLineView.as_view(), name="decide"),
    path(f"{CLAIM}confirm/", review.ConfirmRemainingView.as_view(), name="confirm-remaining"),
    path(f"{CLAIM}withdraw/", review.WithdrawView.as_view(), name="withdraw"),
    path(f"{CLAIM}complete/", review.CompleteView.as_view(), name="complete"),
    path(f"{CLAIM}report.pdf", review.ReportView.as_view(), name="report"),
    # The centre
    path(
        "centres/<centre:number>/claims/reports/",
        centre.CentreReportsView.as_view(),
        name="centre-reports",
    ),
    path(
        "centres/<centre:number>/claims/<int:pk>/report.pdf",
        centre.CentreReportView.as_view(),
        name="centre-report",
    ),
]

# --- Staff: every moderator's load and queue, moving work, the results clock ------------------
from .views import staff as staff_views  # noqa: E402

urlpatterns += [
    path("staff/moderation/", staff_views.ModeratorLoadView.as_view(), name="staff-load"),
    path(
        "staff/moderation/moderators/<int:pk>/",
        staff_views.ModeratorQueueView.as_view(),
        name="staff-moderator",
    ),
    path(
        "staff/moderation/claims/<int:pk>/reallocate/",
        staff_views.ReallocateClaimView.as_view(),
        name="staff-reallocate-claim",
    ),
    path(
        "staff/moderation/allocations/<int:pk>/reallocate/",
        staff_views.ReallocateAllocationView.as_view(),
        name="staff-reallocate-allocation",
    ),
    path(
        "staff/moderation/results/",
        staff_views.ResultsClockListView.as_view(),
        name="staff-results",
    ),
]
