from django.utils import timezone

from ocradmin.pages import dashboard, staff_board

from .models import CentreApplication
from .navigation import register_section
from .selectors import (
    HEAD_CHANGES_DAYS,
    approval_summary_for,
    centres_for,
    pending_applications,
    pending_invitations_for,
    recent_head_changes,
    waiting_approvals,
    with_ages,
)

register_section(
    key="home", label="Centre home", url_name="centres:home", permission="centres.view_centre"
)
register_section(
    key="users", label="Users", url_name="centres:users", permission="centres.view_users"
)
register_section(
    key="audit",
    label="Audit trail",
    url_name="centres:audit",
    permission="centres.view_audit_trail",
)


@dashboard.register("my_centres", "centres/panels/my_centres.html")
def my_centres(request):
    centres = list(centres_for(request.user))
    return {"centres": centres} if centres else None


@dashboard.register("my_applications", "centres/panels/my_application.html")
def my_applications(request):
    applications = list(
        CentreApplication.objects.filter(applicant=request.user)
        .select_related("centre")
        .order_by("-created_at", "-pk")[:10]
    )
    return {"applications": applications} if applications else None


@staff_board.register("centre_applications", "centres/panels/staff_applications.html")
def waiting_centre_applications(request):
    waiting = pending_applications()
    return {"applications": with_ages(waiting[:10], at="submitted_at"), "total": waiting.count()}


# --- Qualification approvals -----------------------------------------------------------------

register_section(
    key="qualifications",
    label="Qualifications",
    url_name="centres:approvals",
    permission="centres.view_approvals",
)


@dashboard.register("qualification_approvals", "centres/panels/approvals.html")
def centre_admin_approvals(request):
    return approval_summary_for(request.user)


@staff_board.register("qualification_approvals", "centres/panels/staff_approvals.html")
def waiting_qualification_approvals(request):
    waiting = waiting_approvals()
    return {"approvals": with_ages(waiting[:10], at="requested_at"), "total": waiting.count()}


# --- Centre users ----------------------------------------------------------------------------


@dashboard.register("pending_invitations", "centres/panels/invitations.html")
def pending_invitations(request):
    """For a centre admin: invitations still waiting to be accepted at their centres."""
    waiting = pending_invitations_for(request.user)
    invitations = list(waiting[:10])
    if not invitations:
        return None
    return {"invitations": invitations, "total": waiting.count(), "now": timezone.now()}


@staff_board.register("head_changes", "centres/panels/staff_head_changes.html")
def head_of_centre_changes(request):
    changes = recent_head_changes()
    return {"changes": list(changes[:10]), "total": changes.count(), "days": HEAD_CHANGES_DAYS}
