"""The grades' dashboard tasks per role, the head of centre deciding on the grades page, the
review page's grade distribution and the page titles and links each role sees."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from centres.models import Role
from grades.models import AssessmentMaterial, CentreSubmission, QualificationGrades
from grades.services.submission import CONFIRMATIONS

from ..factories import CentreFactory, MembershipFactory, UserFactory
from .conftest import entered_candidates, make_tag_qualification, set_grade

Status = QualificationGrades.Status


def dashboard(client):
    return client.get(reverse("dashboard")).content.decode()


def state(series, centre, qualification, status, comment="", sent_by=None):
    return QualificationGrades.objects.update_or_create(
        series=series,
        centre=centre,
        qualification=qualification,
        defaults={"status": status, "return_comment": comment, "sent_by": sent_by},
    )[0]


def test_a_teacher_sees_each_assigned_qualification_with_progress_and_deadline(
    login, series, centre, qualification, candidates, assigned_teacher
):
    set_grade(series, qualification, candidates[0], "D")
    page = dashboard(login(assigned_teacher))
    assert "Grade 05838 — 1 of 3 graded" in page
    assert reverse("grades:qualification", args=[centre.number, "05838"]) in page
    assert (
        'Due by <time datetime="2021-06-19T00:00:00+01:00">the end of 18 June 2021</time>' in page
    )
    assert "(2\xa0weeks left)" in page
    assert "You have no" not in page


def test_a_teacher_sees_grades_returned_with_the_heads_comment(
    login, series, centre, qualification, candidates, assigned_teacher
):
    state(series, centre, qualification, Status.RETURNED, comment="Check 0002 again.")
    page = dashboard(login(assigned_teacher))
    assert "Change the 05838 grades the head of centre returned" in page
    assert "Check 0002 again." in page


def test_a_teacher_sees_nothing_for_qualifications_not_assigned_or_already_sent(
    login, people, series, centre, qualification, candidates, assigned_teacher
):
    other = make_tag_qualification("05839")
    entered_candidates(centre, other, 2)
    state(series, centre, qualification, Status.SENT)
    page = dashboard(login(assigned_teacher))
    assert "05838" not in page and "05839" not in page
    assert "Nothing to do right now" in page


def test_no_grade_tasks_once_the_window_has_closed(
    login, series, centre, qualification, candidates, assigned_teacher
):
    with time_machine.travel(datetime(2021, 6, 20, tzinfo=UTC), tick=False):
        login(assigned_teacher)
        assert "Grade 05838" not in dashboard(login(assigned_teacher))


def test_the_centre_admin_sees_grades_not_yet_sent(
    login, people, series, centre, qualification, candidates
):
    page = dashboard(login(people["centre_admin"]))
    assert "Grades not yet sent to the head of centre: 1 qualification" in page
    assert "05838 0 of 3 graded" in page


def test_the_head_sees_grades_to_approve_then_the_declaration(
    login, people, series, centre, qualification, candidates, assigned_teacher
):
    head = people["head_of_centre"]
    state(series, centre, qualification, Status.SENT, sent_by=assigned_teacher)
    page = dashboard(login(head))
    assert "Approve or return the 05838 grades" in page
    assert reverse("grades:qualification", args=[centre.number, "05838"]) in page
    state(series, centre, qualification, Status.APPROVED)
    page = dashboard(login(head))
    assert "Approve or return" not in page
    assert "Sign the declaration and submit the centre&#x27;s grades" in page
    assert reverse("grades:declaration", args=[centre.number]) in page
    CentreSubmission.objects.create(
        series=series,
        centre=centre,
        head_name="H",
        head_job_title="Head",
        submitted_by=head,
        **dict.fromkeys(CONFIRMATIONS, True),
    )
    assert "Sign the declaration" not in dashboard(login(head))


def test_the_materials_user_sees_materials_available(login, people, series, centre, qualification):
    from centres.models import QualificationApproval

    QualificationApproval.objects.create(
        centre=centre,
        qualification=qualification,
        status=QualificationApproval.Status.APPROVED,
        delivered_by="Science",
        planned_start=datetime(2020, 9, 1).date(),
    )
    AssessmentMaterial.objects.create(
        series=series,
        qualification=qualification,
        title="Paper 1",
        file="x.pdf",
        original_name="x.pdf",
        available_from=datetime(2021, 5, 1, tzinfo=UTC),
    )
    page = dashboard(login(people["aam_user"]))
    assert "1 assessment material to download" in page
    assert reverse("grades:materials", args=[centre.number]) in page
    # Not the materials user's task for a teacher.
    assert "assessment material" not in dashboard(login(people["teacher"]))


def test_grade_tasks_take_the_same_queries_for_one_centre_or_many(login, series):
    teacher = UserFactory(email="busy@example.org")
    head = teacher

    def add_centre(n):
        centre = CentreFactory(number=f"7{n:04d}")
        for role in (Role.TEACHER, Role.CENTRE_ADMIN, Role.HEAD_OF_CENTRE, Role.AAM_USER):
            MembershipFactory(user=teacher, centre=centre, role=role)
        qualification = make_tag_qualification(f"Q{n:04d}")
        entered_candidates(centre, qualification, 2)
        from grades.models import TeacherAssignment

        TeacherAssignment.objects.create(
            series=series, centre=centre, qualification=qualification, teacher=teacher
        )
        state(series, centre, qualification, Status.SENT if n % 2 else Status.RETURNED)

    add_centre(1)
    client = login(head)
    dashboard(client)
    with CaptureQueriesContext(connection) as one:
        dashboard(client)
    for n in range(2, 7):
        add_centre(n)
    with CaptureQueriesContext(connection) as six:
        page = dashboard(client)
    assert page.count("Approve or return") == 3
    assert len(six) == len(one), "\n".join(q["sql"] for q in six)


# --- The head acts where they read -----------------------------------------------------------


@pytest.fixture
def sent(series, centre, qualification, candidates, assigned_teacher):
    for candidate in candidates:
        set_grade(series, qualification, candidate, "M")
    return state(series, centre, qualification, Status.SENT, sent_by=assigned_teacher)


def test_the_grades_page_offers_the_head_approve_and_return(login, people, centre, sent):
    url = reverse("grades:qualification", args=[centre.number, "05838"])
    page = login(people["head_of_centre"]).get(url).content.decode()
    assert "Approve the 05838 grades" in page
    assert "Return to the teachers" in page
    assert '<textarea class="form-control" name="comment" id="id_comment" rows="5"' in page
    assert "ask them to return them" not in page
    assert "Grades given in 05838" in page


def test_approving_from_the_grades_page_comes_back_to_it(login, people, centre, sent):
    client = login(people["head_of_centre"])
    url = reverse("grades:qualification", args=[centre.number, "05838"])
    response = client.post(
        reverse("grades:approve", args=[centre.number, "05838"]), {"back": "grid"}
    )
    assert response.status_code == 302 and response.url == url
    sent.refresh_from_db()
    assert sent.status == Status.APPROVED
    page = client.get(url).content.decode()
    assert "Approve the 05838 grades" not in page
    assert "Return to the teachers" in page


def test_returning_from_the_grades_page_keeps_a_multi_line_comment(login, people, centre, sent):
    client = login(people["head_of_centre"])
    comment = "Check 0001.\nAnd 0002."
    client.post(
        reverse("grades:return", args=[centre.number, "05838"]),
        {"back": "grid", "comment": comment},
    )
    sent.refresh_from_db()
    assert sent.status == Status.RETURNED and sent.return_comment == comment


def test_returning_without_a_comment_is_refused_with_a_clear_message(login, people, centre, sent):
    client = login(people["head_of_centre"])
    response = client.post(
        reverse("grades:return", args=[centre.number, "05838"]),
        {"back": "grid", "comment": "  "},
        follow=True,
    )
    assert "Say what needs to change" in response.content.decode()
    sent.refresh_from_db()
    assert sent.status == Status.SENT


def test_the_teacher_sees_no_decision_on_the_grades_page(login, centre, sent, assigned_teacher):
    url = reverse("grades:qualification", args=[centre.number, "05838"])
    page = login(assigned_teacher).get(url).content.decode()
    assert "Approve the 05838" not in page and "Return to the teachers" not in page


def test_the_review_page_shows_each_qualifications_grade_distribution(login, people, centre, sent):
    page = login(people["head_of_centre"]).get(reverse("grades:review", args=[centre.number]))
    html = page.content.decode()
    assert "M: 3" in html
    assert "Review, approve and submit" in html
    assert 'rows="4"' in html


def test_a_teacher_reads_send_for_approval_and_no_link_they_cannot_open(
    login, series, centre, qualification, candidates, assigned_teacher
):
    other = make_tag_qualification("05839")
    entered_candidates(centre, other, 2)
    html = login(assigned_teacher).get(reverse("grades:review", args=[centre.number])).content
    html = html.decode()
    assert "Send for approval" in html and "Review, approve and submit" not in html
    assert reverse("grades:qualification", args=[centre.number, "05839"]) not in html
    assert "05839" not in html
    assert reverse("grades:qualification", args=[centre.number, "05838"]) in html
    assert reverse("grades:receipt", args=[centre.number]) not in html
    # Every link on the page answers the teacher with something other than 403.
    import re

    client = login(assigned_teacher)
    for href in set(re.findall(r'href="(/centres/[^"]+)"', html)):
        assert client.get(href).status_code != 403, href
