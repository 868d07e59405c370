"""Staff: the centres on the grades progress page (one row each, filtered by state,
qualification, number or name) and reminding a centre's head of centre, once a day at most."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from centres.models import Role
from grades.models import HeadReminder, QualificationGrades
from grades.selectors import centres_for_staff
from grades.services import GradeError
from grades.services.reminders import remind_head_of_centre
from grades.tasks import keep_progress
from ocradmin.celery import app as celery_app
from ocradmin.models import AuditEvent, Notification

from ..factories import CentreFactory, MembershipFactory
from .conftest import entered_candidates, make_tag_qualification, set_grade
from .test_submission import CLOSES_AT, approved_qualification, submit

PROGRESS = reverse("grades:staff-progress")


def remind_url(centre):
    return reverse("grades:staff-remind", args=[centre.number])


@pytest.fixture
def four_centres(series, centre, other_centre, qualification, people):
    """12345 submitted; 23456 with the head; 34567 grading; 45678 not started."""
    ours = entered_candidates(centre, qualification, 2)
    approved_qualification(series, centre, qualification, ours)
    submit(series, centre, people["head_of_centre"])
    theirs = entered_candidates(other_centre, qualification, 1)
    approved_qualification(series, other_centre, qualification, theirs)
    grading = CentreFactory(number="34567", name="Grading Grammar")
    set_grade(series, qualification, entered_candidates(grading, qualification, 2)[0], "M")
    idle = CentreFactory(number="45678", name="Idle Institute")
    entered_candidates(idle, qualification, 1)
    MembershipFactory(centre=idle, role=Role.HEAD_OF_CENTRE, user__email="head@idle.example")
    CentreFactory(number="56789", name="No Entries School")
    return {"grading": grading, "idle": idle}


def numbers(response):
    return [(c.number, c.state) for c in response.context["centres"]]


def test_every_centre_with_entries_one_row_with_its_state(client, people, four_centres):
    client.force_login(people["staff"])
    response = client.get(PROGRESS)
    assert numbers(response) == [
        ("12345", "submitted"),
        ("23456", "with_head"),
        ("34567", "grading"),
        ("45678", "not_started"),
    ]
    assert numbers(client.get(PROGRESS, {"status": "not_submitted"})) == [
        ("23456", "with_head"),
        ("34567", "grading"),
        ("45678", "not_started"),
    ]
    assert numbers(client.get(PROGRESS, {"status": "grading"})) == [("34567", "grading")]
    assert numbers(client.get(PROGRESS, {"q": "idle"})) == [("45678", "not_started")]
    assert numbers(client.get(PROGRESS, {"q": "234"})) == [("23456", "with_head")]
    # A bad filter is ignored, not an error.
    assert len(numbers(client.get(PROGRESS, {"status": "bogus", "qualification": "x"}))) == 4
    content = client.get(PROGRESS).content.decode()
    assert content.count("Remind the head") == 3  # not for the centre that submitted


def test_narrowed_to_a_qualification_the_state_is_that_qualifications(
    client, people, series, four_centres, qualification
):
    other = make_tag_qualification("05839")
    entered_candidates(four_centres["grading"], other, 1)
    client.force_login(people["staff"])
    response = client.get(PROGRESS, {"qualification": "05839"})
    assert numbers(response) == [("34567", "not_started")]
    response = client.get(PROGRESS, {"qualification": qualification.entry_code})
    assert len(numbers(response)) == 4


def test_the_board_figures_link_to_those_centres(client, people, four_centres, qualification):
    client.force_login(people["staff"])
    board = client.get(reverse("staff-board")).content.decode()
    link = f"{PROGRESS}?qualification={qualification.entry_code}&amp;status=not_started"
    assert link in board
    assert f"{PROGRESS}?status=not_submitted" in board


def test_the_centre_list_costs_the_same_queries_for_1_and_20_centres(
    client, people, series, qualification
):
    client.force_login(people["staff"])

    def queries():
        cache.clear()  # the states are kept for five minutes; work them out now
        with CaptureQueriesContext(connection) as captured:
            assert client.get(PROGRESS, {"status": "not_submitted"}).status_code == 200
        return len(captured)

    first = CentreFactory(number="60000")
    entered_candidates(first, qualification, 1)
    queries()
    one = queries()
    for n in range(1, 20):
        centre = CentreFactory(number=f"{60000 + n}")
        entered_candidates(centre, qualification, 1)
        MembershipFactory(centre=centre, role=Role.HEAD_OF_CENTRE)
        QualificationGrades.objects.create(
            series=series, centre=centre, qualification=qualification, status="sent"
        )
    assert queries() == one


def test_reminding_the_head_once_a_day(
    client, people, series, four_centres, in_submission_window, django_capture_on_commit_callbacks
):
    idle = four_centres["idle"]
    client.force_login(people["staff"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(remind_url(idle), {"next": f"{PROGRESS}?status=not_started"})
    assert response["Location"] == f"{PROGRESS}?status=not_started"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["head@idle.example"]
    assert "centre 45678 has not submitted" in mail.outbox[0].subject
    assert "closes 19 June 2021, 00:00" in mail.outbox[0].body  # 18 June 23:00 UTC, in BST
    notice = Notification.objects.get(user__email="head@idle.example")
    assert notice.url == reverse("grades:review", args=["45678"])
    event = AuditEvent.objects.get(action="grades.head_reminded")
    assert event.actor == people["staff"] and event.centre == idle
    assert event.data["to"] == ["head@idle.example"]

    # The same day, by anyone: refused, with when and by whom; nothing sent.
    other_staff = people["staff"].__class__.objects.create_user(
        email="staff2@ocradmin.example", password="x", is_staff=True
    )
    client.force_login(other_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(remind_url(idle), follow=True)
    message = str(list(response.context["messages"])[-1])
    assert "already reminded today, at 13:00 by staff@ocradmin.example" in message
    assert "once a day" in message
    assert len(mail.outbox) == 1
    assert HeadReminder.objects.count() == 1
    page = client.get(PROGRESS, {"q": "45678"}).content.decode()
    assert "1 June 2021, 13:00" in page  # last reminded, UK time

    # The next day: allowed again.
    in_submission_window.shift(timedelta(days=1))
    client.force_login(other_staff)  # a day on, the session has timed out
    with django_capture_on_commit_callbacks(execute=True):
        client.post(remind_url(idle))
    assert len(mail.outbox) == 2 and HeadReminder.objects.count() == 2


def test_reminders_refused_when_there_is_no_point(series, people, four_centres, centre):
    staff = people["staff"]
    with pytest.raises(GradeError, match="12345 has already submitted"):
        remind_head_of_centre(series=series, centre=centre, by=staff)
    with pytest.raises(GradeError, match="no head of centre who has accepted"):
        remind_head_of_centre(series=series, centre=four_centres["grading"], by=staff)
    empty = CentreFactory(number="77777")
    with pytest.raises(GradeError, match="no candidates entered for a graded qualification"):
        remind_head_of_centre(series=series, centre=empty, by=staff)
    assert not HeadReminder.objects.exists() and not mail.outbox
    assert not AuditEvent.objects.filter(action="grades.head_reminded").exists()


def test_no_reminder_once_submission_has_closed(series, people, four_centres, in_submission_window):
    in_submission_window.move_to(CLOSES_AT + timedelta(seconds=1))
    with pytest.raises(GradeError, match="closed"):
        remind_head_of_centre(series=series, centre=four_centres["idle"], by=people["staff"])


@pytest.mark.parametrize("person", ["centre_admin", "head_of_centre", "moderator"])
def test_only_staff_remind(client, people, four_centres, person):
    client.force_login(people[person])
    assert client.post(remind_url(four_centres["idle"])).status_code == 403
    assert client.get(PROGRESS).status_code == 403
    assert not HeadReminder.objects.exists()


def test_remind_an_unknown_centre_is_404(client, people, series):
    client.force_login(people["staff"])
    assert client.post(reverse("grades:staff-remind", args=["99999"])).status_code == 404
    assert client.get(remind_url(CentreFactory(number="88888"))).status_code == 405


def test_the_centre_states_are_worked_out_once_then_kept_for_five_minutes(
    series, four_centres, qualification, django_assert_num_queries, time_machine
):
    time_machine.move_to("2021-06-01 12:00Z", tick=False)
    with django_assert_num_queries(6):  # entries, submissions, states, grades, quals, centres
        rows, as_at = centres_for_staff(series, status="not_submitted")
    assert [number for _, number, *_ in rows] == ["23456", "34567", "45678"]
    assert as_at.isoformat() == "2021-06-01T12:00:00+00:00"

    # A change shows once the kept states are five minutes old.
    set_grade(series, qualification, four_centres["idle"].candidates.get(), "P")
    time_machine.move_to("2021-06-01 12:04:59Z", tick=False)
    with django_assert_num_queries(0):
        rows, _ = centres_for_staff(series, status="grading")
    assert [number for _, number, *_ in rows] == ["34567"]
    time_machine.move_to("2021-06-01 12:05:01Z", tick=False)
    rows, as_at = centres_for_staff(series, status="grading")
    assert [number for _, number, *_ in rows] == ["34567", "45678"]
    assert as_at.isoformat() == "2021-06-01T12:05:01+00:00"


def test_beat_keeps_the_progress_so_no_page_reads_every_centres_grades(
    client, people, series, four_centres, qualification, time_machine
):
    time_machine.move_to("2021-06-01 12:00Z", tick=False)
    keep_progress()
    set_grade(series, qualification, four_centres["idle"].candidates.get(), "P")
    client.force_login(people["staff"])
    for minutes in (0, 9):  # beat runs every five minutes; its copy lasts two runs
        time_machine.move_to(f"2021-06-01 12:0{minutes}:30Z", tick=False)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(PROGRESS, {"status": "grading"})
        assert numbers(response) == [("34567", "grading")]
        read = " ".join(q["sql"] for q in captured)
        assert '"grades_grade"' not in read and '"entries_entry"' not in read
        assert "Figures as at <time" in response.content.decode()
    keep_progress()
    assert numbers(client.get(PROGRESS, {"status": "grading"})) == [
        ("34567", "grading"),
        ("45678", "grading"),
    ]
    assert "keep-grades-progress" in celery_app.conf.beat_schedule
