"""Read queries that views and tasks share, scoped to a centre and free of N+1 queries."""

from django.db.models import (
    Count,
    Exists,
    FilteredRelation,
    Max,
    Min,
    OuterRef,
    Q,
    Value,
)
from django.utils import timezone

from centres.models import Centre, Qualification, QualificationApproval, Role
from centres.selectors import roles_at
from entries.models import Candidate, Entry
from ocradmin.figures import Kept, keep, kept

from .models import (
    AssessmentMaterial,
    CentreSubmission,
    Grade,
    GradeSeries,
    HeadReminder,
    QualificationGrades,
    TeacherAssignment,
)


def current_series() -> GradeSeries | None:
    return GradeSeries.objects.filter(is_current=True).first()


def qualifications_for_grader(user, centre, series):
    """The qualifications a user may grade at a centre: every TAG qualification the centre
    has named entries for (centre admin), or those assigned to them (teacher)."""
    entered = entered_tag_qualifications(centre)
    if Role.CENTRE_ADMIN in roles_at(user, centre):
        return entered
    return entered.filter(
        pk__in=TeacherAssignment.objects.filter(series=series, centre=centre, teacher=user).values(
            "qualification_id"
        )
    )


# --- Grading: the qualifications page and the grid -------------------------------------------


def _live_named_entries(centre):
    return Entry.objects.filter(centre=centre, kind=Entry.Kind.NAMED, status__in=Entry.LIVE)


def entered_tag_qualifications(centre):
    """Every TAG qualification the centre has live named entries for: a probe of the centre's
    entries per TAG qualification (a few dozen), never a walk through every centre's entries
    of a qualification."""
    return Qualification.objects.filter(
        Exists(_live_named_entries(centre).filter(qualification_id=OuterRef("pk"))),
        available_for_tags=True,
    )


def sees_every_qualification(user, centre) -> bool:
    """Whether a user sees the grades of every qualification at a centre (a centre admin, head
    of centre or staff), rather than only those assigned to them (a teacher)."""
    roles = roles_at(user, centre)
    return user.is_staff or Role.CENTRE_ADMIN in roles or Role.HEAD_OF_CENTRE in roles


def qualifications_for_viewer(user, centre, series):
    """The qualifications whose grades a user sees at a centre: all of them for a centre admin,
    head of centre or staff; the assigned ones for a teacher."""
    if sees_every_qualification(user, centre):
        return entered_tag_qualifications(centre)
    return qualifications_for_grader(user, centre, series)


def entered_candidates(centre, qualification):
    """The centre's candidates with a live named entry for the qualification (once each, even
    with several unit entries), by candidate number."""
    return Candidate.objects.filter(
        centre=centre,
        pk__in=_live_named_entries(centre)
        .filter(qualification=qualification)
        .values("candidate_id"),
    ).order_by("candidate_number")


def entered_candidate_ids(centre, qualification) -> set[int]:
    """The ids of ``entered_candidates``, in one query with no list of ids to match: quick for
    a whole centre (a list of ids or numbers next to the entries subquery makes SQLite probe
    its index once per pair)."""
    return set(
        _live_named_entries(centre)
        .filter(qualification=qualification)
        .order_by()
        .values_list("candidate_id", flat=True)
        .distinct()
    )


GRID_FIELDS = ("pk", "candidate_number", "first_name", "last_name", "uci")


def grid_rows(series, centre, qualification, start: int, stop: int) -> list[tuple]:
    """The grid's rows ``start``–``stop`` of ``entered_candidates``: each candidate's
    ``GRID_FIELDS`` then its grade and version (None, None without a grade row), in one query
    and without a model per candidate or grade."""
    return list(
        entered_candidates(centre, qualification)
        .annotate(
            grade_row=FilteredRelation(
                "tags", condition=Q(tags__series=series, tags__qualification=qualification)
            )
        )
        .values_list(*GRID_FIELDS, "grade_row__grade", "grade_row__version")[start:stop]
    )


