"""Every hand-off of the grades writes exactly one notice to each person it concerns and none to
anyone else: sent to the head, returned with the comment, approved, submitted with the receipt."""

from collections import Counter

import pytest
from django.urls import reverse

from centres.models import Role
from grades.models import QualificationGrades
from grades.services.approval import approve_grades, return_grades, send_for_approval
from ocradmin.models import Notification

from ..factories import MembershipFactory, UserFactory
from .conftest import set_grade
from .test_submission import approved_qualification, submit


def told() -> Counter:
    return Counter(Notification.objects.values_list("user__email", flat=True))


@pytest.fixture
def everyone(people, centre):
    """A second teacher not assigned to the qualification: told nothing."""
    other_teacher = UserFactory(email="other-teacher@northfield.example")
    MembershipFactory(user=other_teacher, centre=centre, role=Role.TEACHER)
    return people


@pytest.fixture
def graded(series, qualification, candidates, assigned_teacher):
    for candidate in candidates:
        set_grade(series, qualification, candidate, "M")
    return candidates


@pytest.fixture
def sent(series, centre, qualification, graded, assigned_teacher, everyone):
    send_for_approval(
        series=series, centre=centre, qualification=qualification, by=assigned_teacher
    )
    notice = Notification.objects.get()
    assert notice.user == everyone["head_of_centre"]
    Notification.objects.all().delete()
    return notice


def test_sending_tells_the_head_of_centre_only(
    series, centre, qualification, graded, assigned_teacher, everyone
):
    send_for_approval(
        series=series, centre=centre, qualification=qualification, by=assigned_teacher
    )
    assert told() == {"head@northfield.example": 1}
    notice = Notification.objects.get()
    assert notice.url == reverse("grades:qualification", args=[centre.number, "05838"])
    assert "ready for your approval" in notice.subject


def test_returning_tells_the_teachers_with_the_comment(
    series, centre, qualification, sent, everyone
):
    return_grades(
        series=series,
        centre=centre,
        qualification=qualification,
        comment="Check 0001 against the sample.",
        by=everyone["head_of_centre"],
    )
    assert told() == {"teacher@northfield.example": 1}
    notice = Notification.objects.get()
    assert "Check 0001 against the sample." in notice.body
    assert notice.url == reverse("grades:qualification", args=[centre.number, "05838"])


def test_approving_tells_the_teachers_and_the_centre_admins(
    series, centre, qualification, sent, everyone
):
    approve_grades(
        series=series, centre=centre, qualification=qualification, by=everyone["head_of_centre"]
    )
    assert told() == {"teacher@northfield.example": 1, "officer@northfield.example": 1}
    assert all("approved" in n.subject for n in Notification.objects.all())


def test_submitting_tells_the_head_and_the_centre_admins_with_the_receipt_link(
    series, centre, qualification, candidates, everyone
):
    approved_qualification(series, centre, qualification, candidates)
    submit(series, centre, everyone["head_of_centre"])
    assert told() == {"head@northfield.example": 1, "officer@northfield.example": 1}
    receipt = reverse("grades:receipt", args=[centre.number])
    for notice in Notification.objects.all():
        assert notice.url == receipt
        assert receipt in notice.body


def test_a_teacher_who_sent_and_is_assigned_is_told_once(
    series, centre, qualification, sent, everyone
):
    assert QualificationGrades.objects.get().sent_by == everyone["teacher"]
    approve_grades(
        series=series, centre=centre, qualification=qualification, by=everyone["head_of_centre"]
    )
    assert told()["teacher@northfield.example"] == 1
