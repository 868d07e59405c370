"""Each role starts on the dashboard and reaches its task by the link it offers.

The teacher grades and sends from their task; the head of centre sees the task, opens the
qualification's grades and approves there; the teacher and the centre admin are notified, and
opening the notice marks it read. The centre admin's and the moderator's dashboards reach their
tasks; and the dashboard reads at 390 px without the page scrolling sideways.

The 2021 series is re-seeded and the clock set inside its submission window, as in the grades
journey (``tick=True`` so that the live server and the browser keep time).
"""

import re
import secrets
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from centres.models import Invitation, Role
from entries.models import Entry, ModeratorAllocation
from grades.models import TeacherAssignment
from ocradmin.models import Notification

from ..entries.factories import CandidateFactory
from ..grades.conftest import IN_WINDOW, enter, make_tag_qualification, summer_2021

CODE = "79201"


@pytest.fixture(autouse=True)
def series(transactional_db):
    with time_machine.travel(IN_WINDOW, tick=True):
        yield summer_2021()


def follow(page, control):
    with page.expect_navigation():
        control.click()


def sign_out(page):
    follow(page, page.get_by_role("button", name="Sign out"))


def task(page, name):
    return page.get_by_role("list", name="Your tasks, the most urgent first").get_by_role(
        "link", name=name
    )


def test_teacher_sends_head_approves_on_the_grades_page_and_both_are_told(
    page, url, sign_in, assert_accessible, people, centre, series
):
    qualification = make_tag_qualification(CODE)
    teacher, head, admin = people["teacher"], people["head_of_centre"], people["centre_admin"]
    TeacherAssignment.objects.create(
        series=series, centre=centre, qualification=qualification, teacher=teacher
    )
    candidates = []
    for number, first, last in [("3001", "Ada", "Lovelace"), ("3002", "Alan", "Turing")]:
        candidate = CandidateFactory(
            centre=centre, candidate_number=number, first_name=first, last_name=last
        )
        enter(candidate, qualification)
        candidates.append(candidate)

    # --- The teacher: the dashboard's task opens the grid ----------------------------------
    sign_in(page, teacher.email)
    expect(page.get_by_role("heading", name="Your tasks")).to_be_visible()
    grade_task = task(page, f"Grade {CODE} — 0 of 2 graded")
    expect(grade_task).to_be_visible()
    expect(page.get_by_text("the end of 18 June 2021")).to_be_visible()
    assert_accessible(page)
    follow(page, grade_task)
    expect(page).to_have_url(url(f"/centres/12345/grades/{CODE}/"))
    for candidate, grade in zip(candidates, ["D", "M"], strict=True):
        row = page.locator(f"#grade-row-{candidate.pk}")
        label = (
            f"Grade for {candidate.candidate_number} {candidate.first_name} {candidate.last_name}"
        )
        row.get_by_label(label).select_option(grade)
        expect(row.get_by_role("status")).to_have_text("Saved")
    page.goto(url("/"))
    send_task = task(page, f"Send {CODE} for approval — 2 of 2 graded")
    follow(page, send_task)
    page.once("dialog", lambda dialog: dialog.accept())
    follow(page, page.get_by_role("button", name="Send for approval"))
    expect(page.get_by_text("Status: Sent to the head of centre")).to_be_visible()
    page.goto(url("/"))
    expect(page.get_by_text(f"Send {CODE} for approval")).to_have_count(0)
    sign_out(page)

    # --- The head: the task opens the grades page, with Approve and Return there ----------
    sign_in(page, head.email)
    approve_task = task(page, f"Approve or return the {CODE} grades")
    expect(approve_task).to_be_visible()
    follow(page, approve_task)
    expect(page).to_have_url(url(f"/centres/12345/grades/{CODE}/"))
    expect(page.get_by_role("table", name=f"Grades given in {CODE}")).to_contain_text("1")
    expect(page.get_by_label("What needs to change")).to_be_visible()
    expect(page.get_by_text("ask them to return them")).to_have_count(0)
    assert_accessible(page)
    follow(page, page.get_by_role("button", name=f"Approve the {CODE} grades"))
    expect(page).to_have_url(url(f"/centres/12345/grades/{CODE}/"))
    expect(page.get_by_role("alert").filter(has_text="approved")).to_have_text(
        f"{CODE} grades approved."
    )
    expect(page.get_by_text("Status: Approved by the head of centre")).to_be_visible()
    page.goto(url("/"))
    expect(task(page, "Sign the declaration and submit the centre's grades")).to_be_visible()
    sign_out(page)

    # --- The teacher and the centre admin are told; opening the notice marks it read -------
    for person in (teacher, admin):
        sign_in(page, person.email)
        follow(page, page.get_by_role("link", name=re.compile("^Notifications")))
        notice = page.get_by_role("button", name=f"{CODE} grades approved by the head of centre")
        expect(notice).to_be_visible()
        assert_accessible(page)
        follow(page, notice)
        expect(page).to_have_url(url(f"/centres/12345/grades/{CODE}/"))
        assert not Notification.objects.filter(
            user=person, subject__contains="approved", read_at__isnull=True
        ).exists()
        sign_out(page)