def grades_by_candidate(series, centre, qualification, candidate_ids=None) -> dict:
    """``{candidate_id: Grade}`` for the qualification at the centre, in one query."""
    grades = Grade.objects.filter(series=series, centre=centre, qualification=qualification)
    if candidate_ids is not None:
        grades = grades.filter(candidate_id__in=candidate_ids)
    return {g.candidate_id: g for g in grades.select_related("updated_by")}


def grade_versions(series, centre, qualification) -> dict:
    """``{candidate_id: (grade, version)}`` for the qualification at the centre: the values a
    save is checked against, without building a model per grade; one query."""
    return {
        candidate_id: (grade, version)
        for candidate_id, grade, version in Grade.objects.filter(
            series=series, centre=centre, qualification=qualification
        )
        .order_by()
        .values_list("candidate_id", "grade", "version")
    }


def grading_progress(series, centre, qualification_ids) -> dict:
    """``{qualification_id: (graded, total)}``: entered candidates, and how many of them have a
    grade; two queries whatever the number of qualifications."""
    entries = _live_named_entries(centre).filter(qualification_id__in=qualification_ids)
    totals = dict(
        entries.values("qualification_id")
        .annotate(n=Count("candidate_id", distinct=True))
        .values_list("qualification_id", "n")
    )
    graded = dict(
        Grade.objects.filter(series=series, centre=centre, qualification_id__in=qualification_ids)
        .exclude(grade="")
        .filter(
            Exists(
                entries.filter(
                    candidate_id=OuterRef("candidate_id"),
                    qualification_id=OuterRef("qualification_id"),
                )
            )
        )
        .order_by()  # Grade's default order would join the candidates
        .values("qualification_id")
        .annotate(n=Count("id"))
        .values_list("qualification_id", "n")
    )
    return {pk: (graded.get(pk, 0), totals.get(pk, 0)) for pk in qualification_ids}


def materials_for_centre(centre, series):
    """The series' materials for the TAG qualifications the centre is approved for."""
    return (
        AssessmentMaterial.objects.filter(
            series=series,
            qualification__available_for_tags=True,
            qualification__approvals__centre=centre,
            qualification__approvals__status=QualificationApproval.Status.APPROVED,
        )
        .select_related("qualification")
        .order_by("qualification__title", "title")
    )


def assignments_at(centre, series):
    return (
        TeacherAssignment.objects.filter(series=series, centre=centre)
        .select_related("teacher", "qualification")
        .order_by("qualification__title", "teacher__full_name")
    )


def tag_qualifications_approved_at(centre):
    return Qualification.objects.filter(
        available_for_tags=True,
        approvals__centre=centre,
        approvals__status=QualificationApproval.Status.APPROVED,
    ).order_by("title")


# --- Staff: how far every centre's grades have gone -------------------------------------------

PROGRESS_SECONDS = 300

CENTRE_STATES = {
    "submitted": "Submitted",
    "with_head": "With the head of centre",
    "grading": "Being graded",
    "not_started": "Not started",
}
NOT_SUBMITTED = "not_submitted"
STATE_CODES = {"submitted": "S", "with_head": "H", "grading": "G", "not_started": "N"}
STATES_BY_CODE = {code: state for state, code in STATE_CODES.items()}
# A centre's row on the progress page, as kept.
CENTRE_ROW = (
    "pk",
    "number",
    "name",
    "submitted_at",
    "state",
    "qualifications_entered",
    "qualifications_approved",
)
WITH_HEAD = (QualificationGrades.Status.SENT, QualificationGrades.Status.APPROVED)


