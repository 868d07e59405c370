"""Centre tabs, dashboard tasks and staff board sections of the grades app."""

from django.urls import reverse
from django.utils import timezone

from centres.models import Role
from centres.navigation import register_section
from centres.selectors import memberships_of
from ocradmin.pages import Task, dashboard_tasks, staff_board

from .models import CentreSubmission, QualificationGrades, TeacherAssignment
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
    the number of centres or qualifications."""
    user = request.user
    by_role: dict[str, dict] = {}
    for m in memberships_of(user):
        by_role.setdefault(m.role, {})[m.centre_id] = m.centre
    if not by_role:
        return []
    series = current_series()
    if series is None:
        return []
    now = timezone.now()
    tasks = _materials_tasks(series, by_role.get(Role.AAM_USER, {}), now)
    if not window(series, "submission").is_open(now):
        return tasks
    grading_roles = (Role.TEACHER, Role.CENTRE_ADMIN, Role.HEAD_OF_CENTRE)
    centres = {pk: c for role in grading_roles for pk, c in by_role.get(role, {}).items()}
    submitted = set(
        CentreSubmission.objects.filter(series=series, centre_id__in=centres).values_list(
            "centre_id", flat=True
        )
    )
    centres = {pk: c for pk, c in centres.items() if pk not in submitted}
    overview = grades_overview(series, list(centres))
    closes = series.submission_closes_at
    tasks += _teacher_tasks(user, series, by_role.get(Role.TEACHER, {}), centres, overview, closes)
    tasks += _admin_tasks(by_role.get(Role.CENTRE_ADMIN, {}), centres, overview, closes)
    tasks += _head_tasks(by_role.get(Role.HEAD_OF_CENTRE, {}), centres, overview, closes)
    return tasks


def _grid(centre, qualification) -> str:
    return reverse("grades:qualification", args=[centre.number, qualification.entry_code])


def _teacher_tasks(user, series, teaching, centres, overview, closes) -> list[Task]:
    teaching = {pk for pk in teaching if pk in centres}
    if not teaching:
        return []
    assigned = TeacherAssignment.objects.filter(
        series=series, teacher=user, centre_id__in=teaching
    ).values_list("centre_id", "qualification_id")
    tasks = []
    for centre_id, qualification_id in sorted(assigned):
        row = overview.get((centre_id, qualification_id))
        if row is None or row["total"] == 0 or row["status"] not in NOT_SENT:
            continue
        centre, qualification = centres[centre_id], row["qualification"]
        code, progress = qualification.entry_code, _of(row["graded"], row["total"])
        if row["status"] == Status.RETURNED:
            title = f"Change the {code} grades the head of centre returned, and send them again"
            detail = f"The head of centre said: “{row['return_comment']}” ({progress})."
        elif row["graded"] < row["total"]:
            title = f"Grade {code} — {progress}"
            detail = f"{qualification.title}. Then send the grades to the head of centre."
        else:
            title = f"Send {code} for approval — {progress}"
            detail = f"{qualification.title}: every candidate has a grade."
        tasks.append(
            Task(
                title=title,
                url=_grid(centre, qualification),
                due=closes,
                detail=detail,
                centre=str(centre),
            )
        )
    return tasks


def _admin_tasks(administered, centres, overview, closes) -> list[Task]:
    tasks = []
    for centre_id, centre in sorted(administered.items(), key=lambda i: i[1].number):
        if centre_id not in centres:
            continue
        waiting = sorted(
            (row for (c, _), row in overview.items() if c == centre_id),
            key=lambda row: row["qualification"].entry_code,
        )
        not_sent = [row for row in waiting if row["status"] in NOT_SENT]
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
                    f"{row['qualification'].entry_code} {_of(row['graded'], row['total'])}"
                    + (" (returned)" if row["status"] == Status.RETURNED else "")
                    for row in not_sent
                ),
                centre=str(centre),
            )
        )
    return tasks


def _head_tasks(heading, centres, overview, closes) -> list[Task]:
    tasks = []
    for centre_id, centre in sorted(heading.items(), key=lambda i: i[1].number):
        if centre_id not in centres:
            continue
        rows = sorted(
            (row for (c, _), row in overview.items() if c == centre_id),
            key=lambda row: row["qualification"].entry_code,
        )
        for row in rows:
            if row["status"] != Status.SENT:
                continue
            qualification = row["qualification"]
            sent_by = f", sent by {row['sent_by']}" if row["sent_by"] else ""
            tasks.append(
                Task(
                    title=f"Approve or return the {qualification.entry_code} grades",
                    url=_grid(centre, qualification),
                    due=closes,
                    detail=f"{qualification.title}: {row['total']} candidate"
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
