"""Entering teacher-assessed grades: the service's refusals and versioning, the qualifications
page, the grid (htmx row saves and the whole-grid form) and who may do what."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from centres.models import Role
from entries.models import Entry
from grades.models import CentreSubmission, Grade, QualificationGrades, TeacherAssignment
from grades.services import GradeError, WindowClosed
from grades.services.grading import (
    StaleGrade,
    StaleGrades,
    grades_complete,
    save_grade,
    save_grades,
)
from ocradmin.models import AuditEvent

from ..entries.factories import CandidateFactory, UnitFactory
from ..factories import MembershipFactory, UserFactory
from .conftest import (
    bulk_entered,
    enter,
    entered_candidates,
    make_tag_qualification,
    set_grade,
)

# --- helpers --------------------------------------------------------------------------------


def save(series, centre, qualification, candidate, grade, version=0, by=None):
    return save_grade(
        series=series,
        centre=centre,
        qualification=qualification,
        candidate=candidate,
        grade=grade,
        expected_version=version,
        by=by,
    )


def grade_of(series, qualification, candidate):
    return Grade.objects.filter(
        series=series, qualification=qualification, candidate=candidate
    ).first()


def submit(series, centre, by):
    return CentreSubmission.objects.create(
        series=series,
        centre=centre,
        head_name="Pat Head",
        head_job_title="Headteacher",
        confirm_policy=True,
        confirm_quality_assured=True,
        confirm_evidence=True,
        confirm_evidence_kept=True,
        submitted_by=by,
    )


def set_status(series, centre, qualification, status):
    QualificationGrades.objects.update_or_create(
        series=series, centre=centre, qualification=qualification, defaults={"status": status}
    )


def url(name, centre, qualification=None, *args):
    params = [centre.number]
    if qualification is not None:
        params.append(qualification.entry_code)
    return reverse(f"grades:{name}", args=[*params, *args])


# --- save_grade: saving, versions and the audit trail ---------------------------------------


def test_first_save_creates_the_grade_at_version_one_and_audits_it(
    series, centre, qualification, candidates, assigned_teacher
):
    grade = save(series, centre, qualification, candidates[0], "M", 0, assigned_teacher)

    grade.refresh_from_db()
    assert (grade.grade, grade.version, grade.updated_by) == ("M", 1, assigned_teacher)
    event = AuditEvent.objects.get(action="grade.changed")
    assert event.actor == assigned_teacher
    assert event.centre == centre
    assert event.data == {
        "candidate": candidates[0].candidate_number,
        "qualification": qualification.entry_code,
        "old": "",
        "new": "M",
    }


def test_a_change_records_old_and_new_and_bumps_the_version(
    series, centre, qualification, candidates, people
):
    set_grade(series, qualification, candidates[0], "P", version=3)

    grade = save(series, centre, qualification, candidates[0], "D", 3, people["centre_admin"])

    assert (grade.grade, grade.version) == ("D", 4)
    assert grade_of(series, qualification, candidates[0]).version == 4
    assert AuditEvent.objects.get(action="grade.changed").data["old"] == "P"
    assert AuditEvent.objects.get(action="grade.changed").data["new"] == "D"


def test_clearing_a_grade_is_allowed(series, centre, qualification, candidates, people):
    set_grade(series, qualification, candidates[0], "P", version=1)

    save(series, centre, qualification, candidates[0], "", 1, people["centre_admin"])

    assert grade_of(series, qualification, candidates[0]).grade == ""


def test_saving_the_same_value_is_a_no_op(series, centre, qualification, candidates, people):
    set_grade(series, qualification, candidates[0], "M", version=2)

    grade = save(series, centre, qualification, candidates[0], "M", 2, people["centre_admin"])

    assert grade.version == 2
    assert grade_of(series, qualification, candidates[0]).version == 2
    assert not AuditEvent.objects.filter(action="grade.changed").exists()


def test_a_stale_version_is_refused_with_the_current_value(
    series, centre, qualification, candidates, people
):
    ana = UserFactory(full_name="Ana Teacher")
    set_grade(series, qualification, candidates[0], "B", version=1, by=ana)
    qualification.grade_scale = ["A", "B", "C", "U"]
    qualification.save()

    with pytest.raises(StaleGrade) as refused:
        save(series, centre, qualification, candidates[0], "C", 0, people["centre_admin"])

    # 11:30 UTC is 12:30 in London in June.
    assert str(refused.value) == (
        "Ana Teacher changed this to B at 12:30; your change was not saved. "
        "The current grade is shown."
    )
    assert (refused.value.current, refused.value.version) == ("B", 1)
    grade = grade_of(series, qualification, candidates[0])
    assert (grade.grade, grade.version, grade.updated_by) == ("B", 1, ana)
    assert not AuditEvent.objects.exists()


# --- save_grade: refusals -------------------------------------------------------------------


def assert_nothing_saved(series, qualification):
    assert (
        not Grade.objects.filter(series=series, qualification=qualification)
        .exclude(grade="")
        .exists()
    )
    assert not AuditEvent.objects.filter(action="grade.changed").exists()


def test_a_grade_off_the_scale_is_refused(series, centre, qualification, candidates, people):
    with pytest.raises(GradeError, match="A is not a grade for 05838: use one of D\\* D M P U"):
        save(series, centre, qualification, candidates[0], "A", 0, people["centre_admin"])
    assert_nothing_saved(series, qualification)


def test_a_candidate_of_another_centre_is_refused(
    series, centre, other_centre, qualification, people
):
    stranger = CandidateFactory(centre=other_centre)
    enter(stranger, qualification)
    with pytest.raises(GradeError, match="not entered for 05838 at this centre"):
        save(series, centre, qualification, stranger, "M", 0, people["centre_admin"])
    assert_nothing_saved(series, qualification)


@pytest.mark.parametrize(
    "entry",
    [
        {"status": Entry.Status.WITHDRAWN},
        {"status": Entry.Status.REJECTED},
        {"kind": "unnamed"},
        None,
    ],
)
def test_a_candidate_without_a_live_named_entry_is_refused(
    series, centre, qualification, people, entry
):
    candidate = CandidateFactory(centre=centre)
    if entry == {"kind": "unnamed"}:
        Entry.objects.create(
            centre=centre,
            qualification=qualification,
            kind="unnamed",
            quantity=3,
            process_by=series.submission_opens_at,
        )
    elif entry is not None:
        enter(candidate, qualification, **entry)
    with pytest.raises(GradeError, match="not entered"):
        save(series, centre, qualification, candidate, "M", 0, people["centre_admin"])
    assert_nothing_saved(series, qualification)


@pytest.mark.parametrize("role", ["teacher", "head_of_centre", "aam_user", "staff"])
def test_only_the_centre_admin_and_assigned_teachers_may_save(
    series, centre, qualification, candidates, people, role
):
    with pytest.raises(PermissionDenied):
        save(series, centre, qualification, candidates[0], "M", 0, people[role])
    assert_nothing_saved(series, qualification)


def test_a_teacher_assigned_to_another_qualification_may_not_save(
    series, centre, qualification, candidates, people
):
    other = make_tag_qualification("05839")
    TeacherAssignment.objects.create(
        series=series, centre=centre, qualification=other, teacher=people["teacher"]
    )
    with pytest.raises(PermissionDenied):
        save(series, centre, qualification, candidates[0], "M", 0, people["teacher"])


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (QualificationGrades.Status.SENT, "sent to the head of centre — ask them to return"),
        (QualificationGrades.Status.APPROVED, "approved these grades"),
    ],
)
def test_grades_sent_or_approved_cannot_be_changed(
    series, centre, qualification, candidates, people, status, message
):
    set_status(series, centre, qualification, status)
    with pytest.raises(GradeError, match=message):
        save(series, centre, qualification, candidates[0], "M", 0, people["centre_admin"])
    assert_nothing_saved(series, qualification)


def test_returned_grades_can_be_changed(series, centre, qualification, candidates, people):
    set_status(series, centre, qualification, QualificationGrades.Status.RETURNED)
    save(series, centre, qualification, candidates[0], "M", 0, people["centre_admin"])
    assert grade_of(series, qualification, candidates[0]).grade == "M"


def test_grades_cannot_change_after_the_centre_submitted(
    series, centre, qualification, candidates, people
):
    submit(series, centre, people["head_of_centre"])
    with pytest.raises(GradeError, match="submitted the centre's grades"):
        save(series, centre, qualification, candidates[0], "M", 0, people["centre_admin"])
    assert_nothing_saved(series, qualification)


def test_one_second_before_the_window_opens_is_refused(
    series, centre, qualification, candidates, people, in_submission_window
):
    in_submission_window.move_to(series.submission_opens_at - timedelta(seconds=1))
    with pytest.raises(WindowClosed, match="opens on 26 May 2021, 00:00"):
        save(series, centre, qualification, candidates[0], "M", 0, people["centre_admin"])
    assert_nothing_saved(series, qualification)


def test_exactly_at_opening_is_allowed(
    series, centre, qualification, candidates, people, in_submission_window
):
    in_submission_window.move_to(series.submission_opens_at)
    save(series, centre, qualification, candidates[0], "M", 0, people["centre_admin"])
    assert grade_of(series, qualification, candidates[0]).grade == "M"


def test_one_second_before_closing_is_allowed(
    series, centre, qualification, candidates, people, in_submission_window
):
    in_submission_window.move_to(series.submission_closes_at - timedelta(seconds=1))
    save(series, centre, qualification, candidates[0], "M", 0, people["centre_admin"])
    assert grade_of(series, qualification, candidates[0]).grade == "M"


@pytest.mark.parametrize("after", [timedelta(0), timedelta(seconds=1)])
def test_at_or_after_closing_is_refused(
    series, centre, qualification, candidates, people, in_submission_window, after
):
    in_submission_window.move_to(series.submission_closes_at + after)
    with pytest.raises(WindowClosed, match="closed on 19 June 2021, 00:00"):
        save(series, centre, qualification, candidates[0], "M", 0, people["centre_admin"])
    assert_nothing_saved(series, qualification)


# --- save_grades: all or nothing ------------------------------------------------------------


def test_save_grades_saves_every_change(series, centre, qualification, candidates, people):
    set_grade(series, qualification, candidates[1], "P", version=2)
    saved = save_grades(
        series=series,
        centre=centre,
        qualification=qualification,
        changes=[(candidates[0].pk, "D", 0), (candidates[1].pk, "M", 2)],
        by=people["centre_admin"],
    )
    assert {(g.candidate_id, g.grade, g.version) for g in saved} == {
        (candidates[0].pk, "D", 1),
        (candidates[1].pk, "M", 3),
    }
    assert grade_of(series, qualification, candidates[1]).grade == "M"
    events = AuditEvent.objects.filter(action="grade.changed")
    assert sorted((e.data["old"], e.data["new"]) for e in events) == [("", "D"), ("P", "M")]
    for event in events:
        grade = Grade.objects.get(pk=event.target_id)
        assert (event.actor, event.centre, event.target) == (people["centre_admin"], centre, grade)
        assert event.target_repr == str(grade)
        assert event.data["candidate"] == grade.candidate.candidate_number
        assert event.data["qualification"] == qualification.entry_code


def test_save_grades_refuses_everything_on_one_bad_grade(
    series, centre, qualification, candidates, people
):
    with pytest.raises(GradeError, match="Z is not a grade"):
        save_grades(
            series=series,
            centre=centre,
            qualification=qualification,
            changes=[(candidates[0].pk, "D", 0), (candidates[1].pk, "Z", 0)],
            by=people["centre_admin"],
        )
    assert_nothing_saved(series, qualification)


def test_save_grades_refuses_everything_on_one_conflict(
    series, centre, qualification, candidates, people
):
    set_grade(series, qualification, candidates[1], "P", version=2)
    with pytest.raises(StaleGrades) as refused:
        save_grades(
            series=series,
            centre=centre,
            qualification=qualification,
            changes=[(candidates[0].pk, "D", 0), (candidates[1].pk, "M", 1)],
            by=people["centre_admin"],
        )
    assert [(c.candidate_id, c.current, c.version) for c in refused.value.conflicts] == [
        (candidates[1].pk, "P", 2)
    ]
    assert grade_of(series, qualification, candidates[0]) is None
    assert grade_of(series, qualification, candidates[1]).grade == "P"
    assert not AuditEvent.objects.exists()


def test_grades_complete(series, centre, qualification, candidates, people):
    def complete():
        return grades_complete(series=series, centre=centre, qualification=qualification)

    set_grade(series, qualification, candidates[0], "D")
    set_grade(series, qualification, candidates[1], "M")
    assert not complete()
    set_grade(series, qualification, candidates[2], "")
    assert not complete()
    Grade.objects.filter(candidate=candidates[2]).update(grade="U")
    assert complete()
    # A withdrawn candidate's grade neither counts nor is needed.
    withdrawn = CandidateFactory(centre=centre)
    enter(withdrawn, qualification, status=Entry.Status.WITHDRAWN)
    assert complete()
    enter(CandidateFactory(centre=centre), qualification)
    assert not complete()


# --- The qualifications page ----------------------------------------------------------------


def test_the_index_lists_entered_tag_qualifications_with_status_and_progress(
    login, series, centre, qualification, candidates, people
):
    set_grade(series, qualification, candidates[0], "D")
    not_for_tags = make_tag_qualification("05900")
    not_for_tags.available_for_tags = False
    not_for_tags.save()
    enter(candidates[0], not_for_tags)
    make_tag_qualification("05901")  # nobody entered

    response = login(people["centre_admin"]).get(url("index", centre))

    assert response.status_code == 200
    assert [r["qualification"] for r in response.context["rows"]] == [qualification]
    row = response.context["rows"][0]
    assert (row["graded"], row["total"], row["open"]) == (1, 3, True)
    assert row["state"].status == QualificationGrades.Status.IN_PROGRESS
    assert QualificationGrades.objects.filter(centre=centre, qualification=qualification).exists()
    assert b"1 of 3" in response.content


def test_a_teacher_sees_only_assigned_qualifications_and_the_head_sees_all(
    login, series, centre, qualification, candidates, people, assigned_teacher
):
    other = make_tag_qualification("05839")
    entered_candidates(centre, other, 1)

    teacher_rows = login(assigned_teacher).get(url("index", centre)).context["rows"]
    assert [r["qualification"] for r in teacher_rows] == [qualification]
    head_rows = login(people["head_of_centre"]).get(url("index", centre)).context["rows"]
    assert {r["qualification"] for r in head_rows} == {qualification, other}


def test_the_index_outside_the_window_shows_when_it_opens(
    login, series, centre, qualification, candidates, people, in_submission_window
):
    in_submission_window.move_to(series.submission_opens_at - timedelta(days=3))
    response = login(people["centre_admin"]).get(url("index", centre))
    assert response.status_code == 200
    assert "Entering and submitting grades opens on 26 May 2021, 00:00." in (
        response.content.decode()
    )
    assert response.context["rows"][0]["open"] is False


def test_the_index_query_count_does_not_grow_with_qualifications(login, series, centre, people):
    client = login(people["centre_admin"])

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("index", centre)).status_code == 200
        return len(queries)

    entered_candidates(centre, make_tag_qualification("06001"), 2)
    count_queries()  # creates the state rows
    one = count_queries()
    for n in range(2, 8):
        entered_candidates(centre, make_tag_qualification(f"0600{n}"), 2)
    count_queries()
    assert count_queries() == one
    # Creating the missing state rows lazily takes a constant number of queries too.
    QualificationGrades.objects.all().delete()
    assert count_queries() <= one + 3


# --- The grid -------------------------------------------------------------------------------


def test_the_grid_lists_each_entered_candidate_once(
    login, series, centre, qualification, candidates, people
):
    unit_a, unit_b = (
        UnitFactory(qualification=qualification),
        UnitFactory(qualification=qualification),
    )
    twice = CandidateFactory(centre=centre)
    enter(twice, qualification, unit=unit_a)
    enter(twice, qualification, unit=unit_b)
    enter(CandidateFactory(centre=centre), qualification, status=Entry.Status.WITHDRAWN)
    set_grade(series, qualification, candidates[1], "M", version=4)

    response = login(people["centre_admin"]).get(url("qualification", centre, qualification))

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r.candidate.pk for r in rows] == [c.pk for c in [*candidates, twice]]
    assert (rows[1].grade, rows[1].version) == ("M", 4)
    html = response.content.decode()
    save_url = url("save", centre, qualification, candidates[0].pk)
    assert f'hx-post="{save_url}"' in html
    assert 'hx-trigger="change"' in html
    assert f'name="version-{candidates[1].pk}" value="4"' in html
    assert "Save all grades" in html


def select_count(response):
    return response.content.decode().count("<select")


def test_the_head_of_centre_and_staff_see_the_grid_read_only(
    login, series, centre, qualification, candidates, people
):
    for person in ("head_of_centre", "staff"):
        response = login(people[person]).get(url("qualification", centre, qualification))
        assert response.status_code == 200
        assert select_count(response) == 0
        assert "Save all grades" not in response.content.decode()


def test_an_assigned_teacher_edits_the_grid(
    login, series, centre, qualification, candidates, assigned_teacher
):
    response = login(assigned_teacher).get(url("qualification", centre, qualification))
    assert select_count(response) == 3


def test_the_grid_escapes_what_the_centre_typed(
    login, series, centre, qualification, candidates, assigned_teacher
):
    candidate = candidates[0]
    candidate.first_name, candidate.last_name = "<b>Zoë</b>", 'O\'Neil & "Co"'
    candidate.save(update_fields=["first_name", "last_name"])

    html = login(assigned_teacher).get(url("qualification", centre, qualification)).content
    html = html.decode()

    assert "<b>Zoë</b>" not in html
    assert "O&#x27;Neil &amp; &quot;Co&quot;, &lt;b&gt;Zoë&lt;/b&gt;</th>" in html
    assert f"Grade for {candidate.candidate_number} &lt;b&gt;Zoë&lt;/b&gt; O&#x27;Neil" in html


@pytest.mark.parametrize("state", ["sent", "approved", "submitted", "closed"])
def test_the_grid_is_read_only_when_grades_cannot_change(
    login, series, centre, qualification, candidates, people, in_submission_window, state
):
    if state == "submitted":
        submit(series, centre, people["head_of_centre"])
    elif state == "closed":
        in_submission_window.move_to(series.submission_closes_at + timedelta(seconds=1))
    else:
        set_status(series, centre, qualification, state)
    response = login(people["centre_admin"]).get(url("qualification", centre, qualification))
    assert response.status_code == 200
    assert select_count(response) == 0
    assert response.context["read_only"]


def test_an_unassigned_teacher_gets_403_and_a_missing_qualification_404(
    login, series, centre, qualification, candidates, people
):
    client = login(people["teacher"])
    assert client.get(url("qualification", centre, qualification)).status_code == 403
    no_entries = make_tag_qualification("05840")
    assert client.get(url("qualification", centre, no_entries)).status_code == 404
    assert client.get(f"/centres/{centre.number}/grades/99999/").status_code == 404


def test_another_centres_admin_gets_404(login, series, centre, qualification, candidates, people):
    client = login(people["other_centre_admin"])
    assert client.get(url("qualification", centre, qualification)).status_code == 404


def grades_urls(centre, qualification, candidate):
    return [
        ("get", url("index", centre)),
        ("get", url("qualification", centre, qualification)),
        ("post", url("qualification", centre, qualification)),
        ("post", url("save", centre, qualification, candidate.pk)),
        ("get", url("template-csv", centre, qualification)),
        ("get", url("template-xlsx", centre, qualification)),
        ("get", url("upload", centre, qualification)),
        ("post", url("upload", centre, qualification)),
    ]


def test_the_aam_user_gets_403_on_every_grades_url(
    login, series, centre, qualification, candidates, people
):
    client = login(people["aam_user"])
    for method, address in grades_urls(centre, qualification, candidates[0]):
        assert getattr(client, method)(address).status_code == 403, address
    assert_nothing_saved(series, qualification)


def test_an_unassigned_teacher_gets_403_on_every_qualification_url(
    login, series, centre, qualification, candidates, people
):
    client = login(people["teacher"])
    for method, address in grades_urls(centre, qualification, candidates[0])[1:]:
        assert getattr(client, method)(address).status_code == 403, address


def test_the_head_of_centre_cannot_save_or_upload(
    login, series, centre, qualification, candidates, people
):
    client = login(people["head_of_centre"])
    for method, address in grades_urls(centre, qualification, candidates[0]):
        expected = 200 if method == "get" and "upload" not in address else 403
        assert getattr(client, method)(address).status_code == expected, address


def test_the_grid_query_count_does_not_grow_with_candidates(
    login, series, centre, qualification, people
):
    client = login(people["centre_admin"])
    address = url("qualification", centre, qualification)

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(address)
        assert response.status_code == 200
        return len(queries), select_count(response)

    (first,) = entered_candidates(centre, qualification, 1)
    set_grade(series, qualification, first, "M")
    count_queries()  # creates the qualification's state row
    one, rows = count_queries()
    assert rows == 1

    # 299 more, half of them graded: a full page of the grid (GRID_PAGE_SIZE).
    more = bulk_entered(centre, qualification, 299, first=9000)
    Grade.objects.bulk_create(
        [
            Grade(
                series=series,
                centre=centre,
                qualification=qualification,
                candidate=c,
                grade="P",
                version=1,
                updated_by=people["teacher"],
            )
            for c in more[::2]
        ]
    )
    assert count_queries() == (one, 300)


def test_the_grid_asks_once_whether_the_teacher_is_assigned(
    login, series, centre, qualification, assigned_teacher
):
    """The page's access (worked out when it is opened) is the one its read-only notice
    reads: one assignment query, and the assigned teacher's grid is editable."""
    entered_candidates(centre, qualification, 2)
    client = login(assigned_teacher)
    address = url("qualification", centre, qualification)
    client.get(address)  # creates the qualification's state row
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200
    assert response.context["editable"] is True
    assignment_queries = [q for q in queries if '"grades_teacherassignment"' in q["sql"]]
    assert len(assignment_queries) == 1