def work_out_progress(series) -> dict:
    """How far every centre's grades have gone, for the staff board and progress page, from
    five whole-series reads (entries, submissions, qualification states, grades, centres):

    - ``"rows"``: per qualification, the centres that have submitted, are with the head of
      centre (sent or approved), are grading, or have not started (by entry code);
    - ``"centres"``: ``{"centres": …, "by_qualification": …}``: every centre with candidates
      entered for a graded qualification, by number (a tuple of ``CENTRE_ROW``); and per
      qualification, the centres entered for it (their places in ``"centres"``), each one's
      state of that qualification's grades (a letter of ``STATE_CODES``) and whether the head
      of centre approved them (``"1"``/``"0"``).

    Kept compact (strings and tuples, not a dict per pair): every page view reads it back.

    It reads every centre's entries and grades (about a second at 5,000 centres), so beat works
    it out every five minutes (``grades.tasks.keep_progress``) and the pages read it kept."""
    pairs = (
        Entry.objects.filter(
            kind=Entry.Kind.NAMED, status__in=Entry.LIVE, qualification__available_for_tags=True
        )
        .order_by()
        .values_list("centre_id", "qualification_id")
        .distinct()
    )
    submitted = dict(
        CentreSubmission.objects.filter(series=series).values_list("centre_id", "submitted_at")
    )
    statuses = {
        (c, q): s
        for c, q, s in QualificationGrades.objects.filter(series=series).values_list(
            "centre_id", "qualification_id", "status"
        )
    }
    graded = set(
        Grade.objects.filter(series=series)
        .exclude(grade="")
        .order_by()
        .values_list("centre_id", "qualification_id")
        .distinct()
    )
    counts: dict[int, dict] = {}
    by_centre: dict[int, dict] = {}
    for centre_id, qualification_id in pairs:
        status = statuses.get((centre_id, qualification_id))
        if centre_id in submitted:
            state = "submitted"
        elif status in WITH_HEAD:
            state = "with_head"
        elif (centre_id, qualification_id) in graded:
            state = "grading"
        else:
            state = "not_started"
        approved = status == QualificationGrades.Status.APPROVED
        by_centre.setdefault(centre_id, {})[qualification_id] = (state, approved)
        row = counts.setdefault(qualification_id, dict.fromkeys(CENTRE_STATES, 0))
        row[state] += 1
    qualifications = Qualification.objects.in_bulk(list(counts))
    centres = []
    placed: dict[int, list] = {}
    for place, (pk, number, name) in enumerate(
        Centre.objects.filter(pk__in=list(by_centre))
        .order_by("number")
        .values_list("pk", "number", "name")
    ):
        states = by_centre[pk]
        centres.append(
            (
                pk,
                number,
                name,
                submitted.get(pk),
                _overall_state(pk in submitted, states.values()),
                len(states),
                sum(approved for _, approved in states.values()),
            )
        )
        for qualification_id, (state, approved) in states.items():
            placed.setdefault(qualification_id, []).append((place, state, approved))
    return {
        "rows": sorted(
            ({"qualification": qualifications[pk], **row} for pk, row in counts.items()),
            key=lambda row: row["qualification"].entry_code,
        ),
        "centres": {
            "centres": centres,
            "by_qualification": {
                qualification_id: (
                    tuple(place for place, _, _ in rows),
                    "".join(STATE_CODES[state] for _, state, _ in rows),
                    "".join("1" if approved else "0" for _, _, approved in rows),
                )
                for qualification_id, rows in placed.items()
            },
        },
    }


PROGRESS_PARTS = ("rows", "centres")


def _progress_key(series, part: str) -> str:
    return f"grades:progress:{series.pk}:{part}"


def keep_progress(series) -> dict[str, Kept]:
    """Work out ``work_out_progress`` now and keep it for the pages (beat, every five minutes),
    in two parts: the board reads only the small one (``rows``)."""
    progress = work_out_progress(series)
    return {
        part: keep(
            _progress_key(series, part), lambda part=part: progress[part], seconds=PROGRESS_SECONDS
        )
        for part in PROGRESS_PARTS
    }


def series_progress(series, part: str) -> Kept:
    """A part of the kept ``work_out_progress`` (worked out now only when beat has kept none);
    the pages show its ``as_at``."""
    return kept(
        _progress_key(series, part),
        lambda: keep_progress(series)[part].value,
        seconds=PROGRESS_SECONDS,
    )


def series_progress_summary(series) -> dict:
    """The staff board's table: ``{"rows": …, "as_at": when}``."""
    progress = series_progress(series, "rows")
    return {"rows": progress.value, "as_at": progress.as_at}


def _overall_state(submitted: bool, states) -> str:
    """A centre's state over its qualifications' ``(state, approved)``: submitted, else with the
    head of centre if any is, else being graded if any is, else not started."""
    if submitted:
        return "submitted"
    found = {state for state, _ in states}
    return next((s for s in ("with_head", "grading") if s in found), "not_started")


