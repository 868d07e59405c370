"""Centre tabs, dashboard tasks and staff board sections of the grades app."""

from django.urls import reverse
from django.utils import timezone

from centres.models import Role
from centres.navigation import register_section
from centres.selectors import memberships_of
from ocradmin.pages import Task, dashboard_tasks, staff_board

from .models import QualificationGrades
from .selectors import (
    current_series,
    grades_overview,
    materials_available,
    series_progress_summary,
)
from .services import window

register_section(
    key="grades", label="Grades", url_name="grades:index", permission="grades.view_grades"
)
register_section(
    key="grade_teachers",
    label="Grade teachers",
    url_name="grades:assignments",
    permission="grades.manage_assignments",
)
register_section(
    key="materials",
    label="Materials",
    url_name="grades:materials",
    permission="grades.view_materials",
)


Status = QualificationGrades.Status
NOT_SENT = (Status.IN_PROGRESS, Status.RETURNED)


def _of(n: int, total: int) -> str:
    return f"{n} of {total} graded"


@dashboard_tasks.register("grades")
def grade_tasks(request) -> list[Task]:
    """While grades can be submitted, per centre that has not submitted: the teacher's
    qualifications to grade or returned to them, the centre admin's qualifications not yet
    sent, the head of centre's qualifications to approve and then the declaration; for an
    assessment materials user, the materials available. A fixed number of queries whatever
    the number of centres or qualifications (none for someone with no role at a centre)."""
    user = request.user
    by_role: dict[str, dict] = {}
    for m in memberships_of(user):
        by_role.setdefault(m.role, {})[m.centre_id] = m.centre
    grading_roles = (Role.TEACHER, Role.CENTRE_ADMIN, Role.HEAD_OF_CENTRE)
    if not any(role in by_role for role in (*grading_roles, Role.AAM_USER)):
        return []
    series = current_series()
    if series is None:
        return []
    now = timezone.now()
    tasks = _materials_tasks(series, by_role.get(Role.AAM_USER, {}), now)
    if not window(series, "submission").is_open(now):
        return tasks
    centres = {pk: c for role in grading_roles for pk, c in by_role.get(role, {}).items()}
    teaching = by_role.get(Role.TEACHER, {})
    administered = by_role.get(Role.CENTRE_ADMIN, {})
    heading = by_role.get(Role.HEAD_OF_CENTRE, {})
    # Centres that have submitted have no rows: nothing is left to do there.
    overview = grades_overview(
        series,
        list(centres),
        teacher=user if teaching else None,
        # Someone who only teaches reads only the qualifications assigned to them.
        assigned_only=not administered and not heading,
        graded_at=set(administered),
    )
    closes = series.submission_closes_at
    tasks += _teacher_tasks(teaching, centres, overview, closes)
    tasks += _admin_tasks(administered, overview, closes)
    tasks += _head_tasks(heading, overview, closes)
    return tasks


def _by_centre(overview) -> dict[int, list[dict]]:
    """The overview's rows per centre, by entry code."""
    rows: dict[int, list[dict]] = {}
    for (centre_id, _), row in sorted(overview.items(), key=lambda i: i[1]["code"]):
        rows.setdefault(centre_id, []).append(row)
    return rows


def _grid(centre, code) -> str:
    return reverse("grades:qualification", args=[centre.number, code])


def _teacher_tasks(teaching, centres, overview, closes) -> list[Task]:
    tasks = []
    for (centre_id, _), row in sorted(overview.items()):
        if centre_id not in teaching or not row["assigned"]:
            continue
        if row["total"] == 0 or row["status"] not in NOT_SENT:
            continue
        centre, code, progress = centres[centre_id], row["code"], _of(row["graded"], row["total"])
        if row["status"] == Status.RETURNED:
            title = f"Change the {code} grades the head of centre returned, and send them again"
            detail = f"The head of centre said: “{row['return_comment']}” ({progress})."
        elif row["graded"] < row["total"]:
            title = f"Grade {code} — {progress}"
            detail = f"{row['title']}. Then send the grades to the head of centre."
        else:
            title = f"Send {code} for approval — {progress}"
            detail = f"{row['title']}: every candidate has a grade."
        tasks.append(
            Task(
                title=title,
                url=_grid(centre, code),
                due=closes,
                detail=detail,
                centre=str(centre),
            )
        )
    return tasks


def _admin_tasks(administered, overview, closes) -> list[Task]:
    tasks = []
    by_centre = _by_centre(overview) if administered else {}
    for centre_id, centre in sorted(administered.items(), key=lambda i: i[1].number):
        not_sent = [row for row in by_centre.get(centre_id, ()) if row["status"] in NOT_SENT]
        if not not_sent:
            continue
        n = len(not_sent)
        tasks.append(
            Task(
                title="Grades not yet sent to the head of centre: "
                f"{n} qualification{'s' if n != 1 else ''}",
                url=reverse("grades:index", args=[centre.number]),
                due=closes,
                detail="; ".join(
                    f"{row['code']} {_of(row['graded'], row['total'])}"
                    + (" (returned)" if row["status"] == Status.RETURNED else "")
                    for row in not_sent
                ),
                centre=str(centre),
            )
        )
    return tasks


def _head_tasks(heading, overview, closes) -> list[Task]:
    tasks = []
    by_centre = _by_centre(overview) if heading else {}
    for centre_id, centre in sorted(heading.items(), key=lambda i: i[1].number):
        rows = by_centre.get(centre_id, [])
        for row in rows:
            if row["status"] != Status.SENT:
                continue
            sent_by = f", sent by {row['sent_by']}" if row["sent_by"] else ""
            tasks.append(
                Task(
                    title=f"Approve or return the {row['code']} grades",
                    url=_grid(centre, row["code"]),
                    due=closes,
                    detail=f"{row['title']}: {row['total']} candidate"
                    f"{'s' if row['total'] != 1 else ''}{sent_by}.",
                    centre=str(centre),
                )
            )
        if rows and all(row["status"] == Status.APPROVED for row in rows):
            tasks.append(
                Task(
                    title="Sign the declaration and submit the centre's grades",
                    url=reverse("grades:declaration", args=[centre.number]),
                    due=closes,
                    detail=f"Every qualification is approved ({len(rows)}). Once submitted, "
                    "nothing can be changed.",
                    centre=str(centre),
                )
            )
    return tasks


def _materials_tasks(series, aam_centres, now) -> list[Task]:
    if not aam_centres or not window(series, "materials").is_open(now):
        return []
    counts = materials_available(series, list(aam_centres), now)
    return [
        Task(
            title=f"{counts[pk]} assessment material{'s' if counts[pk] != 1 else ''} to download",
            url=reverse("grades:materials", args=[centre.number]),
            detail=f"{series.name}: for the qualifications the centre is approved for.",
            centre=str(centre),
        )
        for pk, centre in sorted(aam_centres.items(), key=lambda i: i[1].number)
        if counts.get(pk)
    ]


@staff_board.register("grades_progress", "grades/panels/staff_progress.html")
def grades_progress_panel(request):
    series = current_series()
    return {"series": series, **series_progress_summary(series)} if series else None
