"""The entry-processing job, moderator allocation, the 24–48 h clock and the staff queue."""

import threading
from datetime import UTC, date, datetime, timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from centres.models import (
    Membership,
    ModeratorProfile,
    Qualification,
    QualificationApproval,
    Role,
    Unit,
)
from entries.models import Candidate, Entry, ModeratorAllocation
from entries.selectors import clock_state, entry_clock
from entries.services import EntryError, processing
from entries.validators import make_uci
from ocradmin.celery import app as celery_app
from ocradmin.models import AuditEvent, Notification, SentNotice

from ..factories import CentreFactory, UserFactory

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def qualification(db):
    qualification = Qualification.objects.create(
        entry_code="05838",
        title="Cambridge Technical in IT (Certificate)",
        qualification_type="cambridge_technical",
        level="Level 3",
        is_remotely_moderated=True,
        grade_scale=["D*", "D", "M", "P", "U"],
    )
    Unit.objects.create(
        qualification=qualification,
        number="1",
        title="Fundamentals of IT",
        guided_learning_hours=60,
    )
    Unit.objects.create(
        qualification=qualification,
        number="2",
        title="Global information",
        guided_learning_hours=60,
    )
    return qualification


def approve(centre, qualification):
    QualificationApproval.objects.create(
        centre=centre,
        qualification=qualification,
        status=QualificationApproval.Status.APPROVED,
        delivered_by="IT department",
        planned_start=date(2026, 9, 1),
    )


def moderator(email, qualification, capacity=10):
    user = UserFactory(email=email, is_examiner_moderator=True)
    profile = ModeratorProfile.objects.create(user=user, capacity=capacity)
    profile.qualifications.add(qualification)
    return user


def candidate(centre, number, uci=None):
    return Candidate.objects.create(
        centre=centre,
        candidate_number=f"{number:04d}",
        uci=uci or make_uci(centre_number=centre.number, year=2026, candidate_number=str(number)),
        first_name="Ada",
        last_name=f"Lovelace{number}",
        date_of_birth=date(2008, 5, 1),
        sex="F",
    )


def submit(centre, qualification, cand=None, unit=None, at=None):
    at = at or timezone.now()
    return Entry.objects.create(
        centre=centre,
        qualification=qualification,
        kind=Entry.Kind.NAMED if cand else Entry.Kind.UNNAMED,
        candidate=cand,
        unit=unit,
        quantity=1 if cand else 5,
        submitted_at=at,
        process_by=at + timedelta(hours=48),
    )


@pytest.fixture
def setup(centre, other_centre, people, qualification):
    approve(centre, qualification)
    approve(other_centre, qualification)
    return {"moderator": moderator("mod1@ocradmin.example", qualification)}


def test_valid_entries_are_accepted_and_a_moderator_allocated(centre, people, setup, qualification):
    entries = [submit(centre, qualification, candidate(centre, n)) for n in (1, 2)]
    entries.append(submit(centre, qualification))

    result = processing.process_pending_entries()

    assert result.counts == {"accepted": 3}
    assert result.allocations == 1
    for entry in entries:
        entry.refresh_from_db()
        assert entry.status == Entry.Status.ACCEPTED
        assert entry.processed_at is not None
    allocation = ModeratorAllocation.objects.get(centre=centre, qualification=qualification)
    assert allocation.moderator == setup["moderator"]
    assert AuditEvent.objects.filter(action="moderator.allocated", centre=centre).count() == 1
    processed = AuditEvent.objects.get(action="entries.processed", centre=centre)
    assert processed.data == {"accepted": 3}
    told = {n.user.email for n in Notification.objects.filter(subject__contains="allocated")}
    assert told == {"mod1@ocradmin.example", "officer@northfield.example"}