def centres_for_staff(series, *, status: str = "", qualification=None, search: str = ""):
    """The centres on the staff progress page, from the kept progress: ``(rows, as_at)``, a
    tuple of ``CENTRE_ROW`` per centre entered for a graded qualification (or for
    ``qualification``, whose state it then shows), by number, narrowed to a state (or
    ``not_submitted``) and a search on the centre's number or name. Plain tuples, as kept: the
    list is every centre, and only a page of them becomes more (``staff_centre_page``)."""
    progress = series_progress(series, "centres")
    rows = progress.value["centres"]
    if qualification is not None:
        places, states, approved = progress.value["by_qualification"].get(
            qualification.pk, ((), "", "")
        )
        rows = [
            (*rows[place][:4], STATES_BY_CODE[code], 1, int(flag))
            for place, code, flag in zip(places, states, approved, strict=True)
        ]
    if status == NOT_SUBMITTED:
        rows = [row for row in rows if row[4] != "submitted"]
    elif status in CENTRE_STATES:
        rows = [row for row in rows if row[4] == status]
    search = " ".join(search.split())[:100].casefold()
    if search:
        rows = [row for row in rows if row[1].startswith(search) or search in row[2].casefold()]
    return rows, progress.as_at


def staff_centre_page(series, rows) -> list[Centre]:
    """A page of ``centres_for_staff`` rows as centres, with the figures of each row, the head
    of centre and when the head was last reminded (read now, not kept: staff remind from this
    page); two queries."""
    ids = [row[0] for row in rows]
    centres = Centre.objects.select_related("head").in_bulk(ids)
    reminded = dict(
        HeadReminder.objects.filter(series=series, centre_id__in=ids)
        .values("centre_id")
        .annotate(last=Max("sent_at"))
        .values_list("centre_id", "last")
        .order_by()
    )
    page = []
    for row in rows:
        centre = centres[row[0]]
        for name, value in zip(CENTRE_ROW[3:], row[3:], strict=True):
            setattr(centre, name, value)
        centre.last_reminded_at = reminded.get(centre.pk)
        page.append(centre)
    return page


# --- Staff: the submitted grades file ----------------------------------------------------------

SUBMITTED_GRADE_FIELDS = (
    "centre__number",
    "centre__name",
    "qualification__entry_code",
    "qualification__title",
    "submitted_candidate_number",
    "submitted_uci",
    "submitted_last_name",
    "submitted_first_name",
    "grade",
)


def submitted_grades(series):
    """Every grade of every submitted centre, for the staff export, with the candidate as the
    centre submitted them: tuples of ``SUBMITTED_GRADE_FIELDS`` by centre, qualification and
    candidate number (no model objects: a national export has hundreds of thousands of rows)."""
    return (
        Grade.objects.filter(
            series=series,
            centre_id__in=CentreSubmission.objects.filter(series=series).values("centre_id"),
        )
        .exclude(grade="")
        .order_by("centre__number", "qualification__entry_code", "submitted_candidate_number")
        .values_list(*SUBMITTED_GRADE_FIELDS)
    )


# --- The dashboard -------------------------------------------------------------------------


