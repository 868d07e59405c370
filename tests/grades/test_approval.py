"""Sending grades to the head of centre; the head returns them with a comment or approves."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from centres.models import Role
from grades.models import CentreSubmission, QualificationGrades
from grades.services import GradeError, WindowClosed
from grades.services.approval import approve_grades, return_grades, send_for_approval
from grades.services.grading import save_grade
from ocradmin.models import AuditEvent, Notification

from ..factories import MembershipFactory, UserFactory
from .conftest import set_grade

CLOSES_AT = datetime(2021, 6, 18, 23, 0, tzinfo=UTC)  # the end of 18 June, London


@pytest.fixture
def graded(series, qualification, candidates, assigned_teacher):
    for candidate in candidates:
        set_grade(series, qualification, candidate, "M")
    return candidates


def where(series, centre, qualification):
    return {"series": series, "centre": centre, "qualification": qualification}


def state(series, centre, qualification):
    row = QualificationGrades.objects.filter(**where(series, centre, qualification)).first()
    return row.status if row else QualificationGrades.Status.IN_PROGRESS


def test_the_teacher_sends_complete_grades_and_the_head_is_told(
    series, centre, qualification, graded, people
):
    send_for_approval(**where(series, centre, qualification), by=people["teacher"])

    assert state(series, centre, qualification) == QualificationGrades.Status.SENT
    assert AuditEvent.objects.filter(action="grades.sent", centre=centre).exists()
    assert Notification.objects.filter(
        user=people["head_of_centre"], subject__contains="ready for your approval"
    ).exists()


def test_incomplete_grades_cannot_be_sent(series, centre, qualification, candidates, people):
    set_grade(series, qualification, candidates[0], "D")
    with pytest.raises(GradeError, match="2 candidates still need a grade"):
        send_for_approval(**where(series, centre, qualification), by=people["centre_admin"])
    assert state(series, centre, qualification) == QualificationGrades.Status.IN_PROGRESS


def test_an_unassigned_teacher_cannot_send(series, centre, qualification, candidates, people):
    for candidate in candidates:
        set_grade(series, qualification, candidate, "P")
    with pytest.raises(PermissionDenied):
        send_for_approval(**where(series, centre, qualification), by=people["teacher"])


def test_sent_grades_are_read_only_until_returned(series, centre, qualification, graded, people):
    send_for_approval(**where(series, centre, qualification), by=people["teacher"])
    with pytest.raises(GradeError, match="sent to the head of centre"):
        save_grade(
            **where(series, centre, qualification),
            candidate=graded[0],
            grade="D",
            expected_version=1,
            by=people["teacher"],
        )
    with pytest.raises(GradeError, match="already sent"):
        send_for_approval(**where(series, centre, qualification), by=people["teacher"])


def test_the_head_returns_with_a_comment_and_the_teacher_fixes_and_resends(
    series, centre, qualification, graded, people
):
    send_for_approval(**where(series, centre, qualification), by=people["teacher"])
    with pytest.raises(GradeError, match="Say what needs to change"):
        return_grades(
            **where(series, centre, qualification), comment=" ", by=people["head_of_centre"]
        )

    return_grades(
        **where(series, centre, qualification),
        comment="Check candidate 1's evidence",
        by=people["head_of_centre"],
    )
    row = QualificationGrades.objects.get(**where(series, centre, qualification))
    assert (row.status, row.return_comment) == ("returned", "Check candidate 1's evidence")
    assert Notification.objects.filter(user=people["teacher"], body__contains="evidence").exists()

    save_grade(
        **where(series, centre, qualification),
        candidate=graded[0],
        grade="D",
        expected_version=1,
        by=people["teacher"],
    )
    send_for_approval(**where(series, centre, qualification), by=people["teacher"])
    approve_grades(**where(series, centre, qualification), by=people["head_of_centre"])
    assert state(series, centre, qualification) == QualificationGrades.Status.APPROVED
    actions = list(
        AuditEvent.objects.filter(action__startswith="grades.").values_list("action", flat=True)
    )
    assert sorted(actions) == ["grades.approved", "grades.returned", "grades.sent", "grades.sent"]


@pytest.mark.parametrize("person", ["teacher", "centre_admin", "aam_user"])
def test_only_the_head_approves_or_returns(series, centre, qualification, graded, people, person):
    send_for_approval(**where(series, centre, qualification), by=people["teacher"])
    with pytest.raises(PermissionDenied):
        approve_grades(**where(series, centre, qualification), by=people[person])
    with pytest.raises(PermissionDenied):
        return_grades(**where(series, centre, qualification), comment="x", by=people[person])
    assert state(series, centre, qualification) == QualificationGrades.Status.SENT


def test_whoever_sent_the_grades_cannot_approve_them(series, centre, qualification, graded, people):
    """Separation of duties: a head of centre who is also the centre admin sends the grades;
    the approval must come from someone else."""
    head = people["head_of_centre"]
    MembershipFactory(user=head, centre=centre, role=Role.CENTRE_ADMIN)
    send_for_approval(**where(series, centre, qualification), by=head)

    with pytest.raises(GradeError, match="You sent these grades for approval"):
        approve_grades(**where(series, centre, qualification), by=head)
    assert state(series, centre, qualification) == QualificationGrades.Status.SENT
    assert not AuditEvent.objects.filter(action="grades.approved").exists()

    # Another head approves them.
    other_head = UserFactory(email="deputy.head@northfield.example")
    MembershipFactory(user=other_head, centre=centre, role=Role.HEAD_OF_CENTRE)
    approve_grades(**where(series, centre, qualification), by=other_head)
    assert state(series, centre, qualification) == QualificationGrades.Status.APPROVED


def test_grades_not_sent_cannot_be_approved(series, centre, qualification, graded, people):
    with pytest.raises(GradeError, match="Only grades sent to you"):
        approve_grades(**where(series, centre, qualification), by=people["head_of_centre"])


def test_nothing_changes_after_the_close_or_after_submission(
    series, centre, qualification, graded, people, in_submission_window
):
    send_for_approval(**where(series, centre, qualification), by=people["teacher"])
    CentreSubmission.objects.create(
        series=series,
        centre=centre,
        head_name="H",
        head_job_title="Head",
        confirm_policy=True,
        confirm_quality_assured=True,
        confirm_evidence=True,
        confirm_evidence_kept=True,
    )
    with pytest.raises(GradeError, match="submitted"):
        approve_grades(**where(series, centre, qualification), by=people["head_of_centre"])
    CentreSubmission.objects.all().delete()
    in_submission_window.move_to(CLOSES_AT)
    with pytest.raises(WindowClosed):
        approve_grades(**where(series, centre, qualification), by=people["head_of_centre"])
    assert state(series, centre, qualification) == QualificationGrades.Status.SENT


def test_the_pages_send_review_return_and_approve(
    client, series, centre, qualification, graded, people
):
    code = qualification.entry_code
    client.force_login(people["teacher"])
    response = client.post(reverse("grades:send", args=[centre.number, code]), follow=True)
    assert "sent to the head of centre" in response.content.decode()

    client.force_login(people["head_of_centre"])
    review = client.get(reverse("grades:review", args=[centre.number])).content.decode()
    assert "Approve" in review and "Sent to the head of centre" in review
    response = client.post(reverse("grades:return", args=[centre.number, code]), follow=True)
    assert "Say what needs to change" in response.content.decode()
    client.post(reverse("grades:return", args=[centre.number, code]), {"comment": "Recheck"})
    assert state(series, centre, qualification) == QualificationGrades.Status.RETURNED

    client.force_login(people["teacher"])
    client.post(reverse("grades:send", args=[centre.number, code]))
    client.force_login(people["head_of_centre"])
    client.post(reverse("grades:approve", args=[centre.number, code]))
    assert state(series, centre, qualification) == QualificationGrades.Status.APPROVED


@pytest.mark.parametrize(
    ("person", "status"),
    [("aam_user", 403), ("other_centre_admin", 404), ("outsider", 404), ("teacher", 403)],
)
def test_action_urls_refuse_other_people(
    client, series, centre, qualification, graded, people, person, status
):
    client.force_login(people[person])
    code = qualification.entry_code
    if person == "teacher":  # may view grades, but approving is the head's
        response = client.post(reverse("grades:approve", args=[centre.number, code]))
    else:
        response = client.post(reverse("grades:send", args=[centre.number, code]))
    assert response.status_code == status
    assert state(series, centre, qualification) == QualificationGrades.Status.IN_PROGRESS