def test_least_loaded_moderator_within_capacity_is_chosen(centre, other_centre, qualification):
    approve(centre, qualification)
    busy = moderator("busy@ocradmin.example", qualification, capacity=5)
    full = moderator("full@ocradmin.example", qualification, capacity=1)
    idle = moderator("idle@ocradmin.example", qualification, capacity=5)
    for index, who in enumerate([busy, full]):
        elsewhere = CentreFactory()
        ModeratorAllocation.objects.create(
            centre=elsewhere, qualification=qualification, moderator=who
        )
        assert index < 2
    submit(centre, qualification)

    processing.process_pending_entries()

    assert ModeratorAllocation.objects.get(centre=centre).moderator == idle


def test_a_moderator_with_a_role_at_the_centre_is_never_allocated_there(
    centre, people, qualification
):
    """Separation of duties: the least loaded moderator teaches at the centre, so the next one
    is chosen; with only them free, nobody is and the entries go to staff."""
    approve(centre, qualification)
    insider = moderator("insider@ocradmin.example", qualification)
    Membership.objects.create(user=insider, centre=centre, role=Role.TEACHER)
    outsider = moderator("outsider@ocradmin.example", qualification)
    ModeratorAllocation.objects.create(
        centre=CentreFactory(), qualification=qualification, moderator=outsider
    )
    submit(centre, qualification)

    processing.process_pending_entries()

    assert ModeratorAllocation.objects.get(centre=centre).moderator == outsider

    ModeratorAllocation.objects.filter(centre=centre).delete()
    ModeratorProfile.objects.filter(user=outsider).update(is_available=False)
    assert processing.allocate_moderator(centre_id=centre.pk, qualification=qualification) is None


def test_withdrawn_approval_and_foreign_unit_are_rejected_with_reasons(
    centre, people, setup, qualification, django_capture_on_commit_callbacks
):
    other_qualification = Qualification.objects.create(
        entry_code="05839", title="Other", qualification_type="cambridge_technical", level="3"
    )
    foreign_unit = Unit.objects.create(
        qualification=other_qualification, number="9", title="Elsewhere", guided_learning_hours=30
    )
    cand = candidate(centre, 7)
    wrong_unit = submit(centre, qualification, cand, unit=foreign_unit)
    QualificationApproval.objects.filter(centre=centre).update(status="withdrawn")
    not_approved = submit(centre, qualification, candidate(centre, 8))

    with django_capture_on_commit_callbacks(execute=True):
        processing.process_pending_entries()

    not_approved.refresh_from_db()
    assert not_approved.status == Entry.Status.REJECTED
    assert "not approved for 05838" in not_approved.rejection_reason
    wrong_unit.refresh_from_db()
    assert wrong_unit.status == Entry.Status.REJECTED
    assert not ModeratorAllocation.objects.exists()
    notice = Notification.objects.get(user=people["centre_admin"], subject__contains="rejected")
    assert "status=rejected" in notice.url
    assert any("rejected" in m.subject for m in mail.outbox)


def test_same_unit_for_the_same_uci_at_another_centre_is_rejected(
    centre, other_centre, people, setup, qualification
):
    unit = qualification.units.get(number="1")
    here = candidate(centre, 1)
    there = candidate(other_centre, 1, uci=here.uci)
    first = submit(other_centre, qualification, there, unit=unit, at=T0)
    second = submit(centre, qualification, here, unit=unit, at=T0 + timedelta(minutes=5))

    processing.process_pending_entries()

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Entry.Status.ACCEPTED
    assert second.status == Entry.Status.REJECTED
    assert f"UCI {here.uci} is already entered for unit 1" in second.rejection_reason


def test_full_award_at_two_centres_goes_to_staff(
    centre, other_centre, setup, qualification, django_capture_on_commit_callbacks
):
    here = candidate(centre, 1)
    there = candidate(other_centre, 1, uci=here.uci)
    submit(other_centre, qualification, there, at=T0)
    ours = submit(centre, qualification, here, at=T0 + timedelta(hours=1))

    with django_capture_on_commit_callbacks(execute=True):
        processing.process_pending_entries()

    ours.refresh_from_db()
    assert ours.status == Entry.Status.NEEDS_REVIEW
    assert "also entered for this qualification at centre 23456" in ours.review_reason
    assert any("need a decision" in m.subject for m in mail.outbox)


