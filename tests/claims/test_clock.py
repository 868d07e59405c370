"""The 24-hour work clock under time-machine: the reminder at 18 hours and the overdue notices
at 24 hours, once each however often the scan runs; sending the work stops the clock; the
staff board counts link to the list."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from claims.models import Claim
from claims.services.claims import add_line, start_claim, submit_claim
from claims.services.work import add_evidence
from claims.tasks import scan_work_clock
from ocradmin.models import AuditEvent, Notification

from .files import PDF, upload

SUBMITTED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def claim(setup, centre, people):
    with time_machine.travel(SUBMITTED_AT, tick=False):
        claim = start_claim(
            centre=centre, qualification=setup["qualification"], by=people["teacher"]
        )
        add_line(
            claim=claim,
            candidate=setup["full"],
            unit=setup["units"]["1"],
            grade="D",
            by=people["teacher"],
        )
        claim = submit_claim(claim=claim, declaration=True, by=people["teacher"])
    Notification.objects.all().delete()
    mail.outbox.clear()
    return claim


def notices(subject_part):
    return sorted(
        Notification.objects.filter(subject__contains=subject_part).values_list(
            "user__email", flat=True
        )
    )


def scan_twice_at(moment):
    with time_machine.travel(moment, tick=False):
        scan_work_clock()
        scan_work_clock()


def test_nothing_is_sent_before_18_hours(claim):
    scan_twice_at(SUBMITTED_AT + timedelta(hours=17, minutes=59))
    assert not Notification.objects.exists()


def test_the_reminder_at_18_hours_goes_once_to_the_builder_and_centre_admins(claim, people):
    scan_twice_at(SUBMITTED_AT + timedelta(hours=18))
    assert notices("due with the moderator in 6 hours") == sorted(
        [people["centre_admin"].email, people["teacher"].email]
    )
    scan_twice_at(SUBMITTED_AT + timedelta(hours=20))
    assert len(notices("due with the moderator in 6 hours")) == 2
    assert not notices("overdue")


def test_overdue_at_24_hours_goes_once_to_centre_moderator_and_staff(
    claim, people, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        scan_twice_at(SUBMITTED_AT + timedelta(hours=24))
    assert notices("overdue") == sorted(
        [people["centre_admin"].email, people["moderator"].email, people["teacher"].email]
    )
    staff_mail = [m for m in mail.outbox if settings.STAFF_EMAIL in m.to]
    assert len(staff_mail) == 1 and claim.number in staff_mail[0].body
    assert AuditEvent.objects.filter(action="claim.work_overdue").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        scan_twice_at(SUBMITTED_AT + timedelta(hours=30))
    assert len(notices("overdue")) == 3
    assert len([m for m in mail.outbox if settings.STAFF_EMAIL in m.to]) == 1


def test_a_scan_after_an_outage_sends_only_the_overdue_notices(claim):
    scan_twice_at(SUBMITTED_AT + timedelta(hours=40))
    assert notices("overdue") and not notices("in 6 hours")


def test_sending_the_work_stops_the_clock(claim, setup, people):
    with time_machine.travel(SUBMITTED_AT + timedelta(hours=2), tick=False):
        add_evidence(
            claim=claim,
            candidate=setup["full"],
            unit=setup["units"]["1"],
            file=upload("a.pdf", PDF),
            by=people["teacher"],
        )
    assert Claim.objects.get().status == Claim.Status.WORK_SENT
    Notification.objects.all().delete()
    scan_twice_at(SUBMITTED_AT + timedelta(hours=18))
    scan_twice_at(SUBMITTED_AT + timedelta(hours=25))
    assert not Notification.objects.exists()


def test_the_staff_board_counts_link_to_the_claims(client, people, claim):
    with time_machine.travel(SUBMITTED_AT + timedelta(hours=19), tick=False):
        client.force_login(people["staff"])  # a session lasts hours, not the day travelled
        board = client.get("/staff/").content.decode()
        assert "1 due within 6 hours" in board
        amber = client.get(reverse("claims:staff-list") + "?clock=amber")
        assert claim.number in amber.content.decode()
        assert (
            claim.number
            not in client.get(reverse("claims:staff-list") + "?clock=breach").content.decode()
        )
    with time_machine.travel(SUBMITTED_AT + timedelta(hours=25), tick=False):
        client.force_login(people["staff"])
        assert "1 overdue" in client.get("/staff/").content.decode()
        breach = client.get(reverse("claims:staff-list") + "?clock=breach")
        assert claim.number in breach.content.decode()


def test_the_claim_page_shows_the_time_left_then_overdue(client, people, centre, claim):
    url = reverse("claims:claim", args=[centre.number, claim.pk])
    with time_machine.travel(SUBMITTED_AT + timedelta(hours=19), tick=False):
        client.force_login(people["teacher"])  # a session lasts hours, not the day travelled
        assert "5\xa0hours left" in client.get(url).content.decode()
    with time_machine.travel(SUBMITTED_AT + timedelta(hours=25), tick=False):
        client.force_login(people["teacher"])
        assert "(overdue)" in client.get(url).content.decode()


@pytest.mark.parametrize("person", ["centre_admin", "moderator", "outsider"])
def test_the_staff_list_is_for_staff(client, people, person):
    client.force_login(people[person])
    assert client.get(reverse("claims:staff-list")).status_code == 403