def test_the_centre_admin_reaches_each_task_from_the_dashboard(
    page, url, sign_in, assert_accessible, people, centre
):
    now = timezone.now()
    Invitation.objects.create(
        centre=centre,
        email="newbie@northfield.example",
        full_name="Nina Newbie",
        roles=[Role.TEACHER.value],
        token=secrets.token_urlsafe(16),
        expires_at=now + timedelta(days=5),
    )
    qualification = make_tag_qualification("79202")
    Entry.objects.create(
        centre=centre,
        qualification=qualification,
        kind=Entry.Kind.UNNAMED,
        quantity=4,
        status=Entry.Status.SUBMITTED,
        submitted_at=now,
        process_by=now + timedelta(hours=48),
    )
    sign_in(page, people["centre_admin"].email)
    assert_accessible(page)
    invitations = task(page, "1 invitation not yet accepted")
    expect(invitations).to_be_visible()
    follow(page, invitations)
    expect(page).to_have_url(url("/centres/12345/users/"))
    expect(page.get_by_text("newbie@northfield.example").first).to_be_visible()
    page.goto(url("/"))
    follow(page, task(page, "1 entry awaiting processing"))
    expect(page).to_have_url(url("/centres/12345/entries/"))


def test_the_moderator_reaches_their_allocation_from_the_dashboard(
    page, url, sign_in, assert_accessible, people, centre
):
    qualification = make_tag_qualification("79203")
    ModeratorAllocation.objects.create(
        centre=centre, qualification=qualification, moderator=people["moderator"]
    )
    enter(CandidateFactory(centre=centre), qualification)
    sign_in(page, people["moderator"].email)
    expect(page.get_by_text("no centre roles")).to_have_count(0)
    allocation = task(page, "Moderate 79203")
    expect(allocation).to_be_visible()
    expect(page.get_by_text("1 candidate entered")).to_be_visible()
    expect(page.get_by_text("12345 Northfield Academy")).to_be_visible()
    assert_accessible(page)
    follow(page, allocation)
    expect(page).to_have_url(url("/moderation/"))
    expect(page.get_by_role("heading", name="Claims to moderate")).to_be_visible()


def test_the_dashboard_reads_at_390_px_without_scrolling_sideways(
    page, url, sign_in, assert_accessible, people, centre, series
):
    qualification = make_tag_qualification("79204")
    TeacherAssignment.objects.create(
        series=series, centre=centre, qualification=qualification, teacher=people["teacher"]
    )
    for _n in range(3):
        enter(CandidateFactory(centre=centre), qualification)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, people["teacher"].email)
    link = task(page, "Grade 79204 — 0 of 3 graded")
    expect(link).to_be_visible()
    box = link.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)
