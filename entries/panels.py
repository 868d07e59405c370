"""Centre tabs, dashboard tasks and staff board sections of the entries app."""

from datetime import timedelta

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone

from centres.models import Role
from centres.navigation import register_section
from centres.selectors import centres_where
from ocradmin.pages import Task, dashboard_tasks, staff_board
from ocradmin.workdays import working_days_since

from .models import AccessArrangement, Entry
from .selectors import WAITING, correction_summary, entry_clock, referral_summary

RECENT_DAYS = 30  # how long a rejection stays on the centre admin's dashboard

register_section(
    key="candidates",
    label="Candidates",
    url_name="entries:candidates",
    permission="entries.view_candidates",
)
register_section(
    key="arrangements",
    label="Access arrangements",
    url_name="entries:arrangements",
    permission="entries.view_arrangements",
)
register_section(
    key="entries", label="Entries", url_name="entries:list", permission="entries.view_entries"
)


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


@dashboard_tasks.register("entries")
def entry_tasks(request) -> list[Task]:
    """For a centre admin, per centre: entries waiting to be processed (due by the first one's
    48-hour deadline) and entries rejected in the last 30 days; one query for every centre."""
    centres = {c.pk: c for c in centres_where(request.user, Role.CENTRE_ADMIN)}
    if not centres:
        return []
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    waiting = Q(status__in=WAITING)
    rejected = Q(status=Entry.Status.REJECTED, processed_at__gte=since)
    # The status list first lets the centre-and-status index find the few rows.
    rows = (
        Entry.objects.filter(
            waiting | rejected,
            centre_id__in=centres,
            status__in=[*WAITING, Entry.Status.REJECTED],
        )
        .values("centre_id")
        .annotate(
            waiting=Count("id", filter=waiting),
            with_staff=Count("id", filter=Q(status=Entry.Status.NEEDS_REVIEW)),
            earliest=Min("process_by", filter=waiting),
            rejected=Count("id", filter=rejected),
        )
        .order_by()
    )
    tasks = []
    for row in rows:
        centre = centres[row["centre_id"]]
        caption = str(centre)
        entries_url = reverse("entries:list", args=[centre.number])
        if row["waiting"]:
            staff = f"; {row['with_staff']} with awarding-body staff" if row["with_staff"] else ""
            tasks.append(
                Task(
                    title=_plural(row["waiting"], "entry", "entries") + " awaiting processing",
                    url=entries_url,
                    due=row["earliest"],
                    detail="Processing runs every 15 minutes and decides each entry within 48 "
                    f"hours; you will be told the outcome{staff}.",
                    centre=caption,
                )
            )
        if row["rejected"]:
            tasks.append(
                Task(
                    title=_plural(row["rejected"], "entry", "entries")
                    + " rejected: read the reasons",
                    url=entries_url + "?status=rejected",
                    detail="Correct and enter them again, or withdraw them.",
                    centre=caption,
                )
            )
    return tasks


@dashboard_tasks.register("arrangements")
def arrangement_tasks(request) -> list[Task]:
    """For a centre admin: access arrangements the awarding body rejected in the last 30 days,
    per centre, due by the first planned assessment (one query)."""
    centres = {c.pk: c for c in centres_where(request.user, Role.CENTRE_ADMIN)}
    if not centres:
        return []
    rows = (
        AccessArrangement.objects.filter(
            centre_id__in=centres,
            status=AccessArrangement.Status.REJECTED,
            decided_at__gte=timezone.now() - timedelta(days=RECENT_DAYS),
        )
        .values("centre_id")
        .annotate(n=Count("id"), first=Min("first_assessment_on"))
        .order_by()
    )
    tasks = []
    for row in rows:
        centre = centres[row["centre_id"]]
        tasks.append(
            Task(
                title=_plural(row["n"], "access arrangement", "access arrangements")
                + " rejected by the awarding body",
                url=reverse("entries:arrangements", args=[centre.number]) + "?status=rejected",
                due=row["first"],
                detail="Read the reason and arrange what the candidate can have before the "
                "first assessment.",
                centre=str(centre),
            )
        )
    return tasks


@staff_board.register("entry_clock", "entries/panels/staff_entry_clock.html")
def entry_clock_panel(request):
    return {"clock": entry_clock()}


@staff_board.register("referred_arrangements", "entries/panels/referred_arrangements.html")
def referred_arrangements_panel(request):
    summary = referral_summary()
    oldest = summary["oldest"]
    return {
        "count": summary["count"],
        "oldest_age": working_days_since(oldest) if oldest else None,
    }


@staff_board.register("candidate_corrections", "entries/panels/candidate_corrections.html")
def candidate_corrections_panel(request):
    summary = correction_summary()
    oldest = summary["oldest"]
    return {
        "count": summary["count"],
        "oldest_age": working_days_since(oldest) if oldest else None,
    }