def test_with_no_moderator_free_entries_go_to_staff_who_decide(centre, people, qualification):
    approve(centre, qualification)
    entry = submit(centre, qualification, candidate(centre, 1))

    processing.process_pending_entries()
    entry.refresh_from_db()
    assert entry.status == Entry.Status.NEEDS_REVIEW
    assert entry.review_reason == processing.NO_MODERATOR

    with pytest.raises(EntryError, match="No examiner-moderator"):
        processing.accept_reviewed_entry(entry=entry, by=people["staff"])
    entry.refresh_from_db()
    assert entry.status == Entry.Status.NEEDS_REVIEW

    moderator("late@ocradmin.example", qualification)
    processing.accept_reviewed_entry(entry=entry, by=people["staff"])
    entry.refresh_from_db()
    assert entry.status == Entry.Status.ACCEPTED
    assert ModeratorAllocation.objects.get(centre=centre).moderator.email == "late@ocradmin.example"

    with pytest.raises(EntryError, match="not with staff"):
        processing.accept_reviewed_entry(entry=entry, by=people["staff"])


def test_staff_rejection_needs_a_reason_and_tells_the_centre(centre, people, qualification):
    approve(centre, qualification)
    entry = submit(centre, qualification, candidate(centre, 1))
    processing.process_pending_entries()

    with pytest.raises(EntryError, match="reason"):
        processing.reject_reviewed_entry(entry=entry, reason="  ", by=people["staff"])
    processing.reject_reviewed_entry(entry=entry, reason="Duplicate candidate", by=people["staff"])

    entry.refresh_from_db()
    assert (entry.status, entry.rejection_reason) == (Entry.Status.REJECTED, "Duplicate candidate")
    assert Notification.objects.filter(
        user=people["centre_admin"], body__contains="Duplicate"
    ).exists()
    with pytest.raises(EntryError):
        processing.reject_reviewed_entry(entry=entry, reason="again", by=people["staff"])


def test_batches_cover_everything_and_a_rerun_changes_nothing(centre, setup, qualification):
    for n in range(1, 8):
        submit(centre, qualification, candidate(centre, n))

    result = processing.process_pending_entries(batch_size=3)

    assert result.counts == {"accepted": 7}
    assert AuditEvent.objects.filter(action="entries.processed").count() == 3
    again = processing.process_pending_entries(batch_size=3)
    assert not again.counts
    assert AuditEvent.objects.filter(action="entries.processed").count() == 3


def test_a_crash_mid_run_rolls_back_its_batch_and_the_rerun_finishes(centre, setup, qualification):
    for n in range(1, 7):
        submit(centre, qualification, candidate(centre, n))
    real = processing._record_and_tell
    calls = {"n": 0}

    def crash_on_second_batch(*args):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return real(*args)

    with (
        mock.patch.object(processing, "_record_and_tell", crash_on_second_batch),
        pytest.raises(RuntimeError),
    ):
        processing.process_pending_entries(batch_size=3)

    assert Entry.objects.filter(status=Entry.Status.ACCEPTED).count() == 3
    assert Entry.objects.filter(status=Entry.Status.SUBMITTED).count() == 3

    result = processing.process_pending_entries(batch_size=3)
    assert result.counts == {"accepted": 3}
    events = AuditEvent.objects.filter(action="entries.processed")
    assert sum(e.data["accepted"] for e in events) == 6


def test_queries_per_batch_do_not_grow_with_entries(centre, setup, qualification):
    def queries_for(count, start):
        for n in range(start, start + count):
            submit(centre, qualification, candidate(centre, n))
        with CaptureQueriesContext(connection) as captured:
            processing.process_pending_entries()
        return len(captured)

    # The first run also allocates the moderator; compare two runs after it.
    queries_for(1, 1)
    assert queries_for(50, 100) == queries_for(2, 200)