# --- Saving from the grid -------------------------------------------------------------------


def htmx_post(client, address, data):
    return client.post(address, data, HTTP_HX_REQUEST="true")


def test_an_htmx_save_answers_with_the_saved_row(
    login, series, centre, qualification, candidates, assigned_teacher
):
    candidate = candidates[0]
    response = htmx_post(
        login(assigned_teacher),
        url("save", centre, qualification, candidate.pk),
        {f"grade-{candidate.pk}": "D", f"version-{candidate.pk}": "0"},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="grade-row-{candidate.pk}"')
    assert '<span id="grade-message-' in html and 'role="status"' in html and "Saved" in html
    assert f'name="version-{candidate.pk}" value="1"' in html
    assert '<option value="D" selected>' in html
    assert "<html" not in html
    assert grade_of(series, qualification, candidate).grade == "D"


def test_an_htmx_save_accepts_plain_grade_and_version(
    login, series, centre, qualification, candidates, people
):
    response = htmx_post(
        login(people["centre_admin"]),
        url("save", centre, qualification, candidates[0].pk),
        {"grade": "P", "version": "0"},
    )
    assert "Saved" in response.content.decode()
    assert grade_of(series, qualification, candidates[0]).grade == "P"


def test_a_stale_htmx_save_shows_the_current_grade(
    login, series, centre, qualification, candidates, people
):
    candidate = candidates[0]
    ana = UserFactory(full_name="Ana Teacher")
    set_grade(series, qualification, candidate, "M", version=1, by=ana)

    response = htmx_post(
        login(people["centre_admin"]),
        url("save", centre, qualification, candidate.pk),
        {f"grade-{candidate.pk}": "D", f"version-{candidate.pk}": "0"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in html
    assert "Ana Teacher changed this to M at 12:30; your change was not saved." in html
    assert '<option value="M" selected>' in html
    assert f'name="version-{candidate.pk}" value="1"' in html
    grade = grade_of(series, qualification, candidate)
    assert (grade.grade, grade.version) == ("M", 1)


def test_an_htmx_save_off_the_scale_shows_an_error(
    login, series, centre, qualification, candidates, people
):
    response = htmx_post(
        login(people["centre_admin"]),
        url("save", centre, qualification, candidates[0].pk),
        {f"grade-{candidates[0].pk}": "Z", f"version-{candidates[0].pk}": "0"},
    )
    assert "Z is not a grade for 05838" in response.content.decode()
    assert_nothing_saved(series, qualification)


def test_an_htmx_save_after_sending_shows_the_row_read_only(
    login, series, centre, qualification, candidates, people
):
    set_status(series, centre, qualification, QualificationGrades.Status.SENT)
    response = htmx_post(
        login(people["centre_admin"]),
        url("save", centre, qualification, candidates[0].pk),
        {f"grade-{candidates[0].pk}": "D", f"version-{candidates[0].pk}": "0"},
    )
    html = response.content.decode()
    assert "sent to the head of centre" in html
    assert "<select" not in html
    assert_nothing_saved(series, qualification)


def test_saving_a_candidate_of_another_centre_is_404(
    login, series, centre, other_centre, qualification, candidates, people
):
    stranger = CandidateFactory(centre=other_centre)
    enter(stranger, qualification)
    response = htmx_post(
        login(people["centre_admin"]),
        url("save", centre, qualification, stranger.pk),
        {"grade": "D", "version": "0"},
    )
    assert response.status_code == 404
    assert_nothing_saved(series, qualification)


def test_saving_without_htmx_redirects_to_the_grid(
    login, series, centre, qualification, candidates, people
):
    response = login(people["centre_admin"]).post(
        url("save", centre, qualification, candidates[0].pk), {"grade": "D", "version": "0"}
    )
    assert response.status_code == 302
    assert response["Location"] == url("qualification", centre, qualification)
    assert grade_of(series, qualification, candidates[0]).grade == "D"


def grid_post(candidates, values, versions=None, originals=None):
    data = {}
    for i, candidate in enumerate(candidates):
        data[f"grade-{candidate.pk}"] = values[i]
        data[f"version-{candidate.pk}"] = str((versions or [0] * len(candidates))[i])
        data[f"original-{candidate.pk}"] = (originals or [""] * len(candidates))[i]
    return data


def test_the_whole_grid_form_saves_the_changed_rows(
    login, series, centre, qualification, candidates, people
):
    set_grade(series, qualification, candidates[2], "U", version=1)
    response = login(people["centre_admin"]).post(
        url("qualification", centre, qualification),
        grid_post(candidates, ["D", "", "U"], versions=[0, 0, 1], originals=["", "", "U"]),
    )
    assert response.status_code == 302
    assert grade_of(series, qualification, candidates[0]).grade == "D"
    assert grade_of(series, qualification, candidates[1]) is None
    assert grade_of(series, qualification, candidates[2]).version == 1
    assert AuditEvent.objects.filter(action="grade.changed").count() == 1


def test_the_whole_grid_form_refuses_everything_on_a_conflict(
    login, series, centre, qualification, candidates, people
):
    ana = UserFactory(full_name="Ana Teacher")
    set_grade(series, qualification, candidates[1], "M", version=1, by=ana)
    # An untouched row someone else changed is not a conflict: it was not changed here.
    set_grade(series, qualification, candidates[2], "P", version=1, by=ana)

    response = login(people["centre_admin"]).post(
        url("qualification", centre, qualification),
        grid_post(candidates, ["D", "D", ""], versions=[0, 0, 0]),
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "1 grade was changed by someone else since you loaded them, so nothing was saved" in html
    assert "Ana Teacher changed this to M at 12:30" in html
    rows = {r.candidate.pk: r for r in response.context["rows"]}
    assert (rows[candidates[0].pk].grade, rows[candidates[0].pk].version) == ("D", 0)
    assert (rows[candidates[1].pk].grade, rows[candidates[1].pk].version) == ("M", 1)
    assert (rows[candidates[2].pk].grade, rows[candidates[2].pk].version) == ("P", 1)
    assert grade_of(series, qualification, candidates[0]) is None
    assert grade_of(series, qualification, candidates[1]).grade == "M"
    assert not AuditEvent.objects.filter(action="grade.changed").exists()


def test_the_whole_grid_form_refuses_everything_on_a_bad_grade(
    login, series, centre, qualification, candidates, people
):
    response = login(people["centre_admin"]).post(
        url("qualification", centre, qualification), grid_post(candidates, ["D", "Q", "M"])
    )
    assert response.status_code == 200
    assert "Q is not a grade" in response.content.decode()
    assert_nothing_saved(series, qualification)


def test_the_whole_grid_form_cannot_grade_another_centres_candidate(
    login, series, centre, other_centre, qualification, candidates, people
):
    stranger = CandidateFactory(centre=other_centre)
    enter(stranger, qualification)
    response = login(people["centre_admin"]).post(
        url("qualification", centre, qualification), grid_post([stranger], ["D"])
    )
    assert response.status_code == 302
    assert not Grade.objects.filter(candidate=stranger).exists()


def test_the_whole_grid_form_after_sending_changes_nothing(
    login, series, centre, qualification, candidates, people
):
    set_status(series, centre, qualification, QualificationGrades.Status.SENT)
    response = login(people["centre_admin"]).post(
        url("qualification", centre, qualification), grid_post(candidates, ["D", "D", "D"])
    )
    assert "sent to the head of centre" in response.content.decode()
    assert_nothing_saved(series, qualification)


# --- Downloads ------------------------------------------------------------------------------


def test_the_csv_template_lists_the_entered_candidates_and_is_audited(
    login, series, centre, qualification, candidates, people
):
    set_grade(series, qualification, candidates[1], "M")
    response = login(people["head_of_centre"]).get(url("template-csv", centre, qualification))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="grades-12345-05838.csv"'
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "candidate_number,uci,last_name,first_name,grade"
    c = candidates[1]
    assert lines[2] == f"{c.candidate_number},{c.uci},{c.last_name},{c.first_name},M"
    assert len(lines) == 4
    event = AuditEvent.objects.get(action="grades.downloaded")
    assert event.data["format"] == "csv"
    assert event.actor == people["head_of_centre"]


def test_the_template_neutralises_formulas_in_names(login, series, centre, qualification, people):
    (candidate,) = entered_candidates(centre, qualification, 1, last_name="=HYPERLINK(1)")
    response = login(people["centre_admin"]).get(url("template-csv", centre, qualification))
    assert "'=HYPERLINK(1)" in response.content.decode("utf-8-sig")
    assert candidate.last_name == "=HYPERLINK(1)"


# --- The permission matrix row and the tab --------------------------------------------------


def test_the_grades_tab_shows_for_grade_roles_only(login, series, centre, people):
    for person, shown in [("centre_admin", True), ("teacher", True), ("aam_user", False)]:
        response = login(people[person]).get(reverse("centres:home", args=[centre.number]))
        labels = [s["label"] for s in response.context["centre_sections"]]
        assert ("Grades" in labels) is shown, person


def test_a_teacher_at_two_centres_sees_only_this_centres_assignments(
    login, series, centre, other_centre, qualification, candidates, people
):
    teacher = people["teacher"]
    MembershipFactory(user=teacher, centre=other_centre, role=Role.TEACHER)
    TeacherAssignment.objects.create(
        series=series, centre=other_centre, qualification=qualification, teacher=teacher
    )
    assert login(teacher).get(url("index", centre)).context["rows"] == []
    assert login(teacher).get(url("qualification", centre, qualification)).status_code == 403


# --- Concurrency (PostgreSQL) ---------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_saves_of_the_same_version_one_wins(series, centre, qualification, candidates, people):
    candidate = candidates[0]
    barrier = threading.Barrier(2)
    outcomes = {}

    def attempt(name, value):
        try:
            barrier.wait()
            save(series, centre, qualification, candidate, value, 0, people["centre_admin"])
            outcomes[name] = ("won", value)
        except StaleGrade as stale:
            outcomes[name] = ("stale", stale.current)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=attempt, args=("first", "D")),
        threading.Thread(target=attempt, args=("second", "M")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    kinds = sorted(kind for kind, _ in outcomes.values())
    assert kinds == ["stale", "won"]
    winner = next(value for kind, value in outcomes.values() if kind == "won")
    loser_saw = next(value for kind, value in outcomes.values() if kind == "stale")
    grade = grade_of(series, qualification, candidate)
    assert (grade.grade, grade.version) == (winner, 1)
    assert loser_saw == winner
    assert AuditEvent.objects.filter(action="grade.changed").count() == 1


def test_save_grades_takes_a_constant_number_of_queries_audit_events_included(
    series, centre, qualification, people
):
    def queries_to_change(candidates, value):
        for candidate in candidates:
            set_grade(series, qualification, candidate, "P", version=1)
        with CaptureQueriesContext(connection) as queries:
            save_grades(
                series=series,
                centre=centre,
                qualification=qualification,
                changes=[(c.pk, value, 1) for c in candidates],
                by=people["centre_admin"],
            )
        return len(queries)

    queries_to_change(entered_candidates(centre, qualification, 1), "U")  # warms the caches
    few = queries_to_change(entered_candidates(centre, qualification, 3), "M")
    many = queries_to_change(entered_candidates(centre, qualification, 12), "D")
    assert many == few
    assert AuditEvent.objects.filter(action="grade.changed").count() == 1 + 3 + 12


def test_refusing_stale_grades_takes_a_constant_number_of_queries(
    series, centre, qualification, people
):
    ana = UserFactory(full_name="Ana Teacher")

    def queries_to_refuse(candidates):
        for candidate in candidates:
            set_grade(series, qualification, candidate, "P", version=2, by=ana)
        with CaptureQueriesContext(connection) as queries, pytest.raises(StaleGrades) as refused:
            save_grades(
                series=series,
                centre=centre,
                qualification=qualification,
                changes=[(c.pk, "D", 1) for c in candidates],
                by=people["centre_admin"],
            )
        assert [c.changed_by for c in refused.value.conflicts] == [ana] * len(candidates)
        assert all(
            str(c).startswith("Ana Teacher changed this to P") for c in refused.value.conflicts
        )
        return len(queries)

    queries_to_refuse(entered_candidates(centre, qualification, 1))  # warms the caches
    assert queries_to_refuse(entered_candidates(centre, qualification, 2)) == queries_to_refuse(
        entered_candidates(centre, qualification, 12)
    )
