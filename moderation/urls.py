"""The moderation app's addresses: ``/moderation/…`` (the moderator), ``/staff/moderation/…``
(staff) and the centre's reports at ``/centres/<number>/claims/reports/``. Each path is written
out in full, so the app is included at the root."""

from django.urls import path

app_name = "moderation"

urlpatterns: list = []

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