def grades_overview(
    series, centre_ids, *, teacher=None, assigned_only=False, graded_at=None
) -> dict:
    """For the dashboard, every TAG qualification with live named entries at those of these
    centres that have not submitted the series' grades: ``{(centre id, qualification id):
    {"code", "title", "total", "graded", "status", "return_comment", "sent_by", "assigned"}}``.

    ``assigned`` says whether ``teacher`` (if given) is assigned to grade it; with
    ``assigned_only`` the overview holds only those qualifications. ``graded`` (how
    many of its candidates have a grade) is counted only where it is read: at the centres
    ``graded_at`` (every centre when ``None``) and for the teacher's assigned qualifications;
    elsewhere it is ``None``. Two or three queries whatever the number of centres."""
    if not centre_ids:
        return {}
    entries = Entry.objects.filter(
        centre_id__in=centre_ids,
        kind=Entry.Kind.NAMED,
        status__in=Entry.LIVE,
        qualification__available_for_tags=True,
    )
    totals = (
        entries.values("centre_id", "qualification_id")
        .annotate(
            n=Count("candidate_id", distinct=True),
            code=Min("qualification__entry_code"),
            title=Min("qualification__title"),
        )
        .annotate(
            submitted=Exists(
                CentreSubmission.objects.filter(
                    series=series, centre_id__in=centre_ids, centre_id=OuterRef("centre_id")
                )
            )
        )
        .order_by()
    )
    if teacher is not None:
        assigned = Exists(
            TeacherAssignment.objects.filter(
                series=series,
                teacher=teacher,
                centre_id=OuterRef("centre_id"),
                qualification_id=OuterRef("qualification_id"),
            )
        )
        if assigned_only:
            totals = totals.filter(assigned).annotate(assigned=Value(True))
        else:
            totals = totals.annotate(assigned=assigned)
    rows = {
        (t["centre_id"], t["qualification_id"]): {
            "code": t["code"],
            "title": t["title"],
            "total": t["n"],
            "graded": None,
            "status": QualificationGrades.Status.IN_PROGRESS,
            "return_comment": "",
            "sent_by": "",
            "assigned": t.get("assigned", False),
        }
        for t in totals
        if not t["submitted"]
    }
    if not rows:
        return {}
    for state in (
        QualificationGrades.objects.filter(series=series, centre_id__in={c for c, _ in rows})
        .order_by()
        .values("centre_id", "qualification_id", "status", "return_comment", "sent_by__full_name")
    ):
        if (key := (state["centre_id"], state["qualification_id"])) in rows:
            rows[key].update(
                status=state["status"],
                return_comment=state["return_comment"],
                sent_by=state["sent_by__full_name"] or "",
            )
    counted = {
        key
        for key, row in rows.items()
        if row["assigned"] or graded_at is None or key[0] in graded_at
    }
    if counted:
        in_counted = {
            "centre_id__in": {c for c, _ in counted},
            "qualification_id__in": {q for _, q in counted},
        }
        graded = (
            Grade.objects.filter(series=series, **in_counted)
            .exclude(grade="")
            .filter(
                Exists(
                    Entry.objects.filter(
                        kind=Entry.Kind.NAMED,
                        status__in=Entry.LIVE,
                        **in_counted,
                        qualification_id=OuterRef("qualification_id"),
                        centre_id=OuterRef("centre_id"),
                        candidate_id=OuterRef("candidate_id"),
                    )
                )
            )
            .values("centre_id", "qualification_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        for key in counted:
            rows[key]["graded"] = 0
        for g in graded:
            if (key := (g["centre_id"], g["qualification_id"])) in counted:
                rows[key]["graded"] = g["n"]
    return rows


def materials_available(series, centre_ids, now=None) -> dict[int, int]:
    """``{centre id: how many of the series' materials it may download now}`` (one query)."""
    if not centre_ids:
        return {}
    now = now or timezone.now()
    return dict(
        AssessmentMaterial.objects.filter(
            series=series,
            available_from__lte=now,
            qualification__available_for_tags=True,
            qualification__approvals__centre_id__in=centre_ids,
            qualification__approvals__status=QualificationApproval.Status.APPROVED,
        )
        .values("qualification__approvals__centre_id")
        .annotate(n=Count("id", distinct=True))
        .order_by()
        .values_list("qualification__approvals__centre_id", "n")
    )


def grade_distribution(series, centre, qualifications) -> dict:
    """``{qualification id: [(grade, how many), …]}`` in each qualification's scale order (every
    grade of the scale, zeros included), for the head of centre's review; one query."""
    counts: dict = {}
    for qualification_id, grade, n in (
        Grade.objects.filter(
            series=series, centre=centre, qualification__in=[q.pk for q in qualifications]
        )
        .exclude(grade="")
        .values("qualification_id", "grade")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("qualification_id", "grade", "n")
    ):
        counts.setdefault(qualification_id, {})[grade] = n
    return {
        q.pk: [(grade, counts.get(q.pk, {}).get(grade, 0)) for grade in q.grade_scale]
        for q in qualifications
    }
