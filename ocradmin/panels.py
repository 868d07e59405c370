"""The platform's own panels on the dashboard and the staff board."""

from django.utils import timezone

from .models import Heartbeat
from .notifications import first_unread
from .pages import dashboard, staff_board


@staff_board.register("heartbeat", "ocradmin/panels/heartbeat.html")
def heartbeat_panel(request):
    beat = Heartbeat.objects.filter(name="beat").first()
    age = (timezone.now() - beat.last_run_at).total_seconds() if beat else None
    return {
        "heartbeat": beat,
        "heartbeat_age_seconds": age,
        "heartbeat_ok": age is not None and age < 180,
    }


@dashboard.register("notifications", "ocradmin/panels/notifications.html")
def recent_notifications(request):
    unread, total = first_unread(request.user, 5)
    # The header's unread count (``context_processors.shell``) comes with them.
    request.unread_notifications = total
    return {"unread": unread} if unread else None