@pytest.mark.parametrize(
    ("elapsed", "state"),
    [
        (timedelta(hours=23, minutes=59, seconds=59), ""),
        (timedelta(hours=24), "amber"),
        (timedelta(hours=47, minutes=59, seconds=59), "amber"),
        (timedelta(hours=48), "breach"),
    ],
)
def test_the_clock_is_amber_at_24_hours_and_breached_at_48(centre, qualification, elapsed, state):
    with time_machine.travel(T0, tick=False):
        entry = submit(centre, qualification)
    with time_machine.travel(T0 + elapsed, tick=False):
        assert clock_state(entry) == state
        clock = entry_clock()
        assert clock["amber"] == (1 if state == "amber" else 0)
        assert clock["breached"] == (1 if state == "breach" else 0)


def test_the_board_keeps_the_clock_figures_for_a_minute_and_says_when(
    client, centre, qualification
):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    with time_machine.travel(T0, tick=False):
        submit(centre, qualification)
        board = client.get(reverse("staff-board")).content.decode()
    assert "1 entry waiting" in board
    assert 'Figures as at <time datetime="2026-03-02T09:00:00+00:00">09:00</time>' in board
    with time_machine.travel(T0 + timedelta(seconds=59), tick=False):
        submit(centre, qualification)
        assert entry_clock().waiting == 1  # the kept figures
    with time_machine.travel(T0 + timedelta(seconds=61), tick=False):
        clock = entry_clock()
        assert clock.waiting == 2
        assert clock.as_at == T0 + timedelta(seconds=61)


