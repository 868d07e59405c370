"""The results clock under time-machine across the late May 2021 bank holiday: a claim due on
Monday 7 June 2021 is at risk from Friday 28 May (5 working days left because Monday 31 May is a
bank holiday; a day earlier it had 6), met through the whole of 7 June in London, breached from
Tuesday 8 June. The moderator and staff are told once each time, however often the scan runs."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from claims.models import Claim
from moderation.services.clock import RESULTS_CLOCK
from moderation.tasks import scan_results_clock
from ocradmin.celery import app as celery_app
from ocradmin.models import AuditEvent, Notification

from .staff_world import make_claim, world

DUE = date(2021, 6, 7)  # a Monday
RECEIVED = datetime(2021, 5, 6, 10, 0, tzinfo=UTC)  # 21 working days before 7 June 2021


def at(day, hour=11, minute=0):
    return datetime(2021, day[0], day[1], hour, minute, tzinfo=UTC)


@pytest.fixture
def w(centre, people):
    return world(centre, people)


@pytest.fixture
def claim(w, centre):
    return make_claim(
        centre, w["qualification"], w["first"], results_due_on=DUE, received_at=RECEIVED
    )


def scan_twice_at(moment, capture):
    with time_machine.travel(moment, tick=False), capture(execute=True):
        scan_results_clock()
        scan_results_clock()


def notices(part):
    return sorted(
        Notification.objects.filter(subject__contains=part).values_list("user__email", flat=True)
    )


def staff_mail(settings, part):
    return [m for m in mail.outbox if settings.STAFF_EMAIL in m.to and part in m.subject]


def test_the_due_date_is_21_working_days_after_the_work_arrived(db):
    from ocradmin.workdays import add_working_days

    # Monday 31 May 2021 is a bank holiday; 7 June is the 21st working day after 6 May.
    assert add_working_days(RECEIVED.date(), 21) == DUE


def test_at_risk_then_breached_once_each_across_the_bank_holiday(
    claim, w, settings, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks

    scan_twice_at(at((5, 27)), capture)  # Thursday: 6 working days left
    assert not Notification.objects.exists() and not mail.outbox

    scan_twice_at(at((5, 28)), capture)  # Friday: 5 left, because of Monday's bank holiday
    assert notices("results due by") == [w["first"].email]
    assert claim.number in Notification.objects.get().subject
    assert len(staff_mail(settings, "results at risk")) == 1
    assert claim.number in staff_mail(settings, "results at risk")[0].body
    assert AuditEvent.objects.filter(action="claim.results_at_risk").count() == 1

    for moment in [at((5, 29)), at((5, 31)), at((6, 7), 16), at((6, 7), 22, 30)]:
        scan_twice_at(moment, capture)  # the weekend, the bank holiday, all of 7 June in London
    assert Notification.objects.count() == 1
    assert not notices("overdue")

    scan_twice_at(at((6, 7), 23, 30), capture)  # 00:30 on Tuesday 8 June in London
    assert notices("overdue") == [w["first"].email]
    assert len(staff_mail(settings, "results overdue")) == 1
    assert AuditEvent.objects.filter(action="claim.results_breached").count() == 1

    scan_twice_at(at((6, 9)), capture)
    assert Notification.objects.count() == 2
    assert len(staff_mail(settings, "results")) == 2


def test_the_clock_states_by_working_day(claim):
    assert RESULTS_CLOCK.state(claim, at((5, 27))) == ""
    assert RESULTS_CLOCK.state(claim, at((5, 28))) == "amber"
    assert RESULTS_CLOCK.state(claim, at((6, 7), 22, 30)) == "amber"
    assert RESULTS_CLOCK.state(claim, at((6, 7), 23, 30)) == "breach"
    assert list(RESULTS_CLOCK.rows_in("amber", at((5, 28)))) == [claim]
    assert not RESULTS_CLOCK.rows_in("amber", at((5, 27))).exists()
    assert list(RESULTS_CLOCK.rows_in("breach", at((6, 8)))) == [claim]


def test_after_an_outage_a_breached_claim_gets_only_the_breach_notice(
    claim, django_capture_on_commit_callbacks
):
    scan_twice_at(at((6, 10)), django_capture_on_commit_callbacks)
    assert notices("overdue") and not notices("results due by")


def test_claims_off_the_clock_are_never_told(w, centre, django_capture_on_commit_callbacks):
    make_claim(
        centre, w["qualification"], w["first"], status=Claim.Status.MODERATED, results_due_on=DUE
    )
    make_claim(
        centre, w["qualification"], w["first"], status=Claim.Status.WITHDRAWN, results_due_on=DUE
    )
    make_claim(centre, w["qualification"], w["first"], status=Claim.Status.SUBMITTED)
    scan_twice_at(at((6, 10)), django_capture_on_commit_callbacks)
    assert not Notification.objects.exists()


def test_moderating_the_claim_stops_the_clock(claim, django_capture_on_commit_callbacks):
    Claim.objects.filter(pk=claim.pk).update(
        status=Claim.Status.MODERATED, moderated_at=at((5, 27)), moderation_outcome="adjusted"
    )
    scan_twice_at(at((6, 10)), django_capture_on_commit_callbacks)
    assert not Notification.objects.exists()


def test_the_staff_board_counts_link_to_the_filtered_list(client, people, claim):
    url = reverse("moderation:staff-results")
    with time_machine.travel(at((5, 28)), tick=False):
        client.force_login(people["staff"])
        board = client.get("/staff/").content.decode()
        assert f'<a href="{url}?clock=amber">1 at risk (5 working days or fewer left)</a>' in board
        assert f'<a href="{url}?clock=waiting">1 claim with the moderator</a>' in board
        assert "0 past the results date" in board
        amber = client.get(url, {"clock": "amber"})
        assert list(amber.context["claims"]) == [claim]
        assert "5 working days left (at risk)" in amber.content.decode()
        assert not list(client.get(url, {"clock": "breach"}).context["claims"])
    with time_machine.travel(at((6, 9)), tick=False):
        client.force_login(people["staff"])
        board = client.get("/staff/").content.decode()
        assert f'<a href="{url}?clock=breach">1 past the results date</a>' in board
        breach = client.get(url, {"clock": "breach"})
        assert list(breach.context["claims"]) == [claim]
        assert "2 working days overdue" in breach.content.decode()


def test_the_scan_is_on_the_beat_schedule():
    celery_app.loader.import_default_modules()
    entry = celery_app.conf.beat_schedule["moderation-results-clock"]
    assert entry["task"] == "moderation.tasks.scan_results_clock"
    assert entry["task"] in celery_app.tasks
