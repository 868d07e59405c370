"""Teachers assigned to qualifications, from the users window (22 March) to the close."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from centres.models import Role
from grades.models import TeacherAssignment
from grades.services import GradeError, WindowClosed
from grades.services.assignments import assign_teacher, unassign_teacher
from ocradmin.models import AuditEvent, Notification

from ..entries.factories import ApprovalFactory
from ..factories import MembershipFactory, UserFactory

USERS_OPEN = datetime(2021, 3, 22, tzinfo=UTC)
CLOSES = datetime(2021, 6, 18, 23, tzinfo=UTC)


@pytest.fixture
def approved(centre, qualification):
    ApprovalFactory(centre=centre, qualification=qualification)
    return qualification


def url(centre):
    return reverse("grades:assignments", args=[centre.number])


def test_the_centre_admin_assigns_and_removes_a_teacher(client, people, centre, approved):
    client.force_login(people["centre_admin"])
    response = client.post(
        url(centre), {"teacher": people["teacher"].pk, "qualification": approved.pk}
    )
    assert response.status_code == 302
    assignment = TeacherAssignment.objects.get()
    assert (assignment.teacher, assignment.qualification) == (people["teacher"], approved)
    assert AuditEvent.objects.filter(action="teacher.assigned", centre=centre).exists()
    assert Notification.objects.filter(user=people["teacher"], subject__contains="grade").exists()
    assert approved.entry_code in client.get(url(centre)).content.decode()

    remove = reverse("grades:assignment-remove", args=[centre.number, assignment.pk])
    assert client.post(remove).status_code == 302
    assert not TeacherAssignment.objects.exists()
    assert AuditEvent.objects.filter(action="teacher.unassigned").exists()


def test_choices_are_narrowed_to_the_centre(client, people, centre, other_centre, approved):
    stranger = UserFactory(email="teacher@riverside.example")
    MembershipFactory(user=stranger, centre=other_centre, role=Role.TEACHER)
    client.force_login(people["centre_admin"])

    response = client.post(url(centre), {"teacher": stranger.pk, "qualification": approved.pk})

    assert response.status_code == 200
    assert "from the list" in response.content.decode()
    assert not TeacherAssignment.objects.exists()


def test_assigning_twice_or_a_non_teacher_is_refused(series, centre, people, approved):
    by = people["centre_admin"]
    assign_teacher(
        series=series, centre=centre, qualification=approved, teacher=people["teacher"], by=by
    )
    with pytest.raises(GradeError, match="already assigned"):
        assign_teacher(
            series=series, centre=centre, qualification=approved, teacher=people["teacher"], by=by
        )
    with pytest.raises(GradeError, match="is not a teacher"):
        assign_teacher(
            series=series, centre=centre, qualification=approved, teacher=people["aam_user"], by=by
        )
    assert TeacherAssignment.objects.count() == 1


def test_the_users_window_bounds_assignments(series, centre, people, approved):
    by = people["centre_admin"]
    with (
        time_machine.travel(USERS_OPEN - timedelta(seconds=1), tick=False),
        pytest.raises(WindowClosed, match="opens on 22 March 2021"),
    ):
        assign_teacher(
            series=series, centre=centre, qualification=approved, teacher=people["teacher"], by=by
        )
    with time_machine.travel(USERS_OPEN, tick=False):
        assignment = assign_teacher(
            series=series, centre=centre, qualification=approved, teacher=people["teacher"], by=by
        )
    with (
        time_machine.travel(CLOSES, tick=False),
        pytest.raises(WindowClosed, match="closed on"),
    ):
        unassign_teacher(assignment=assignment, by=by)
    assert TeacherAssignment.objects.count() == 1


def test_outside_the_window_the_page_says_so_without_a_form(client, people, centre, approved):
    client.force_login(people["centre_admin"])
    with time_machine.travel(USERS_OPEN - timedelta(days=1), tick=False):
        page = client.get(url(centre)).content.decode()
    assert "Assigning teachers opens on" in page
    assert 'name="teacher"' not in page


@pytest.mark.parametrize(
    ("person", "status"),
    [
        ("centre_admin", 200),
        ("teacher", 403),
        ("head_of_centre", 403),
        ("aam_user", 403),
        ("other_centre_admin", 404),
        ("staff", 200),
    ],
)
def test_only_the_centre_admin_manages_assignments(client, people, centre, person, status):
    client.force_login(people[person])
    assert client.get(url(centre)).status_code == status


def test_another_centres_assignment_cannot_be_removed(
    client, people, centre, other_centre, series, approved
):
    assignment = assign_teacher(
        series=series,
        centre=centre,
        qualification=approved,
        teacher=people["teacher"],
        by=people["centre_admin"],
    )
    client.force_login(people["other_centre_admin"])
    remove_here = reverse("grades:assignment-remove", args=[other_centre.number, assignment.pk])
    assert client.post(remove_here).status_code == 404
    assert TeacherAssignment.objects.exists()
