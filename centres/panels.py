from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from ocradmin.pages import Task, dashboard, dashboard_tasks, first_and_total, staff_board

from .models import CentreApplication, Invitation, QualificationApproval, Role
from .navigation import register_section
from .selectors import (
    HEAD_CHANGES_DAYS,
    centres_for,
    centres_where,
    pending_applications,
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
        # What the panel shows, and no more (most people have no application).
        .only("name", "status", "submitted_at", "rejection_reason", "centre__number")
        .order_by("-created_at", "-pk")[:10]
    )
    return {"applications": applications} if applications else None


@staff_board.register("centre_applications", "centres/panels/staff_applications.html")
def waiting_centre_applications(request):
    waiting, total = first_and_total(pending_applications(), 10)
    return {"applications": with_ages(waiting, at="submitted_at"), "total": total}


# --- Qualification approvals -----------------------------------------------------------------

register_section(
    key="qualifications",
    label="Qualifications",
    url_name="centres:approvals",
    permission="centres.view_approvals",
)


DECIDED_DAYS = 30  # how long a decision stays on the centre admin's dashboard


@dashboard_tasks.register("qualification_approvals")
def approval_tasks(request) -> list[Task]:
    """For a centre admin: approvals staff decided in the last 30 days (act on the decision)."""
    centres = {c.pk: c for c in centres_where(request.user, Role.CENTRE_ADMIN)}
    if not centres:
        return []
    Status = QualificationApproval.Status
    decided = (
        QualificationApproval.objects.filter(
            centre_id__in=centres,
            status__in=[Status.APPROVED, Status.REJECTED],
            decided_at__gte=timezone.now() - timedelta(days=DECIDED_DAYS),
        )
        .values(
            "centre_id",
            "status",
            "rejection_reason",
            "qualification__entry_code",
            "qualification__title",
        )
        .order_by("-decided_at")
    )
    tasks = []
    for approval in decided:
        centre, code = centres[approval["centre_id"]], approval["qualification__entry_code"]
        if approval["status"] == Status.APPROVED:
            tasks.append(
                Task(
                    title=f"Make entries for {code}: approved",
                    url=reverse("entries:list", args=[centre.number]),
                    detail=f"The awarding body approved the centre to offer "
                    f"{code} {approval['qualification__title']}.",
                    centre=str(centre),
                )
            )
        else:
            tasks.append(
                Task(
                    title=f"Request to offer {code} rejected: read the reason",
                    url=reverse("centres:approvals", args=[centre.number]),
                    detail=f"Reason: {approval['rejection_reason']}",
                    centre=str(centre),
                )
            )
    return tasks


@staff_board.register("qualification_approvals", "centres/panels/staff_approvals.html")
def waiting_qualification_approvals(request):
    waiting, total = first_and_total(waiting_approvals(), 10)
    return {"approvals": with_ages(waiting, at="requested_at"), "total": total}


# --- Centre users ----------------------------------------------------------------------------


@dashboard_tasks.register("pending_invitations")
def invitation_tasks(request) -> list[Task]:
    """For a centre admin: one task per centre with invitations still waiting to be accepted,
    due when the first expires (one query whatever the number of centres)."""
    centres = {c.pk: c for c in centres_where(request.user, Role.CENTRE_ADMIN)}
    if not centres:
        return []
    waiting: dict[int, list] = {}
    for centre_id, full_name, email, expires_at in (
        Invitation.objects.filter(centre_id__in=centres, status=Invitation.Status.PENDING)
        .order_by("expires_at", "pk")
        .values_list("centre_id", "full_name", "email", "expires_at")
    ):
        waiting.setdefault(centre_id, []).append((full_name, email, expires_at))
    tasks = []
    for centre_id, invitations in waiting.items():
        centre, n = centres[centre_id], len(invitations)
        names = ", ".join(f"{name} ({email})" for name, email, _ in invitations[:3])
        more = f" and {n - 3} more" if n > 3 else ""
        tasks.append(
            Task(
                title=f"{n} invitation{'s' if n != 1 else ''} not yet accepted",
                url=reverse("centres:users", args=[centre.number]),
                due=invitations[0][2],
                detail=f"{names}{more}. Remind them, or invite them again once an invitation "
                "expires.",
                centre=str(centre),
            )
        )
    return tasks


@staff_board.register("head_changes", "centres/panels/staff_head_changes.html")
def head_of_centre_changes(request):
    changes, total = first_and_total(recent_head_changes(), 10)
    return {"changes": changes, "total": total, "days": HEAD_CHANGES_DAYS}