def test_a_breach_is_flagged_and_emailed_to_staff_once(
    centre, qualification, django_capture_on_commit_callbacks
):
    with time_machine.travel(T0, tick=False):
        entry = submit(centre, qualification)
    with time_machine.travel(T0 + timedelta(hours=47, minutes=59), tick=False):
        assert processing.flag_overdue_entries() == 0
    assert not mail.outbox
    with (
        time_machine.travel(T0 + timedelta(hours=48), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert processing.flag_overdue_entries() == 1
        assert processing.flag_overdue_entries() == 0
    notice = SentNotice.objects.get()
    assert (notice.key, notice.target_id) == ("entries.processing:breach", entry.pk)
    assert notice.sent_at == T0 + timedelta(hours=48)
    assert [m.subject for m in mail.outbox] == [
        "[ocradmin] 1 entries not processed within 48 hours"
    ]
    assert "12345 05838" in mail.outbox[0].body


def test_the_board_figures_link_to_exactly_those_entries(client, centre, qualification, people):
    with time_machine.travel(T0, tick=False):
        fresh = submit(centre, qualification, candidate(centre, 1))
    with time_machine.travel(T0 - timedelta(hours=30), tick=False):
        amber = submit(centre, qualification, candidate(centre, 2))
    with time_machine.travel(T0 - timedelta(hours=50), tick=False):
        breached = submit(centre, qualification, candidate(centre, 3))
    client.force_login(people["staff"])
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        board = client.get(reverse("staff-board")).content.decode()
        base = reverse("entries:staff-review")
        assert f'<a href="{base}?clock=amber">1 waiting more than 24 hours</a>' in board
        assert f'<a href="{base}?clock=breach">1 past the 48-hour deadline</a>' in board
        assert f'<a href="{base}?clock=waiting">3 entries waiting</a>' in board
        for state, expected in [
            ("amber", [amber]),
            ("breach", [breached]),
            ("waiting", [breached, amber, fresh]),
        ]:
            page = client.get(base, {"clock": state})
            assert list(page.context["object_list"]) == expected
            assert "Waiting for the processing job" in page.content.decode()
        # Anything else is the queue of entries with staff (none here).
        page = client.get(base, {"clock": "nonsense"})
        assert list(page.context["object_list"]) == []


def test_the_breach_scan_runs_in_the_same_queries_for_1_and_50_entries(centre, qualification):
    def queries_for(n, offset):
        with time_machine.travel(T0, tick=False):
            for i in range(n):
                submit(centre, qualification, candidate(centre, offset + i))
        with (
            time_machine.travel(T0 + timedelta(hours=49), tick=False),
            CaptureQueriesContext(connection) as captured,
        ):
            assert processing.flag_overdue_entries() == n
        return len(captured)

    assert queries_for(1, 1) == queries_for(50, 100)


def test_beat_runs_the_processing_scans():
    schedule = celery_app.conf.beat_schedule
    assert schedule["process-entries"]["task"] == "entries.tasks.process_entries"
    assert schedule["process-entries"]["schedule"] == 15 * 60
    assert schedule["flag-overdue-entries"]["task"] == "entries.tasks.flag_overdue_entries"


def test_the_task_runs_the_job(centre, setup, qualification):
    from entries.tasks import process_entries

    submit(centre, qualification)
    assert "1 accepted" in process_entries.delay().get()


@pytest.mark.parametrize(("person", "status"), [("staff", 200), ("centre_admin", 403)])
def test_staff_queue_is_for_staff(client, people, person, status):
    client.force_login(people[person])
    assert client.get(reverse("entries:staff-review")).status_code == status


def test_staff_decide_from_the_queue_and_see_the_clock(client, centre, people, qualification):
    approve(centre, qualification)
    entry = submit(centre, qualification, candidate(centre, 1))
    processing.process_pending_entries()
    client.force_login(people["staff"])

    page = client.get(reverse("entries:staff-review"))
    assert processing.NO_MODERATOR in page.content.decode()
    board = client.get(reverse("staff-board")).content.decode()
    assert "Entry processing (24–48 hours)" in board

    response = client.post(
        reverse("entries:staff-review-decide", args=[entry.pk]), {"decision": "reject"}, follow=True
    )
    assert "Give the reason" in response.content.decode()
    client.post(
        reverse("entries:staff-review-decide", args=[entry.pk]),
        {"decision": "reject", "reason": "Not eligible"},
    )
    entry.refresh_from_db()
    assert entry.status == Entry.Status.REJECTED

    client.force_login(people["centre_admin"])
    response = client.post(
        reverse("entries:staff-review-decide", args=[entry.pk]), {"decision": "accept"}
    )
    assert response.status_code == 403


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_process_each_entry_exactly_once(qualification):
    centre = CentreFactory(number="34567")
    approve(centre, qualification)
    moderator("mod1@ocradmin.example", qualification)
    for n in range(1, 201):
        submit(centre, qualification, candidate(centre, n))
    results, errors = [], []
    barrier = threading.Barrier(2)

    def run():
        try:
            barrier.wait()
            results.append(processing.process_pending_entries(batch_size=20))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert sum(r.counts["accepted"] for r in results) == 200
    assert Entry.objects.filter(status=Entry.Status.ACCEPTED).count() == 200
    events = AuditEvent.objects.filter(action="entries.processed")
    assert sum(e.data["accepted"] for e in events) == 200
    assert ModeratorAllocation.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_breach_scans_tell_staff_of_each_entry_once(qualification):
    centre = CentreFactory(number="34567")
    with time_machine.travel(T0, tick=False):
        for n in range(1, 201):
            submit(centre, qualification, candidate(centre, n))
    told, errors = [], []
    barrier = threading.Barrier(2)

    def run():
        try:
            barrier.wait()
            with time_machine.travel(T0 + timedelta(hours=49)):
                told.append(processing.flag_overdue_entries(batch_size=15))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert sum(told) == 200
    notices = SentNotice.objects.filter(key="entries.processing:breach")
    assert notices.count() == notices.values("target_id").distinct().count() == 200


def test_the_staff_queue_costs_the_same_queries_for_1_or_50_entries(
    client, centre, other_centre, people, qualification
):
    def waiting(centre, number):
        entry = submit(centre, qualification, candidate(centre, number))
        Entry.objects.filter(pk=entry.pk).update(
            status=Entry.Status.NEEDS_REVIEW, review_reason=processing.NO_MODERATOR
        )

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("entries:staff-review")).status_code == 200
        return len(captured)

    client.force_login(people["staff"])
    waiting(centre, 1)
    one = queries()
    for number in range(2, 51):
        waiting(centre if number % 2 else other_centre, number)
    assert queries() == one
